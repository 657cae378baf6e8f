import type { BulkRevocationProgress, FilterRevocationProgress, ScanProgress, SearchProgress } from '../../core/sessions';
import type { Progress } from '../operations';

/**
 * Progress of session walks as `operation.progress` events. A walk of a million keys reports a
 * thousand batches; the window needs a few updates a second, so updates are thinned to one per
 * `intervalMs` (the last one always goes out with `flush`).
 */
export function throttle<T>(send: (update: T) => void, intervalMs = 100, now: () => number = Date.now) {
  let sentAt = Number.NEGATIVE_INFINITY;
  let pending: T | undefined;
  return {
    report(update: T): void {
      const at = now();
      if (at - sentAt >= intervalMs) {
        sentAt = at;
        pending = undefined;
        send(update);
      } else pending = update;
    },
    flush(): void {
      if (pending === undefined) return;
      const last = pending;
      pending = undefined;
      send(last);
    },
  };
}

const count = (n: number) => n.toLocaleString('en-US');

export function scanUpdate(progress: Pick<ScanProgress, 'scannedKeys' | 'estimatedKeys'>, found?: number): Progress {
  const total = progress.estimatedKeys > 0 ? Math.max(progress.estimatedKeys, progress.scannedKeys) : undefined;
  const matches = found === undefined ? '' : ` · ${count(found)} session${found === 1 ? '' : 's'} found`;
  return { done: progress.scannedKeys, ...(total === undefined ? {} : { total }), message: `Scanned ${count(progress.scannedKeys)} keys${matches}` };
}

export function searchUpdate(progress: SearchProgress): Progress {
  return scanUpdate(progress, progress.found);
}

export function revocationUpdate(progress: BulkRevocationProgress): Progress {
  const revoked = `Revoked ${count(progress.revoked)} session${progress.revoked === 1 ? '' : 's'}`;
  if (progress.phase === 'index' || progress.scannedKeys === undefined) return { done: progress.revoked, message: `${revoked} through the index` };
  const total = progress.estimatedKeys === undefined ? undefined : Math.max(progress.estimatedKeys, progress.scannedKeys);
  return { done: progress.scannedKeys, ...(total === undefined ? {} : { total }), message: `${revoked} · scanned ${count(progress.scannedKeys)} keys` };
}

export function filterRevocationUpdate(progress: FilterRevocationProgress): Progress {
  return { done: progress.revoked, total: progress.matched, message: `Revoked ${count(progress.revoked)} of ${count(progress.matched)} session${progress.matched === 1 ? '' : 's'}` };
}
