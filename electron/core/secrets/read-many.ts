import type { ReadResult, SecretBackend } from './backend';

/**
 * Reads many secrets with a bounded number in flight: remote backends answer one request at a time
 * per call, so reading in parallel hides the round trips, while the bound keeps within rate limits.
 * Each path's outcome is reported on its own; one failure does not stop the others.
 */
export type ReadOutcome = { path: string; ok: true; result: ReadResult } | { path: string; ok: false; error: unknown };

export async function readMany(backend: SecretBackend, paths: readonly string[], options: { concurrency?: number; signal?: AbortSignal } = {}): Promise<ReadOutcome[]> {
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 8, paths.length || 1));
  const outcomes = new Array<ReadOutcome>(paths.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      options.signal?.throwIfAborted();
      const index = next;
      next += 1;
      if (index >= paths.length) return;
      const path = paths[index]!;
      try {
        outcomes[index] = { path, ok: true, result: await backend.get(path) };
      } catch (error) {
        outcomes[index] = { path, ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcomes;
}
