import { createHash } from 'node:crypto';
import type { SecretBackend } from '../secrets/backend';

/**
 * Where the previous value of a secret goes when its own backend keeps no versions (the OS keychain,
 * environment variables), so that a rotation there can still be rolled back. One value per reference;
 * the escrow is itself a secret store (in the app: the encrypted local file store), never a plain file.
 */
export interface PreviousValueEscrow {
  save(ref: string, value: string): Promise<void>;
  /** NotFound when nothing was kept for `ref`. */
  load(ref: string): Promise<string>;
}

/**
 * An escrow kept in another backend, one secret per reference at `pathFor(ref)`. The default path fits
 * the local file store's <project>/<environment>/<KEY> form (project "latchkey", environment
 * "previous-values") and names the reference by a hash, so the escrow does not repeat the references.
 */
export function createBackendEscrow(backend: SecretBackend, pathFor: (ref: string) => string = defaultEscrowPath): PreviousValueEscrow {
  return {
    async save(ref, value) {
      await backend.set(pathFor(ref), value);
    },
    async load(ref) {
      return (await backend.get(pathFor(ref))).value;
    },
  };
}

export function defaultEscrowPath(ref: string): string {
  return `latchkey/previous-values/PREVIOUS_${createHash('sha256').update(ref, 'utf8').digest('hex').slice(0, 32)}`;
}
