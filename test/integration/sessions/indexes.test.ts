import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../harness/redis';
import { seedCreateSession, seedRevokeOwner } from '../../harness/seed-session-server';
import { openTestStore, type TestStore } from './support';

describe('per-user and per-device indexes on a real redis-server', () => {
  let server: RedisServer;
  let t: TestStore;
  beforeAll(async () => {
    server = await startRedis();
    t = await openTestStore({ url: server.url });
  });
  afterAll(async () => {
    await t?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    await t.raw.flushdb();
    t.audit.length = 0;
  });

  it('keeps index keys outside the prefix, so the seed server’s own scan-and-HGETALL revocation still works', async () => {
    await t.store.create({ userId: 'u', deviceId: 'd' });
    await t.store.create({ userId: 'u', deviceId: 'd2' });
    const underPrefix = await t.raw.keys('session:*');
    for (const key of underPrefix) expect(await t.raw.type(key)).toBe('hash');
    expect(await seedRevokeOwner(t.raw, 'user_id', 'u')).toBe(2);
  });

  it('scores entries by expiry and expires the index key with its last session', async () => {
    const short = await t.store.create({ userId: 'u', deviceId: 'd', ttlHours: 1 });
    const long = await t.store.create({ userId: 'u', deviceId: 'd', ttlHours: 5 });
    const scores = await t.raw.zrange('latchkey:session:user:u', '0', '-1', 'WITHSCORES');
    expect(scores).toEqual([`${short.id}:d`, String(Math.floor(short.expiresAtMicros / 1000)), `${long.id}:d`, String(Math.floor(long.expiresAtMicros / 1000))]);
    const indexExpiry = await t.raw.pexpiretime('latchkey:session:user:u');
    expect(indexExpiry).toBe(Math.floor(long.expiresAtMicros / 1000));
  });

  it('leaves no ghosts when sessions expire or are deleted by someone else', async () => {
    const kept = await t.store.create({ userId: 'u', deviceId: 'd' });
    const deletedByServer = await t.store.create({ userId: 'u', deviceId: 'd' });
    const expiring = await t.store.create({ userId: 'u', deviceId: 'd' });
    await t.raw.del(`session:${deletedByServer.id}`);
    await t.raw.pexpire(`session:${expiring.id}`, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));

    for (const strategy of ['index', 'both'] as const) {
      const byUser = await t.store.listByUser('u', { strategy });
      expect(byUser.sessions.map((s) => s.id)).toEqual([kept.id]);
      const byDevice = await t.store.listByDevice('d', { strategy });
      expect(byDevice.sessions.map((s) => s.id)).toEqual([kept.id]);
    }
    // The reads pruned the ghosts from both indexes.
    expect(await t.raw.zrange('latchkey:session:user:u', '0', '-1')).toEqual([`${kept.id}:d`]);
    expect(await t.raw.zrange('latchkey:session:device:d', '0', '-1')).toEqual([`${kept.id}:u`]);
    // And revocation counts only what really ended.
    expect(await t.store.revokeUser('u', { strategy: 'index' })).toMatchObject({ revoked: 1 });
  });

  it('repairs the score of a session the server extended behind the index’s back', async () => {
    const session = await t.store.create({ userId: 'u', deviceId: 'd', ttlHours: 1 });
    const later = new Date(Date.now() + 10 * 3600_000);
    await t.raw.hset(`session:${session.id}`, 'expires_at', later.toISOString().replace('Z', '000+00:00'));
    await t.raw.pexpireat(`session:${session.id}`, later.getTime());
    const listed = await t.store.listByUser('u', { strategy: 'index' });
    expect(listed.sessions.map((s) => s.id)).toEqual([session.id]);
    expect(Number(await t.raw.zscore('latchkey:session:user:u', `${session.id}:d`))).toBe(later.getTime());
    expect(Number(await t.raw.zscore('latchkey:session:device:d', `${session.id}:u`))).toBe(later.getTime());
  });

  it('finds unindexed sessions only by scan, and indexes them on request', async () => {
    const seeded = [
      await seedCreateSession(t.raw, { userId: 'alice', deviceId: 'ring' }),
      await seedCreateSession(t.raw, { userId: 'alice', deviceId: 'phone' }),
      await seedCreateSession(t.raw, { userId: 'bob', deviceId: 'ring2' }),
    ];
    await t.raw.set('session:not-a-hash', 'x');
    expect((await t.store.listByUser('alice', { strategy: 'index' })).sessions).toEqual([]);
    expect((await t.store.listByUser('alice', { strategy: 'scan' })).sessions).toHaveLength(2);

    const progress: number[] = [];
    const result = await t.store.indexExisting({ onProgress: (p) => progress.push(p.scannedKeys) });
    expect(result.indexed).toBe(3);
    expect(result.problems).toEqual([expect.objectContaining({ key: 'session:not-a-hash' })]);
    expect(progress.at(-1)).toBe(4);
    expect(t.audit.at(-1)).toMatchObject({ kind: 'session.index', count: 3, outcome: 'complete' });

    const viaIndex = await t.store.listByUser('alice', { strategy: 'index' });
    expect(viaIndex.sessions.map((s) => s.id).sort()).toEqual([seeded[0]!.id, seeded[1]!.id].sort());
    expect((await t.store.listByDevice('ring2', { strategy: 'index' })).sessions.map((s) => s.userId)).toEqual(['bob']);
    // Indexing twice adds nothing.
    await t.store.indexExisting();
    expect(await t.raw.zcard('latchkey:session:user:alice')).toBe(2);
  });

  it('never revokes another owner’s session through a wrong index entry', async () => {
    const victim = await t.store.create({ userId: 'victim', deviceId: 'v-phone' });
    // An entry filed under "intruder" that names the victim's session (a bug, or a hand-edited index).
    await t.raw.zadd('latchkey:session:user:intruder', Date.now() + 3600_000, `${victim.id}:v-phone`);
    expect(await t.store.revokeUser('intruder', { strategy: 'index' })).toMatchObject({ revoked: 0 });
    expect(await t.store.validate(victim.token)).toMatchObject({ valid: true });
    expect(await t.raw.exists('latchkey:session:user:intruder')).toBe(0);
    expect((await t.store.listByUser('intruder', { strategy: 'index' })).sessions).toEqual([]);
  });

  it('uses the store’s default strategy when a call does not name one', async () => {
    const indexOnly = await openTestStore({ url: server.url }, { defaultStrategy: 'index' });
    try {
      await seedCreateSession(t.raw, { userId: 'erin', deviceId: 'tab' });
      await indexOnly.store.create({ userId: 'erin', deviceId: 'tab' });
      expect((await indexOnly.store.listByUser('erin')).sessions).toHaveLength(1);
      expect(await indexOnly.store.revokeDevice('tab')).toMatchObject({ revoked: 1, strategy: 'index' });
      expect(await t.store.revokeDevice('tab')).toMatchObject({ revoked: 1, viaScan: 1, strategy: 'both' });
    } finally {
      await indexOnly.close();
    }
  });

  it('revokes a user through the index alone in a few round trips, cleaning the device indexes too', async () => {
    for (let i = 0; i < 5; i += 1) await t.store.create({ userId: 'carol', deviceId: `dev-${i % 2}` });
    await t.store.create({ userId: 'dave', deviceId: 'dev-0' });
    await t.raw.config('RESETSTAT');
    const result = await t.store.revokeUser('carol', { strategy: 'index' });
    const stats = await t.raw.info('commandstats');
    const calls = (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    expect(result).toMatchObject({ revoked: 5, viaIndex: 5, viaScan: 0 });
    // One ZRANGE, one script call per session, the index clean-up; no keyspace walk at all.
    expect(calls('zrange')).toBe(1);
    expect(calls('evalsha') + calls('eval')).toBe(5);
    expect(calls('zrem')).toBe(10);
    expect(calls('scan')).toBe(0);
    expect(await t.raw.exists('latchkey:session:user:carol')).toBe(0);
    expect(await t.raw.zrange('latchkey:session:device:dev-0', '0', '-1')).toHaveLength(1);
    expect((await t.store.listByDevice('dev-0')).sessions.map((s) => s.userId)).toEqual(['dave']);
  });
});
