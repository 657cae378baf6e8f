import { cancelled, isLatchkeyError } from '../core/errors';

/**
 * Ctrl-C (SIGINT) for the whole run of `latchkey`. While a command does work that stops cleanly (an
 * incident), Ctrl-C cancels it as the app's Cancel does: no new rotations start, the ones in flight
 * finish, the report and the audit log say what is left. Otherwise it ends the process (exit 130), as a
 * terminal user expects.
 *
 * The listener stays registered from start to end, and is never a `once`: proper-lockfile (through
 * signal-exit) also listens for SIGINT while it holds a lock, and re-raises the signal — killing the
 * process mid-incident — when it finds itself the only listener left.
 */
export const INTERRUPTED_EXIT_CODE = 130;

const STOPPING_ROTATIONS = 'stopping — no new rotations start; those in flight finish, then the report says what is left.';

export interface Interrupts {
  /**
   * Runs `work` so that Ctrl-C aborts its signal instead of ending the process; `stopping` is what
   * Ctrl-C then says (by default, what an incident does).
   */
  cancellable<T>(work: (signal: AbortSignal) => Promise<T>, stopping?: string): Promise<T>;
  /**
   * Runs `work` that answers Ctrl-C itself (`latchkey run` hands it to the program it runs, and exits
   * with the program's code): meanwhile Ctrl-C neither ends the process nor cancels anything here.
   */
  handledBy<T>(work: () => Promise<T>): Promise<T>;
  /** Removes the listener (after the command, before the process exits). */
  dispose(): void;
}

export function listenForInterrupts(options: { stderr: { write(text: string): unknown }; exit: (code: number) => void }): Interrupts {
  const running = new Map<AbortController, string>();
  let handedOver = 0;
  const onInterrupt = () => {
    if (handedOver > 0) return;
    if (running.size === 0) {
      options.exit(INTERRUPTED_EXIT_CODE);
      return;
    }
    if ([...running.keys()].every((controller) => controller.signal.aborted)) {
      options.stderr.write('latchkey: still stopping — what is in flight finishes first, so nothing is left half-done.\n');
      return;
    }
    for (const stopping of new Set(running.values())) options.stderr.write(`latchkey: ${stopping}\n`);
    for (const controller of running.keys()) controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  return {
    async cancellable(work, stopping = STOPPING_ROTATIONS) {
      const controller = new AbortController();
      running.set(controller, stopping);
      try {
        return await work(controller.signal);
      } catch (error) {
        // Work that stopped before it began (a preview, a prompt) says so plainly.
        if (controller.signal.aborted && !isLatchkeyError(error)) throw cancelled('Cancelled before anything was changed.');
        throw error;
      } finally {
        running.delete(controller);
      }
    },
    async handledBy(work) {
      handedOver += 1;
      try {
        return await work();
      } finally {
        handedOver -= 1;
      }
    },
    dispose() {
      process.off('SIGINT', onInterrupt);
    },
  };
}
