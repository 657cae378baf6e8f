import { describe, expect, it } from 'vitest';
import { revocationUpdate, scanUpdate, searchUpdate, throttle } from '../../../electron/main/handlers/sessions.progress';

describe('session walk progress as operation.progress events', () => {
  it('thins updates to one per interval and always delivers the last one on flush', () => {
    let now = 0;
    const sent: number[] = [];
    const updates = throttle((n: number) => sent.push(n), 100, () => now);
    for (let n = 1; n <= 10; n += 1) {
      updates.report(n);
      now += 30;
    }
    updates.flush();
    updates.flush();
    expect(sent).toEqual([1, 5, 9, 10]);
  });

  it('describes scans, searches and revocations without any value', () => {
    expect(scanUpdate({ scannedKeys: 1200, estimatedKeys: 1000 })).toEqual({ done: 1200, total: 1200, message: 'Scanned 1,200 keys' });
    expect(scanUpdate({ scannedKeys: 0, estimatedKeys: 0 })).toEqual({ done: 0, message: 'Scanned 0 keys' });
    expect(searchUpdate({ scannedKeys: 40_000, estimatedKeys: 1_000_000, found: 1 })).toEqual({ done: 40_000, total: 1_000_000, message: 'Scanned 40,000 keys · 1 session found' });
    expect(revocationUpdate({ phase: 'index', revoked: 3 })).toEqual({ done: 3, message: 'Revoked 3 sessions through the index' });
    expect(revocationUpdate({ phase: 'scan', revoked: 1, scannedKeys: 500, estimatedKeys: 2_000 })).toEqual({ done: 500, total: 2_000, message: 'Revoked 1 session · scanned 500 keys' });
  });
});
