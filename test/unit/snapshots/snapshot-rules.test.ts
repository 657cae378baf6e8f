import { describe, expect, it } from 'vitest';
import { whyNotUndone } from '../../../electron/core/snapshots/incident-undo';
import { snapshotsToPrune } from '../../../electron/core/snapshots/pruning';
import { newJournal, sameRestore } from '../../../electron/core/snapshots/restore-journal';
import { latchkeyMetadataOf } from '../../../electron/core/snapshots/snapshot-record';
import type { ReportItem } from '../../../shared/incident-report';

const DAY = 24 * 60 * 60 * 1000;
const now = new Date('2026-06-01T12:00:00Z');
const at = (daysAgo: number, index = 0) => ({ id: `s${index}`, created_at: new Date(now.getTime() - daysAgo * DAY - index * 1000).toISOString() });

describe('the retention rule of snapshots', () => {
  it('keeps the newest 50 and none older than 90 days, and says why it prunes each', () => {
    const snapshots = [...Array.from({ length: 55 }, (_, index) => at(1, index)), at(100, 60), at(91, 61)];
    const pruned = snapshotsToPrune(snapshots, now);
    expect(pruned).toEqual([
      { id: 's50', why: 'count' },
      { id: 's51', why: 'count' },
      { id: 's52', why: 'count' },
      { id: 's53', why: 'count' },
      { id: 's54', why: 'count' },
      { id: 's61', why: 'count' },
      { id: 's60', why: 'count' },
    ]);
    expect(snapshotsToPrune([at(10, 1), at(100, 2), at(95, 3)], now)).toEqual([
      { id: 's3', why: 'age' },
      { id: 's2', why: 'age' },
    ]);
  });

  it('always keeps the newest, and any snapshot an interrupted restore still needs', () => {
    expect(snapshotsToPrune([at(400, 1)], now)).toEqual([]);
    expect(snapshotsToPrune([at(1, 1), at(200, 2), at(300, 3)], now, { pinned: new Set(['s3']) })).toEqual([{ id: 's2', why: 'age' }]);
    expect(snapshotsToPrune([at(1, 1), at(2, 2), at(3, 3)], now, { retention: { count: 2, days: 90 } })).toEqual([{ id: 's3', why: 'count' }]);
  });
});

describe('incident undo: which rotated secrets are put back', () => {
  const item: ReportItem = { ref: 'file://p/e/K', project: 'p', environment: 'e', key: 'K', status: 'rotated', attempts: 1, version: '2', previous_version: '1' };

  it('a secret that was stored only is put back', () => {
    expect(whyNotUndone(item)).toBeUndefined();
  });

  it('a credential changed at its service (the item carries changed_at) never is, and the reason says why', () => {
    const atService = { ...item, changed_at: 'orders-postgres' } as ReportItem;
    expect(whyNotUndone(atService)).toBe('its credential was changed at orders-postgres; the old value may be the one that leaked, so it is not put back');
  });
});

describe('the restore journal', () => {
  it('recognises the same request whatever the order of its keys, and tells a different one apart', () => {
    const journal = newJournal({ target: { snapshot: '20260101T000000Z-00000000' }, keys: ['B', 'A'], delete: ['Y', 'X'], before_snapshot_id: '20260101T000001Z-00000001' }, now);
    expect(sameRestore(journal, { target: { snapshot: '20260101T000000Z-00000000' }, keys: ['A', 'B'], delete: ['X', 'Y'] })).toBe(true);
    expect(sameRestore(journal, { target: { snapshot: '20260101T000000Z-00000000' }, keys: ['A'], delete: ['X', 'Y'] })).toBe(false);
    expect(sameRestore(journal, { target: { snapshot: '20260101T000000Z-00000000' }, keys: ['A', 'B'], delete: 'all-new' })).toBe(false);
    expect(sameRestore(journal, { target: { at: '2026-01-01T00:00:00.000Z' }, keys: ['A', 'B'], delete: ['X', 'Y'] })).toBe(false);
  });
});

describe('what a snapshot keeps of metadata', () => {
  it("keeps Latchkey's own well-formed entries only (never a note, which a person may fill with anything)", () => {
    expect(latchkeyMetadataOf({ 'latchkey-rotation': 'password-32-p90', note: 'the password is hunter2', 'latchkey-odd': 'has spaces in it' })).toEqual({ 'latchkey-rotation': 'password-32-p90' });
    expect(latchkeyMetadataOf({ note: 'x' })).toBeUndefined();
  });
});
