import { isLatchkeyError, LatchkeyError } from '../errors';
import type { ReadResult, SecretBackend, SecretMetadata } from '../secrets/backend';
import { reasonOf } from '../rotation/rotation-result';
import { replaceCurrent } from '../rotation/verified-write';

/**
 * Writes one value into an environment as imports and copies do: check-and-set against what was read,
 * read back and verify; a damaged update is replaced by the old value, a damaged create is removed.
 * Either the new value is current afterwards or the secret is as it was; anything else is an error.
 */
export type PutAction = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface PutResult {
  action: PutAction;
  version?: string;
}

export async function readIfPresent(backend: SecretBackend, path: string): Promise<ReadResult | undefined> {
  try {
    return await backend.get(path);
  } catch (error) {
    if (isLatchkeyError(error) && error.kind === 'NotFound') return undefined;
    throw error;
  }
}

export async function putSecret(
  backend: SecretBackend,
  path: string,
  value: string,
  options: { overwrite: boolean; metadata?: SecretMetadata; ref: string },
): Promise<PutResult> {
  const metadata = backend.capabilities.metadata ? options.metadata : undefined;
  const existing = await readIfPresent(backend, path);
  if (existing?.value === value) return { action: 'unchanged', ...(existing.version === undefined ? {} : { version: existing.version }) };
  if (existing !== undefined && !options.overwrite) return { action: 'skipped' };

  if (existing === undefined) {
    const written = await backend.set(path, value, {
      ...(metadata === undefined ? {} : { metadata }),
      ...(backend.capabilities.checkAndSet ? { expectedVersion: null } : {}),
    });
    const back = await readIfPresent(backend, path);
    if (back?.value !== value) {
      await backend.delete(path, { force: true }).catch(() => undefined);
      throw new LatchkeyError('BackendUnavailable', `${options.ref} read back differently after it was written, so it was removed again. Try again.`);
    }
    return { action: 'created', ...((back.version ?? written.version) === undefined ? {} : { version: back.version ?? written.version }) };
  }

  const settled = await replaceCurrent({
    backend,
    path,
    oldValue: existing.value,
    oldVersion: existing.version,
    newValue: value,
    ...(metadata === undefined ? {} : { metadata }),
    write: () =>
      backend.set(path, value, {
        ...(metadata === undefined ? {} : { metadata }),
        ...(backend.capabilities.checkAndSet && existing.version !== undefined ? { expectedVersion: existing.version } : {}),
      }),
  });
  if (settled.state === 'changed') return { action: 'updated', ...(settled.version === undefined ? {} : { version: settled.version }) };
  const { kind, reason } = reasonOf(settled.error);
  const outcome =
    settled.state === 'unknown'
      ? `and its current value could not be checked afterwards; check ${options.ref} before relying on it`
      : settled.state === 'restored'
        ? 'so the value from before was put back'
        : 'and the value from before is still current';
  throw new LatchkeyError(kind, `Writing ${options.ref} failed (${reason}), ${outcome}.`);
}
