/** How often a running incident's report is saved at most while items finish. */
const REPORT_SAVE_INTERVAL_MS = 250;

/**
 * Saves the report at most once at a time and, while items finish, at most once per `intervalMs`: a
 * request is saved when the interval since the last save has passed (one timer), and a request while a
 * save runs is saved an interval after it, with the newest state. Many item completions thus cost a few writes, not one each — at concurrency 16
 * a save per completion kept the disk and the event loop busy with a growing report. `now()` saves at
 * once (the run's start and end). What a crash can cost: items finished in the last interval are still
 * pending in the saved report, and a re-run rotates them once more (their audit entries say so).
 */
export function coalescingSaver(save: () => Promise<void>, intervalMs = REPORT_SAVE_INTERVAL_MS): { request(): void; now(): Promise<void> } {
  let running: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** A request came while a save ran: one more save follows, an interval after it. */
  let dirty = false;
  let lastEnded = Number.NEGATIVE_INFINITY;
  const cancelTimer = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const saveNow = (): Promise<void> => {
    running ??= (async () => {
      dirty = false;
      try {
        await save();
      } finally {
        lastEnded = performance.now();
        running = undefined;
        if (dirty) schedule();
      }
    })();
    return running;
  };
  const schedule = () => {
    if (timer !== undefined) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        // Errors of intermediate saves are not fatal; the final save reports its own.
        saveNow().catch(() => undefined);
      },
      Math.max(0, lastEnded + intervalMs - performance.now()),
    );
  };
  return {
    request() {
      if (running !== undefined) dirty = true;
      else schedule();
    },
    async now() {
      cancelTimer();
      if (running !== undefined) await running.catch(() => undefined);
      cancelTimer();
      await saveNow();
    },
  };
}
