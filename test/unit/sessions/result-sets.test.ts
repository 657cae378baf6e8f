import { describe, expect, it } from 'vitest';
import { createResultSets, ResultSet, sessionRow } from '../../../electron/core/sessions/result-sets';

const ORIGIN = { server: 'prod', filter: {} };
import type { Session } from '../../../electron/core/sessions/scan';

function session(n: number, extra: Partial<Session> = {}): Session {
  const created = Date.UTC(2025, 0, 1) * 1000 + n * 1_000_000;
  return {
    id: n.toString(16).padStart(64, '0'),
    userId: `user-${n % 7}`,
    deviceId: `device-${n}`,
    createdAt: new Date(created / 1000).toISOString(),
    expiresAt: new Date(created / 1000 + 3_600_000).toISOString(),
    createdAtMicros: created,
    expiresAtMicros: created + 3_600_000_000,
    metadata: { device_type: 'wearable', os: n % 2 === 0 ? 'wearOS' : 'watchOS', app_version: { major: 2 } },
    ttlSeconds: 3600,
    ...extra,
  };
}

describe('search result sets', () => {
  it('turns a session into a table row: ids, times, ttl and the three metadata columns as text', () => {
    expect(sessionRow(session(2))).toEqual({
      id: session(2).id,
      userId: 'user-2',
      deviceId: 'device-2',
      createdAt: session(2).createdAt,
      expiresAt: session(2).expiresAt,
      ttlSeconds: 3600,
      deviceType: 'wearable',
      os: 'wearOS',
      appVersion: '{"major":2}',
    });
    expect(sessionRow(session(3, { metadata: {} }))).not.toHaveProperty('os');
  });

  it('pages rows in the order found, drops repeated sessions (SCAN repeats keys) and counts them once', () => {
    const set = new ResultSet('r', 1_000, ORIGIN);
    set.add([session(1), session(2), session(3)]);
    set.add([session(2), session(4)]);
    expect(set.page(0, 10).rows.map((row) => row.deviceId)).toEqual(['device-1', 'device-2', 'device-3', 'device-4']);
    expect(set.page(1, 2)).toMatchObject({ total: 4, complete: false, truncated: false, rows: [{ deviceId: 'device-2' }, { deviceId: 'device-3' }] });
    expect(set.page(10, 5).rows).toEqual([]);
  });

  it('sorts on request, both ways, with the id as a tie-breaker, and re-sorts when rows arrive', () => {
    const set = new ResultSet('r', 1_000, ORIGIN);
    set.add([session(3), session(1), session(2)]);
    expect(set.page(0, 3, { by: 'createdAt', direction: 'desc' }).rows.map((row) => row.deviceId)).toEqual(['device-3', 'device-2', 'device-1']);
    expect(set.page(0, 3, { by: 'deviceId', direction: 'asc' }).rows.map((row) => row.deviceId)).toEqual(['device-1', 'device-2', 'device-3']);
    set.add([session(9)]);
    expect(set.page(0, 1, { by: 'createdAt', direction: 'desc' }).rows[0]?.deviceId).toBe('device-9');
    // user-1 (session 1) and user-2 (sessions 2 and 9): equal users keep id order.
    expect(set.page(0, 4, { by: 'userId', direction: 'asc' }).rows.map((row) => row.deviceId)).toEqual(['device-1', 'device-2', 'device-9', 'device-3']);
  });

  it('stops at the row limit and says the result is truncated', () => {
    const set = new ResultSet('r', 3, ORIGIN);
    expect(set.add([session(1), session(2)])).toBe(true);
    expect(set.add([session(3), session(4), session(5)])).toBe(false);
    expect(set.summary()).toEqual({ resultId: 'r', total: 3, complete: false, truncated: true, problems: 0, users: 3, devices: 3 });
    // A result cut at its limit is not what "revoke these sessions" may act on.
    set.complete = true;
    expect(() => set.finishedIds()).toThrow(expect.objectContaining({ kind: 'Conflict', message: expect.stringContaining('row limit') }));
  });

  it('counts the users and devices of its rows, gives its ids once finished, and exports rows with their whole metadata', () => {
    const set = new ResultSet('r', 1_000, ORIGIN);
    set.add([session(1), session(2), session(3), session(9)]);
    expect(set.summary()).toMatchObject({ total: 4, users: 3, devices: 4 });
    expect(() => set.finishedIds()).toThrow(expect.objectContaining({ kind: 'Conflict', message: expect.stringContaining('still running') }));
    set.complete = true;
    expect(set.finishedIds()).toEqual([session(1), session(2), session(3), session(9)].map((s) => s.id));
    const [first] = set.exportRows();
    expect(first).toEqual({ id: session(1).id, user_id: 'user-1', device_id: 'device-1', created_at: session(1).createdAt, expires_at: session(1).expiresAt, ttl_seconds: session(1).ttlSeconds, metadata: session(1).metadata });
  });

  it('keeps the most recently used sets, refuses bad pages, and says when results are gone', () => {
    const sets = createResultSets({ maxSets: 2 });
    sets.open('a', ORIGIN).add([session(1)]);
    sets.open('b', ORIGIN).add([session(2)]);
    sets.page('a', 0, 1);
    sets.open('c', ORIGIN);
    expect(() => sets.page('b', 0, 1)).toThrow(/no longer kept/);
    expect(sets.page('a', 0, 1).rows).toHaveLength(1);
    expect(() => sets.page('a', -1, 1)).toThrow(expect.objectContaining({ kind: 'InvalidInput' }));
    expect(() => sets.page('a', 0, 501)).toThrow(expect.objectContaining({ kind: 'InvalidInput' }));
    expect(sets.release('a')).toBe(true);
    expect(() => sets.page('a', 0, 1)).toThrow(expect.objectContaining({ kind: 'NotFound' }));
  });
});
