/**
 * Runs `work` over `items` with at most `concurrency` calls in flight. When `signal` is aborted no new
 * item starts; the ones in flight finish. `work` reports its own failures (it should not throw).
 */
export async function runBounded<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && signal?.aborted !== true) {
      const index = next;
      next += 1;
      await work(items[index] as T, index);
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(concurrency), items.length));
  await Promise.all(Array.from({ length: workers }, worker));
}
