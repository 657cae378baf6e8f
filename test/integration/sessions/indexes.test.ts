import { beforeEach, describe, expect, it } from 'vitest';
import { seedCreateSession, seedRevokeOwner } from '../../harness/seed-session-server';
import { openTestStore, redisStoreSuite } from './support';

describe('per-user and per-device indexes on a real redis-server', () => {
  const suite = redisStoreSuite();
  beforeEach(async () => {
    await suite.t.raw.flushdb();
    suite.t.audit.length = 0;
  });

  it('keeps index keys outside the prefix, so the seed server’s own scan-and-HGETALL revocation still works', async () => {
    await suite.t.store.create({ userId: 'u', deviceId: 'd' });
    await suite.t.store.create({ userId: 'u', deviceId: 'd2' });
    const underPrefix = await suite.t.raw.keys('session:*');
    for (const key of underPrefix) expect(await suite.t.raw.type(key)).toBe('hash');
    expect(await seedRevokeOwner(suite.t.raw, 'user_id', 'u')).toBe(2);
  });

  it('scores entries by expiry and expires the index key with its last session', async () => {
    const short = await suite.t.store.create({ userId: 'u', deviceId: 'd', ttlHours: 1 });
    const long = await suite.t.store.create({ userId: 'u', deviceId: 'd', ttlHours: 5 });
    const scores = await suite.t.raw.zrange('latchkey:session:user:u', '0', '-1', 'WITHSCORES');
    expect(scores).toEqual([`${short.id}:d`, String(Math.floor(short.expiresAtMicros / 1000)), `${long.id}:d`, String(Math.floor(long.expiresAtMicros / 1000))]);
    const indexExpiry = await suite.t.raw.pexpiretime('latchkey:session:user:u');
    expect(indexExpiry).toBe(Math.floor(long.expiresAtMicros / 1000));
  });

  it('leaves no ghosts when sessions expire or are deleted by someone else', async () => {
    const kept = await suite.t.store.create({ userId: 'u', deviceId: 'd' });
    const deletedByServer = await suite.t.store.create({ userId: 'u', deviceId: 'd' });
    const expiring = await suite.t.store.create({ userId: 'u', deviceId: 'd' });
    await suite.t.raw.del(`session:${deletedByServer.id}`);
    await suite.t.raw.pexpire(`session:${expiring.id}`, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));

    for (const strategy of ['index', 'both'] as const) {
      const byUser = await suite.t.store.listByUser('u', { strategy });
      expect(byUser.sessions.map((s) => s.id)).toEqual([kept.id]);
      const byDevice = await suite.t.store.listByDevice('d', { strategy });
      expect(byDevice.sessions.map((s) => s.id)).toEqual([kept.id]);
    }
    // The reads pruned the ghosts from both indexes.
    expect(await suite.t.raw.zrange('latchkey:session:user:u', '0', '-1')).toEqual([`${kept.id}:d`]);
    expect(await suite.t.raw.zrange('latchkey:session:device:d', '0', '-1')).toEqual([`${kept.id}:u`]);
    // And revocation counts only what really ended.
    expect(await suite.t.store.revokeUser('u', { strategy: 'index' })).toMatchObject({ revoked: 1 });
  });

  it('repairs the score of a session the server extended behind the index’s back', async () => {
    const session = await suite.t.store.create({ userId: 'u', deviceId: 'd', ttlHours: 1 });
    const later = new Date(Date.now() + 10 * 3600_000);
    await suite.t.raw.hset(`session:${session.id}`, 'expires_at', later.toISOString().replace('Z', '000+00:00'));
    await suite.t.raw.pexpireat(`session:${session.id}`, later.getTime());
    const listed = await suite.t.store.listByUser('u', { strategy: 'index' });
    expect(listed.sessions.map((s) => s.id)).toEqual([session.id]);
    expect(Number(await suite.t.raw.zscore('latchkey:session:user:u', `${session.id}:d`))).toBe(later.getTime());
    expect(Number(await suite.t.raw.zscore('latchkey:session:device:d', `${session.id}:u`))).toBe(later.getTime());
  });

  it('finds unindexed sessions only by scan, and indexes them on request', async () => {
    const seeded = [
      await seedCreateSession(suite.t.raw, { userId: 'alice', deviceId: 'ring' }),
      await seedCreateSession(suite.t.raw, { userId: 'alice', deviceId: 'phone' }),
      await seedCreateSession(suite.t.raw, { userId: 'bob', deviceId: 'ring2' }),
    ];
    await suite.t.raw.set('session:not-a-hash', 'x');
    expect((await suite.t.store.listByUser('alice', { strategy: 'index' })).sessions).toEqual([]);
    expect((await suite.t.store.listByUser('alice', { strategy: 'scan' })).sessions).toHaveLength(2);

    const progress: number[] = [];
    const result = await suite.t.store.indexExisting({ onProgress: (p) => progress.push(p.scannedKeys) });
    expect(result.indexed).toBe(3);
    expect(result.problems).toEqual([expect.objectContaining({ key: 'session:not-a-hash' })]);
    expect(progress.at(-1)).toBe(4);
    expect(suite.t.audit.at(-1)).toMatchObject({ kind: 'session.index', count: 3, outcome: 'complete' });

    const viaIndex = await suite.t.store.listByUser('alice', { strategy: 'index' });
    expect(viaIndex.sessions.map((s) => s.id).sort()).toEqual([seeded[0]!.id, seeded[1]!.id].sort());
    expect((await suite.t.store.listByDevice('ring2', { strategy: 'index' })).sessions.map((s) => s.userId)).toEqual(['bob']);
    // Indexing twice adds nothing.
    await suite.t.store.indexExisting();
    expect(await suite.t.raw.zcard('latchkey:session:user:alice')).toBe(2);
  });

  it('never revokes another owner’s session through a wrong index entry', async () => {
    const victim = await suite.t.store.create({ userId: 'victim', deviceId: 'v-phone' });
    // An entry filed under "intruder" that names the victim's session (a bug, or a hand-edited index).
    await suite.t.raw.zadd('latchkey:session:user:intruder', Date.now() + 3600_000, `${victim.id}:v-phone`);
    expect(await suite.t.store.revokeUser('intruder', { strategy: 'index' })).toMatchObject({ revoked: 0 });
    expect(await suite.t.store.validate(victim.token)).toMatchObject({ valid: true });
    expect(await suite.t.raw.exists('latchkey:session:user:intruder')).toBe(0);
    expect((await suite.t.store.listByUser('intruder', { strategy: 'index' })).sessions).toEqual([]);
  });

  it('uses the store’s default strategy when a call does not name one', async () => {
    const indexOnly = await openTestStore({ url: suite.server.url }, { defaultStrategy: 'index' });
    try {
      await seedCreateSession(suite.t.raw, { userId: 'erin', deviceId: 'tab' });
      await indexOnly.store.create({ userId: 'erin', deviceId: 'tab' });
      expect((await indexOnly.store.listByUser('erin')).sessions).toHaveLength(1);
      expect(await indexOnly.store.revokeDevice('tab')).toMatchObject({ revoked: 1, strategy: 'index' });
      expect(await suite.t.store.revokeDevice('tab')).toMatchObject({ revoked: 1, viaScan: 1, strategy: 'both' });
    } finally {
      await indexOnly.close();
    }
  });

  it('revokes a user through the index alone in a few round trips, cleaning the device indexes too', async () => {
    for (let i = 0; i < 5; i += 1) await suite.t.store.create({ userId: 'carol', deviceId: `dev-${i % 2}` });
    await suite.t.store.create({ userId: 'dave', deviceId: 'dev-0' });
    await suite.t.raw.config('RESETSTAT');
    const result = await suite.t.store.revokeUser('carol', { strategy: 'index' });
    const stats = await suite.t.raw.info('commandstats');
    const calls = (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    expect(result).toMatchObject({ revoked: 5, viaIndex: 5, viaScan: 0 });
    // One ZRANGE, one script call per session, the index clean-up; no keyspace walk at all.
    expect(calls('zrange')).toBe(1);
    expect(calls('evalsha') + calls('eval')).toBe(5);
    expect(calls('zrem')).toBe(10);
    expect(calls('scan')).toBe(0);
    expect(await suite.t.raw.exists('latchkey:session:user:carol')).toBe(0);
    expect(await suite.t.raw.zrange('latchkey:session:device:dev-0', '0', '-1')).toHaveLength(1);
    expect((await suite.t.store.listByDevice('dev-0')).sessions.map((s) => s.userId)).toEqual(['dave']);
  });
});
