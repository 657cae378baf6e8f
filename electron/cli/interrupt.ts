import type { GuardedIo } from './io';

/**
 * Runs `work` with a signal that Ctrl-C (SIGINT) aborts, as Cancel does in the app, and that a reader
 * closing standard output (`| head`) aborts too: the work stops at its next step, says what it did,
 * and the command ends normally. Only while `work` runs; the default Ctrl-C is back afterwards.
 */
export async function interruptible<T>(io: GuardedIo, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  io.outputClosed?.addEventListener('abort', stop, { once: true });
  if (io.outputClosed?.aborted === true) stop();
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    io.outputClosed?.removeEventListener('abort', stop);
  }
}
