import { invalidInput } from '../errors';
import { backendSchemes, type BackendScheme } from './backend';

/**
 * A secret reference: `scheme://path`, as the HandsFree server writes them (README, "Backends and connections"). Parsing checks only the scheme
 * and that a path is present; each backend validates its own path form.
 */
export interface SecretRef {
  scheme: BackendScheme;
  path: string;
}

const FORMS =
  'file://<project>/<environment>/<KEY>, env://VAR, keychain://<service>/<account>, vault://<path>, aws://<name>, gcp://<name>, azure://<vault>/<name>';

export function parseRef(text: string): SecretRef {
  const match = /^([a-z]+):\/\/(.+)$/s.exec(text);
  if (match === null) {
    throw invalidInput(`"${truncate(text)}" is not a secret reference. Use one of: ${FORMS}.`);
  }
  const [, scheme, path] = match as unknown as [string, string, string];
  if (!(backendSchemes as readonly string[]).includes(scheme)) {
    throw invalidInput(`Unknown reference scheme "${truncate(scheme)}://". Use one of: ${FORMS}.`);
  }
  if (path.includes('\0')) throw invalidInput('A secret reference cannot contain a NUL character.');
  return { scheme: scheme as BackendScheme, path };
}

export function formatRef(ref: SecretRef): string {
  return `${ref.scheme}://${ref.path}`;
}

/** References are names, not values; still, keep what we echo short. */
function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
