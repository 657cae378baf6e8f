import { isLatchkeyError } from '../errors';
import type { SecretBackend, SecretMetadata, WriteResult } from '../secrets/backend';

/**
 * Replacing the current value of a secret so that, whatever fails, afterwards the current value is
 * either the one before or the one intended — never a third. After the write (whether it reported
 * success or not) the current value is read back; a value that is neither is replaced by the old one.
 */
export type SettledState = 'changed' | 'unchanged' | 'restored' | 'unknown';

export interface Settled {
  state: SettledState;
  /** The current version after settling, when the backend reports versions. */
  version?: string;
  /** The first failure met on the way; undefined when the change went through cleanly. */
  error?: unknown;
}

export interface ReplaceCurrentInput {
  backend: SecretBackend;
  path: string;
  oldValue: string;
  oldVersion: string | undefined;
  newValue: string;
  /** Performs the change (set, or stage + verify + promote). */
  write: () => Promise<WriteResult | undefined>;
  /** Puts the old value back when the read-back shows a third value; default: set it (check-and-set). */
  restore?: (seenVersion: string | undefined) => Promise<void>;
  metadata?: SecretMetadata;
}

export async function replaceCurrent(input: ReplaceCurrentInput): Promise<Settled> {
  const { backend, path, oldValue, newValue } = input;
  let writeError: unknown;
  try {
    await input.write();
  } catch (error) {
    writeError = error;
    // A check-and-set conflict means our write did not happen and someone else's did: leave theirs alone.
    if (isLatchkeyError(error) && error.kind === 'Conflict') return { state: 'unchanged', error };
  }
  return settle(input, writeError, oldValue, newValue, backend, path);
}

async function settle(input: ReplaceCurrentInput, writeError: unknown, oldValue: string, newValue: string, backend: SecretBackend, path: string): Promise<Settled> {
  let current;
  try {
    current = await backend.get(path);
  } catch (error) {
    return { state: 'unknown', error: writeError ?? error };
  }
  const withVersion = (state: SettledState, error: unknown): Settled => ({
    state,
    ...(current.version === undefined ? {} : { version: current.version }),
    ...(error === undefined ? {} : { error }),
  });
  if (current.value === newValue) return withVersion('changed', undefined);
  if (current.value === oldValue) return withVersion('unchanged', writeError ?? readBackMismatch());

  // A third value is current (a damaged write): put the old one back, only over what we just saw.
  const firstError = writeError ?? readBackMismatch();
  try {
    if (input.restore !== undefined) await input.restore(current.version);
    else {
      await backend.set(path, oldValue, {
        ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
        ...(backend.capabilities.checkAndSet && current.version !== undefined ? { expectedVersion: current.version } : {}),
      });
    }
    const again = await backend.get(path);
    if (again.value === oldValue) return { state: 'restored', ...(again.version === undefined ? {} : { version: again.version }), error: firstError };
  } catch {
    // Falls through: the state is unknown and the caller says so.
  }
  return { state: 'unknown', error: firstError };
}

export class ReadBackMismatch extends Error {
  constructor() {
    super('the value read back differs from the value written');
    this.name = 'ReadBackMismatch';
  }
}

function readBackMismatch(): ReadBackMismatch {
  return new ReadBackMismatch();
}
