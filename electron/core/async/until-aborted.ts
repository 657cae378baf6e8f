import { cancelled } from '../errors';

/**
 * Waits for `pending` unless `signal` aborts first, then rejects with Cancelled at once. For reads
 * only: what `pending` does still happens, its result is just not waited for (Ctrl-C must not wait
 * for a server that stopped answering).
 */
export function untilAborted<T>(pending: Promise<T>, signal: AbortSignal | undefined, message?: string): Promise<T> {
  if (signal === undefined) return pending;
  if (signal.aborted) {
    pending.catch(() => undefined);
    return Promise.reject(cancelled(message));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      pending.catch(() => undefined);
      reject(cancelled(message));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
