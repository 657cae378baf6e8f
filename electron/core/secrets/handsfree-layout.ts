import { invalidInput } from '../errors';
import type { SecretMetadata } from './backend';

/**
 * Where the HandsFree server (seed 000) keeps a secret it calls `key`, per backend, so that the
 * references it stored resolve in Latchkey (docs/ARCHITECTURE.md, "Compatibility with the systems Latchkey came from").
 */
export const HANDSFREE_ENV_PREFIX = 'HANDSFREE_SECRET_';
export const HANDSFREE_AWS_PREFIX = 'handsfree/';
export const HANDSFREE_GCP_PREFIX = 'handsfree';

/** env: prefix + key upper-cased, with "-", "." and "/" turned into "_". */
export function handsfreeEnvName(key: string, prefix = HANDSFREE_ENV_PREFIX): string {
  return `${prefix}${key.toUpperCase().replace(/[-./]/g, '_')}`;
}

/** Vault: "_" and "." become "/" (github_token_user_123 → github/token/user/123). */
export function handsfreeVaultPath(key: string): string {
  return key.replace(/[_.]/g, '/');
}

/** AWS: prefix + key. */
export function handsfreeAwsName(key: string, prefix = HANDSFREE_AWS_PREFIX): string {
  return `${prefix}${key}`;
}

/**
 * Google: `<prefix>-<key>`, the key lower-cased, every run of characters outside [a-z0-9-] turned into
 * one "-", leading and trailing "-" removed.
 */
export function handsfreeGcpSecretId(key: string, prefix = HANDSFREE_GCP_PREFIX): string {
  const normalized = key
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (normalized === '') {
    throw invalidInput(`The key "${key.slice(0, 80)}" has no letters or digits, so it cannot name a Google secret.`);
  }
  return `${prefix}-${normalized}`;
}

const LABEL_LIMIT = 63;
const MAX_LABELS = 64;

/** One label key or value by the seed's rule: lower-case, runs outside [a-z0-9_-] become "_", 63 characters. */
export function handsfreeLabelText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .slice(0, LABEL_LIMIT);
}

/**
 * Metadata as Google labels. Google also requires a key to start with a lower-case letter; a key that
 * does not is refused (naming it) rather than silently renamed.
 */
export function handsfreeGcpLabels(metadata: SecretMetadata): Record<string, string> {
  const entries = Object.entries(metadata);
  if (entries.length > MAX_LABELS) throw invalidInput(`Google Secret Manager keeps at most ${MAX_LABELS} labels; this secret has ${entries.length} metadata entries.`);
  const labels: Record<string, string> = {};
  for (const [name, value] of entries) {
    const key = handsfreeLabelText(name);
    if (!/^[a-z]/.test(key)) {
      throw invalidInput(`The metadata name "${name.slice(0, 63)}" cannot be a Google label: label names must start with a letter.`);
    }
    if (key in labels) throw invalidInput(`The metadata names "${name.slice(0, 63)}" and another one become the same Google label "${key}". Rename one of them.`);
    labels[key] = handsfreeLabelText(value);
  }
  return labels;
}
