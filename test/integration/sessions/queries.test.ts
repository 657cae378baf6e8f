import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../harness/redis';
import { seedCreateSession } from '../../harness/seed-session-server';
import { openTestStore, type TestStore } from './support';

/** Admin queries and analytics over a mixed keyspace: sessions from Latchkey, from the seed server, and junk. */
describe('admin queries and analytics on a real redis-server', () => {
  let server: RedisServer;
  let t: TestStore;
  const all: string[] = [];
  beforeAll(async () => {
    server = await startRedis();
    t = await openTestStore({ url: server.url }, { batchSize: 50 });
    const kinds = [
      { device_type: 'wearable', os: 'wearOS', app_version: '1.0.0' },
      { device_type: 'phone', os: 'iOS', app_version: '1.2.0' },
      { device_type: 'phone', os: 'Android', app_version: '1.2.0' },
    ];
    for (let i = 0; i < 300; i += 1) {
      const metadata = kinds[i % 3]!;
      const input = { userId: `user-${i % 30}`, deviceId: `device-${i % 100}`, metadata, ttlHours: i < 10 ? 0.5 : 24 };
      const session = Math.floor(i / 100) % 2 === 0 ? await t.store.create(input) : await seedCreateSession(t.raw, input);
      all.push(session.id);
    }
    await t.raw.set('session:wrong-type', 'x');
    await t.raw.hset(`session:${'f'.repeat(64)}`, { user_id: 'u', device_id: 'd', created_at: 'yesterday', expires_at: '2999-01-01T00:00:00+00:00' });
    await t.raw.set('unrelated:key', 'y');
  });
  afterAll(async () => {
    await t?.close();
    await server?.stop();
  });

  it('pages through every session exactly once, reporting junk instead of failing', async () => {
    const seen: string[] = [];
    const problems: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await t.store.page({ cursor, limit: 40 });
      seen.push(...page.sessions.map((s) => s.id));
      problems.push(...page.problems.map((p) => p.key));
      cursor = page.nextCursor;
      pages += 1;
      expect(pages).toBeLessThan(50);
    } while (cursor !== null);
    expect(pages).toBeGreaterThan(2);
    expect(seen.sort()).toEqual([...all].sort());
    expect(problems.sort()).toEqual([`session:${'f'.repeat(64)}`, 'session:wrong-type']);
  });

  it('streams with progress and stops when aborted', async () => {
    const progress: number[] = [];
    let batches = 0;
    const dbsize = await t.raw.dbsize();
    for await (const batch of t.store.stream({ onProgress: (p) => progress.push(p.scannedKeys) })) {
      batches += 1;
      expect(batch.progress.estimatedKeys).toBe(dbsize);
    }
    expect(batches).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(302);
    const controller = new AbortController();
    const aborted = (async () => {
      for await (const _batch of t.store.stream({ signal: controller.signal })) controller.abort();
    })();
    await expect(aborted).rejects.toMatchObject({ kind: 'Cancelled' });
  });

  it('finds sessions by metadata and by expiry', async () => {
    const wearables = await t.store.find({ metadata: { device_type: 'wearable' } });
    expect(wearables.sessions).toHaveLength(100);
    const ios12 = await t.store.find({ metadata: { os: 'iOS', app_version: '1.2.0' } });
    expect(ios12.sessions).toHaveLength(100);
    expect(ios12.sessions.every((s) => s.metadata.os === 'iOS')).toBe(true);
    const soon = await t.store.expiringSoon(3600);
    expect(soon.sessions).toHaveLength(10);
    const limited = await t.store.find({}, { limit: 25 });
    expect(limited.sessions).toHaveLength(25);
    expect(limited.truncated).toBe(true);
  });

  it('lists a user’s and a device’s sessions whoever wrote them', async () => {
    const user = await t.store.listByUser('user-7');
    expect(user.sessions).toHaveLength(10);
    expect(user.sessions.every((s) => s.userId === 'user-7')).toBe(true);
    const device = await t.store.listByDevice('device-42');
    expect(device.sessions).toHaveLength(3);
    // One of them (i = 142) was written by the seed server without an index.
    const indexedOnly = await t.store.listByDevice('device-42', { strategy: 'index' });
    expect(indexedOnly.sessions).toHaveLength(2);
  });

  it('computes analytics: by device type, OS and app version, created per hour', async () => {
    const stats = await t.store.stats({ hours: 3 });
    expect(stats.activeSessions).toBe(300);
    expect(stats.problems).toBe(2);
    expect(stats.byDeviceType).toEqual({ wearable: 100, phone: 200 });
    expect(stats.byOs).toEqual({ wearOS: 100, iOS: 100, Android: 100 });
    expect(stats.byAppVersion).toEqual({ '1.0.0': 100, '1.2.0': 200 });
    expect(stats.createdPerHour).toHaveLength(3);
    expect(stats.createdPerHour.reduce((sum, h) => sum + h.count, 0)).toBe(300);
    expect(stats.createdPerHour.at(-1)!.hour).toBe(new Date(Math.floor(Date.now() / 3600_000) * 3600_000).toISOString());
    expect(stats.expiringWithinHour).toBe(10);
  });
});
