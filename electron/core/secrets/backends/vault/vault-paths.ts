import { invalidInput } from '../../../errors';
import { handsfreeVaultPath } from '../../handsfree-layout';

/**
 * Reference paths of `vault://` and where they lead in KV v2:
 * - `vault://<path>` — <path> on the connection's mount, field "value" (the seed's form `vault://key`).
 *   With the HandsFree layout the path is the seed's key, whose "_" and "." became "/".
 * - `vault://<mount>/<path>#<field>` — an explicit mount (first segment) and field, taken verbatim.
 */
export interface VaultLayoutOptions {
  mount: string;
  field: string;
  layout: 'native' | 'handsfree';
}

export interface VaultTarget {
  mount: string;
  path: string;
  field: string;
}

export const DEFAULT_VAULT_FIELD = 'value';
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export function checkMount(mount: string): string {
  const segments = mount.split('/');
  if (mount.length > 256 || segments.some((segment) => !NAME.test(segment) || segment === '.' || segment === '..')) {
    throw invalidInput(`"${mount.slice(0, 80)}" is not a Vault mount: use letters, digits, "_", "." and "-", segments separated by "/".`);
  }
  return mount;
}

export function checkField(field: string): string {
  if (!NAME.test(field)) throw invalidInput(`"${field.slice(0, 80)}" is not a field name: use letters, digits, "_", "." and "-".`);
  return field;
}

export function checkSecretPath(path: string, allowEmpty = false): string {
  if (path === '' && allowEmpty) return path;
  const segments = path.split('/');
  if (path.length > 1024 || segments.some((segment) => !isSegment(segment))) {
    throw invalidInput(`"${path.slice(0, 80)}" is not a Vault secret path: use non-empty segments separated by "/", without "#", "?", "%" or control characters.`);
  }
  return path;
}

/** A path segment: not empty, not "." or "..", no "/", "#", "?", "%" or control characters. */
function isSegment(segment: string): boolean {
  if (segment === '' || segment === '.' || segment === '..') return false;
  for (const char of segment) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || code === 0x7f || '/#?%'.includes(char)) return false;
  }
  return true;
}

export function resolveVaultTarget(referencePath: string, options: VaultLayoutOptions): VaultTarget {
  const hash = referencePath.lastIndexOf('#');
  if (hash !== -1) {
    const left = referencePath.slice(0, hash);
    const slash = left.indexOf('/');
    if (slash <= 0) throw invalidInput(`"${referencePath.slice(0, 80)}" names a field but no mount: use vault://<mount>/<path>#<field>, e.g. vault://secret/app/db#password.`);
    return { mount: checkMount(left.slice(0, slash)), path: checkSecretPath(left.slice(slash + 1)), field: checkField(referencePath.slice(hash + 1)) };
  }
  const path = options.layout === 'handsfree' ? handsfreeVaultPath(referencePath) : referencePath;
  return { mount: options.mount, path: checkSecretPath(path), field: options.field };
}

/** The reference path that leads back to `kvPath` on the connection's mount and field. */
export function referencePathOf(kvPath: string, options: VaultLayoutOptions): string {
  // Under the HandsFree layout "_" and "." turn into "/", so a KV path holding them needs the explicit
  // form (which names a single-segment mount).
  if (options.layout === 'handsfree' && /[_.]/.test(kvPath) && !options.mount.includes('/')) return `${options.mount}/${kvPath}#${options.field}`;
  return kvPath;
}

export function encodeSegments(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

export function describeTarget(target: VaultTarget): string {
  const field = target.field === DEFAULT_VAULT_FIELD ? '' : ` (field "${target.field}")`;
  return `secret "${target.path}"${field} on mount "${target.mount}"`;
}
