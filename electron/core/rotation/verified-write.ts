import { isLatchkeyError } from '../errors';
import type { ReadResult, SecretBackend, SecretMetadata, WriteResult } from '../secrets/backend';

/**
 * Replacing the current value of a secret so that, whatever fails, afterwards the current value is the one
 * before, the one intended, or a newer one someone else wrote — which is never overwritten. After the write
 * (whether it reported success or not) the current value is read back and judged by version, not only by
 * value: the old value is put back only over the version this write made (a damaged write). A version
 * this write did not make may be another writer's newer value, and putting the old (perhaps leaked) value
 * over it would undo their change; without versions nobody can tell the two apart, so a third value is
 * reported and left alone.
 */
export type SettledState = 'changed' | 'unchanged' | 'restored' | 'superseded' | 'unknown';

export interface Settled {
  state: SettledState;
  /** The current version after settling, when the backend reports versions. */
  version?: string;
  /** The version this write made, where the backend named it. */
  written?: string;
  /** The first failure met on the way; undefined when the change went through cleanly. */
  error?: unknown;
}

export interface ReplaceCurrentInput {
  backend: SecretBackend;
  path: string;
  oldValue: string;
  oldVersion: string | undefined;
  newValue: string;
  /** Performs the change (set, or stage + verify + promote) and names the version it made. */
  write: () => Promise<WriteResult | undefined>;
  /** Puts the old value back over `ours`, the damaged version this write made; default: set it (check-and-set). */
  restore?: (ours: string) => Promise<void>;
  metadata?: SecretMetadata;
}

export async function replaceCurrent(input: ReplaceCurrentInput): Promise<Settled> {
  let written: string | undefined;
  let writeError: unknown;
  try {
    written = (await input.write())?.version;
  } catch (error) {
    writeError = error;
    // A check-and-set conflict means our write did not happen and someone else's did: leave theirs alone.
    if (isLatchkeyError(error) && error.kind === 'Conflict') return { state: 'unchanged', error };
  }
  const settled = await settle(input, input.backend.capabilities.versions ? written : undefined, writeError);
  return written === undefined || !input.backend.capabilities.versions ? settled : { ...settled, written };
}

async function settle(input: ReplaceCurrentInput, ours: string | undefined, writeError: unknown): Promise<Settled> {
  const { backend, path, oldValue, newValue } = input;
  let current: ReadResult;
  try {
    current = await backend.get(path);
    // A third value may be a read damaged on the way: one more read tells a stored value from a passing fault.
    if (current.value !== newValue && current.value !== oldValue) current = await backend.get(path);
  } catch (error) {
    return { state: 'unknown', error: writeError ?? error };
  }
  const at = (state: SettledState, error: unknown): Settled => ({
    state,
    ...(current.version === undefined ? {} : { version: current.version }),
    ...(error === undefined ? {} : { error }),
  });

  if (current.value === newValue) return at('changed', undefined);
  if (current.value === oldValue && (ours === undefined || current.version === input.oldVersion)) return at('unchanged', writeError ?? new ReadBackMismatch());
  if (ours !== undefined && current.version !== undefined && current.version !== ours) {
    // Another writer's version is current: ours only needs checking, theirs stays — even when it holds the old value.
    return at('superseded', (await holds(backend, path, ours, newValue)) ? undefined : (writeError ?? new ReadBackMismatch()));
  }

  // A third value is current. Only a version this write made is ours to put the old value back over.
  const firstError = writeError ?? new ReadBackMismatch();
  if (ours === undefined || current.version !== ours) return at('unknown', new ThirdValueLeft(firstError));
  try {
    if (input.restore !== undefined) await input.restore(ours);
    else {
      await backend.set(path, oldValue, {
        ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
        ...(backend.capabilities.checkAndSet ? { expectedVersion: ours } : {}),
      });
    }
    const again = await backend.get(path);
    if (again.value === oldValue) return { state: 'restored', ...(again.version === undefined ? {} : { version: again.version }), error: firstError };
  } catch {
    // Falls through: the state is unknown and the caller says so.
  }
  return { state: 'unknown', error: firstError };
}

/** Whether `version` of the secret holds `value` (false when it cannot be read). */
async function holds(backend: SecretBackend, path: string, version: string, value: string): Promise<boolean> {
  try {
    return (await backend.get(path, { version })).value === value;
  } catch {
    return false;
  }
}

export class ReadBackMismatch extends Error {
  constructor() {
    super('the value read back differs from the value written');
    this.name = 'ReadBackMismatch';
  }
}

/** A value that is neither the old nor the new one is current, in a version this write did not (provably) make. */
export class ThirdValueLeft extends Error {
  constructor(readonly first: unknown) {
    super('a value that is neither the previous nor the new one is current, and Latchkey cannot tell that this rotation wrote it');
    this.name = 'ThirdValueLeft';
  }
}
