import type { SecretBackend } from '../secrets/backend';
import { parseRef, type SecretRef } from '../secrets/reference';

/**
 * Finds the backend that serves a reference: the core's `backends.resolve` (asynchronous: a remote
 * backend is opened on first use). Test compositions may answer synchronously.
 */
export type ResolveBackend = (ref: SecretRef) => SecretBackend | Promise<SecretBackend>;

/** The backend and path of a reference string. */
export async function openRef(resolve: ResolveBackend, ref: string): Promise<{ backend: SecretBackend; path: string }> {
  const parsed = parseRef(ref);
  return { backend: await resolve(parsed), path: parsed.path };
}

/** A resolver that answers `backend` for every reference: operations on one environment use its backend. */
export const pinnedTo =
  (backend: SecretBackend): ResolveBackend =>
  () =>
    backend;
