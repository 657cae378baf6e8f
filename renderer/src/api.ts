import type { ErrorKind } from '../../shared/errors';
import type { IpcResult } from '../../shared/ipc/entry';

/**
 * The renderer's only way to main. Calls answer a result or a typed error; `call` turns the error into
 * an exception the UI can show (its message is written for people and never holds a value).
 */
export const api = window.latchkey;

export class CallError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** Set when trying again later may succeed (a throttled passphrase, a busy backend). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'CallError';
  }
}

export async function call<T>(pending: Promise<IpcResult<T>>): Promise<T> {
  const result = await pending;
  if (result.ok) return result.value;
  throw new CallError(result.error.kind, result.error.message, result.error.retryAfterMs);
}

export function messageOf(error: unknown): string {
  return error instanceof CallError ? error.message : 'Something went wrong. Try again.';
}
