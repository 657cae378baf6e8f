/** How often a running incident's report is saved at most while items finish. */
export const REPORT_SAVE_INTERVAL_MS = 250;

/**
 * Saves the report at most once at a time and, while items finish, at most once per `intervalMs`: a
 * request while a save runs (or within the interval after one) marks it dirty, and one more save follows
 * with the newest state. Many item completions thus cost a few writes, not one each — at concurrency 16
 * a save per completion kept the disk and the event loop busy with a growing report. `now()` saves at
 * once (the run's start and end). What a crash can cost: items finished in the last interval are still
 * pending in the saved report, and a re-run rotates them once more (their audit entries say so).
 */
export function coalescingSaver(save: () => Promise<void>, intervalMs = REPORT_SAVE_INTERVAL_MS): { request(): void; now(): Promise<void> } {
  let running: Promise<void> | undefined;
  let dirty = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Ends the pause between two saves early (now()). */
  let wake: (() => void) | undefined;
  let lastEnded = Number.NEGATIVE_INFINITY;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const pending = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(pending);
        resolve();
      };
    }).finally(() => {
      wake = undefined;
    });
  const loop = async (): Promise<void> => {
    for (;;) {
      dirty = false;
      try {
        await save();
      } finally {
        lastEnded = performance.now();
      }
      if (!dirty) return;
      await pause(intervalMs);
    }
  };
  const start = (): Promise<void> => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    running ??= loop().finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    request() {
      if (running !== undefined) {
        dirty = true;
        return;
      }
      if (timer !== undefined) return;
      const wait = lastEnded + intervalMs - performance.now();
      // Errors of intermediate saves are not fatal; the final save reports its own.
      if (wait <= 0) start().catch(() => undefined);
      else timer = setTimeout(() => void start().catch(() => undefined), wait);
    },
    async now() {
      wake?.();
      if (running !== undefined) await running.catch(() => undefined);
      dirty = false;
      await start();
    },
  };
}
