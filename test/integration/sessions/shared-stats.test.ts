import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { refreshIntervalMs } from '../../../electron/core/sessions/shared-stats';
import { startRedis, type RedisServer } from '../../harness/redis';
import { seedCreateSession } from '../../harness/seed-session-server';
import { openTestStore, type TestStore } from './support';

/**
 * The dashboard must not hammer a production Redis: one walk at a time per session server, whoever
 * asks (two windows of one app, two apps, the CLI), the counts shared through Redis, and refreshes
 * spaced by how long a walk takes. Counted with Redis' own command counters (SCAN runs once per walk
 * step, inside the script or not).
 */
describe('the shared dashboard walk (real redis-server)', () => {
  let server: RedisServer;
  let raw: Redis;
  let one: TestStore;
  let other: TestStore;
  beforeAll(async () => {
    server = await startRedis();
    raw = new Redis(server.url);
    await Promise.all(Array.from({ length: 400 }, (_, i) => seedCreateSession(raw, { userId: `u${i % 9}`, deviceId: `d${i}`, metadata: { device_type: i % 2 === 0 ? 'phone' : 'wearable' } })));
    // Two stores: two apps (or an app and the CLI) administering the same session server.
    one = await openTestStore({ url: server.url }, { batchSize: 50 });
    other = await openTestStore({ url: server.url }, { batchSize: 50 });
  });
  afterAll(async () => {
    raw?.disconnect();
    await one?.close();
    await other?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    await raw.del('latchkey:session:stats:last', 'latchkey:session:stats:walk');
    await raw.config('RESETSTAT');
  });

  const scans = async () => Number(/cmdstat_scan:calls=(\d+)/.exec(await raw.info('commandstats'))?.[1] ?? 0);
  /** One walk's SCAN steps vary by a step or two (Redis rehashes its table); a second walk would double them. */
  const oneWalk = (perWalk: number) => expect.toSatisfy((n: number) => n >= perWalk - 2 && n <= perWalk + 2);

  it('runs one walk for callers of one app at the same time, and one for two apps', async () => {
    const alone = await one.store.dashboard({ reuse: 'now' });
    const perWalk = await scans();
    expect(perWalk).toBeGreaterThan(5);
    expect(alone).toMatchObject({ activeSessions: 400, shared: false, countedOn: 'server', byDeviceType: { phone: 200, wearable: 200 } });

    await raw.config('RESETSTAT');
    const sameApp = await Promise.all([one.store.dashboard({ reuse: 'now' }), one.store.dashboard({ reuse: 'now' }), one.store.dashboard({ reuse: 'now' })]);
    expect(await scans()).toEqual(oneWalk(perWalk));
    expect(new Set(sameApp.map((stats) => stats.computedAt)).size).toBe(1);
    expect(sameApp.map((stats) => stats.shared)).toEqual([false, true, true]);

    await raw.config('RESETSTAT');
    // The other app asks while the first one's walk is under way (after its first step).
    const waited: string[] = [];
    let second: Promise<Awaited<ReturnType<typeof other.store.dashboard>>> | undefined;
    const first = await one.store.dashboard({ reuse: 'now', onProgress: () => void (second ??= other.store.dashboard({ reuse: 'now', onWaiting: () => waited.push('other') })) });
    const waiting = await second!;
    expect(await scans()).toEqual(oneWalk(perWalk));
    expect(waiting.computedAt).toBe(first.computedAt);
    expect(waiting).toMatchObject({ shared: true, activeSessions: 400 });
    expect(waited).toEqual(['other']);
  });

  it('reuses the last counts until a refresh is due, which grows with how long the walk took', async () => {
    const first = await one.store.dashboard({ reuse: 'due' });
    await raw.config('RESETSTAT');
    const again = await other.store.dashboard({ reuse: 'due', hours: 6 });
    expect(await scans()).toBe(0);
    expect(again).toMatchObject({ computedAt: first.computedAt, shared: true, activeSessions: 400 });
    expect(again.createdPerHour).toHaveLength(6);
    expect(again.failedValidationsPerHour).toHaveLength(6);
    expect(Date.parse(first.nextRefreshAt) - Date.parse(first.computedAt)).toBe(refreshIntervalMs(first.tookMs));
    expect(refreshIntervalMs(1_000)).toBe(30_000);
    expect(refreshIntervalMs(25_000)).toBe(500_000);
    expect(refreshIntervalMs(600_000)).toBe(1_800_000);
    // Asking now walks again.
    await other.store.dashboard({ reuse: 'now' });
    expect(await scans()).toBeGreaterThan(0);
  });

  it('a caller that gives up does not stop the walk another caller waits for', async () => {
    const controller = new AbortController();
    const giving = one.store.dashboard({ reuse: 'now', signal: controller.signal, onProgress: () => controller.abort() });
    const staying = one.store.dashboard({ reuse: 'now' });
    await expect(giving).rejects.toMatchObject({ kind: 'Cancelled' });
    expect(await staying).toMatchObject({ activeSessions: 400 });
  });

  it('ignores shared counts that are not in the expected form, and walks', async () => {
    await raw.set('latchkey:session:stats:last', JSON.stringify({ v: 1, computedAt: new Date().toISOString(), stats: { activeSessions: -5 } }));
    const stats = await one.store.dashboard({ reuse: 'due' });
    expect(stats).toMatchObject({ activeSessions: 400, shared: false });
    expect(one.logs.some((line) => line.includes('not in the expected form'))).toBe(true);
  });

  it('works for an ACL user that may not write latchkey:* keys (walks shared within the app only)', async () => {
    await raw.call('ACL', 'SETUSER', 'reader', 'on', '>reader-pw', '~session:*', '%R~latchkey:*', '&*', '+@all');
    const reader = await openTestStore({ url: `redis://reader@127.0.0.1:${server.port}` }, { batchSize: 50 }, 'reader-pw');
    try {
      expect(await reader.store.dashboard({ reuse: 'now' })).toMatchObject({ activeSessions: 400, shared: false });
      expect(reader.logs.some((line) => line.includes('shared within this app only'))).toBe(true);
      expect(await raw.exists('latchkey:session:stats:last')).toBe(0);
    } finally {
      await reader.close();
    }
  });
});
