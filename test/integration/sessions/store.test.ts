import { beforeEach, describe, expect, it } from 'vitest';
import { seedCreateSession, seedValidateSession } from '../../harness/seed-session-server';
import { openTestStore, redisStoreSuite } from './support';

describe('session store on a real redis-server', () => {
  const suite = redisStoreSuite();
  beforeEach(async () => {
    await suite.t.raw.flushdb();
    suite.t.audit.length = 0;
  });

  it('creates a session in the seed schema that the seed server validates', async () => {
    const created = await suite.t.store.create({ userId: 'user-1', deviceId: 'watch-1', ttlHours: 2, metadata: { device_type: 'wearable', os: 'wearOS' } });
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const hash = await suite.t.raw.hgetall(`session:${created.id}`);
    expect(Object.keys(hash).sort()).toEqual(['created_at', 'device_id', 'expires_at', 'metadata', 'user_id']);
    expect(hash.expires_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
    expect(JSON.parse(hash.metadata!)).toEqual({ device_type: 'wearable', os: 'wearOS' });
    const ttl = await suite.t.raw.ttl(`session:${created.id}`);
    expect(ttl).toBeGreaterThan(7100);
    expect(ttl).toBeLessThanOrEqual(7200);
    expect(await seedValidateSession(suite.t.raw, created.token)).toEqual({ userId: 'user-1', deviceId: 'watch-1', metadata: { device_type: 'wearable', os: 'wearOS' } });
    expect(await suite.t.store.validate(created.token)).toMatchObject({ valid: true, session: { userId: 'user-1', deviceId: 'watch-1' } });
    expect(suite.t.audit).toEqual([expect.objectContaining({ kind: 'session.create', sessionIds: [created.id], count: 1 })]);
  });

  it('defaults to a 24 hour TTL and gives every session a fresh 32-byte token', async () => {
    const a = await suite.t.store.create({ userId: 'u', deviceId: 'd' });
    const b = await suite.t.store.create({ userId: 'u', deviceId: 'd' });
    expect(a.token).not.toBe(b.token);
    expect(Buffer.from(a.token, 'base64url')).toHaveLength(32);
    expect(await suite.t.raw.ttl(`session:${a.id}`)).toBeGreaterThan(24 * 3600 - 5);
  });

  it('finds, extends and revokes sessions the seed server wrote without indexes', async () => {
    const a = await seedCreateSession(suite.t.raw, { userId: 'u', deviceId: 'phone', metadata: { os: 'iOS' } });
    expect(await suite.t.store.validate(a.token)).toMatchObject({ valid: true, session: { id: a.id, metadata: { os: 'iOS' } } });
    const before = await suite.t.raw.hget(`session:${a.id}`, 'expires_at');
    const extended = await suite.t.store.extend({ token: a.token }, 1);
    expect(extended.extended).toBe(true);
    const after = await suite.t.raw.hget(`session:${a.id}`, 'expires_at');
    expect(Date.parse(after!) - Date.parse(before!)).toBe(3_600_000);
    expect(await suite.t.raw.ttl(`session:${a.id}`)).toBeGreaterThan(25 * 3600 - 5);
    expect(await seedValidateSession(suite.t.raw, a.token)).toBeDefined();
    expect(await suite.t.store.revoke({ token: a.token })).toMatchObject({ revoked: true, userId: 'u', deviceId: 'phone' });
    expect(await seedValidateSession(suite.t.raw, a.token)).toBeUndefined();
    expect(await suite.t.store.revoke({ token: a.token })).toMatchObject({ revoked: false });
    expect(suite.t.audit.map((e) => [e.kind, e.count])).toEqual([
      ['session.extend', 1],
      ['session.revoke', 1],
      ['session.revoke', 0],
    ]);
  });

  it('revokes one session by id and removes its index entries', async () => {
    const a = await suite.t.store.create({ userId: 'u', deviceId: 'd' });
    expect(await suite.t.raw.zcard('latchkey:session:user:u')).toBe(1);
    expect(await suite.t.store.revoke({ id: a.id.toUpperCase() })).toMatchObject({ revoked: true });
    expect(await suite.t.raw.exists('latchkey:session:user:u', 'latchkey:session:device:d')).toBe(0);
    await expect(suite.t.store.get(a.id)).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('treats unknown, expired and malformed sessions as invalid and counts each failure per hour', async () => {
    const expired = await seedCreateSession(suite.t.raw, { userId: 'u', deviceId: 'd', now: new Date(Date.now() - 3 * 3600_000), ttlHours: 1 });
    // The server set a TTL that already ran out: make the key linger as if expiry had not run yet.
    await suite.t.raw.persist(`session:${expired.id}`);
    const broken = await seedCreateSession(suite.t.raw, { userId: 'u', deviceId: 'd' });
    await suite.t.raw.hset(`session:${broken.id}`, 'expires_at', 'next tuesday');
    const noUser = await seedCreateSession(suite.t.raw, { userId: 'u', deviceId: 'd' });
    await suite.t.raw.hdel(`session:${noUser.id}`, 'user_id');
    const badMeta = await seedCreateSession(suite.t.raw, { userId: 'u', deviceId: 'd' });
    await suite.t.raw.hset(`session:${badMeta.id}`, 'metadata', '[1,2]');

    expect(await suite.t.store.validate('not-a-token')).toEqual({ valid: false, reason: 'unknown' });
    expect(await suite.t.store.validate(expired.token)).toEqual({ valid: false, reason: 'expired' });
    expect(await suite.t.store.validate(broken.token)).toEqual({ valid: false, reason: 'malformed' });
    expect(await suite.t.store.validate(noUser.token)).toEqual({ valid: false, reason: 'malformed' });
    expect(await suite.t.store.validate(badMeta.token)).toEqual({ valid: false, reason: 'malformed' });
    // The seed server agrees on each of them.
    for (const s of [expired, broken, noUser]) expect(await seedValidateSession(suite.t.raw, s.token)).toBeUndefined();

    const stats = await suite.t.store.stats({ hours: 2 });
    expect(stats.failedValidationsPerHour.at(-1)!.count).toBe(5);
    expect(stats.failedValidationsPerHour[0]!.count).toBe(0);
    const hourKey = `latchkey:session:failed:${new Date().toISOString().slice(0, 13)}`;
    expect(await suite.t.raw.get(hourKey)).toBe('5');
    expect(await suite.t.raw.ttl(hourKey)).toBeGreaterThan(7 * 24 * 3600);
  });

  it('extends only valid sessions: expired, unknown and revoked ones fail', async () => {
    const expired = await seedCreateSession(suite.t.raw, { userId: 'u', deviceId: 'd', now: new Date(Date.now() - 3 * 3600_000), ttlHours: 1 });
    await suite.t.raw.persist(`session:${expired.id}`);
    expect(await suite.t.store.extend({ token: expired.token }, 5)).toEqual({ extended: false, reason: 'expired' });
    expect(await suite.t.store.extend({ token: 'nope' }, 5)).toEqual({ extended: false, reason: 'unknown' });
    const live = await suite.t.store.create({ userId: 'u', deviceId: 'd' });
    await suite.t.store.revoke({ id: live.id });
    expect(await suite.t.store.extend({ token: live.token }, 5)).toEqual({ extended: false, reason: 'unknown' });
    expect(await suite.t.raw.exists(`session:${live.id}`)).toBe(0);
    await expect(suite.t.store.extend({ token: live.token }, 0)).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(suite.t.store.extend({ token: live.token }, Number.NaN)).rejects.toMatchObject({ kind: 'InvalidInput' });
  });

  it('refuses bad input with InvalidInput and writes nothing', async () => {
    await expect(suite.t.store.create({ userId: '', deviceId: 'd' })).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('user id') });
    await expect(suite.t.store.create({ userId: 'u', deviceId: 'd\n2' })).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(suite.t.store.create({ userId: 'u', deviceId: 'd', ttlHours: -1 })).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(suite.t.store.get('abc')).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(suite.t.store.revoke({ token: '  \n' })).rejects.toMatchObject({ kind: 'InvalidInput' });
    expect(await suite.t.raw.dbsize()).toBe(0);
  });

  it('works in the database and under the prefix the connection names', async () => {
    const other = await openTestStore({ url: `${suite.server.url}/3`, prefix: 'hf:sess:' });
    try {
      const created = await other.store.create({ userId: 'u', deviceId: 'd' });
      expect(await suite.t.raw.dbsize()).toBe(0);
      await other.raw.select(3);
      expect(await other.raw.type(`hf:sess:${created.id}`)).toBe('hash');
      expect(await other.raw.exists('latchkey:hf:sess:user:u')).toBe(1);
      expect(await seedValidateSession(other.raw, created.token, 'hf:sess:')).toBeDefined();
      expect(await other.store.revokeUser('u')).toMatchObject({ revoked: 1 });
      await other.raw.flushdb();
    } finally {
      await other.close();
    }
  });

  it('never puts a token in a log line, an audit event or an error message (canary)', async () => {
    const created = await suite.t.store.create({ userId: 'canary-user', deviceId: 'canary-device', metadata: { os: 'x' } });
    const seeded = await seedCreateSession(suite.t.raw, { userId: 'canary-user', deviceId: 'canary-device' });
    const messages: string[] = [];
    await suite.t.store.validate(created.token);
    await suite.t.store.validate(`${created.token}x`);
    await suite.t.store.extend({ token: seeded.token }, 1);
    const revoked = await suite.t.store.revoke({ token: created.token });
    expect(revoked.revoked).toBe(true);
    for (const attempt of [() => suite.t.store.extend({ token: created.token }, -5), () => suite.t.store.get(created.token)]) {
      await attempt().then(
        () => undefined,
        (error: Error) => messages.push(error.message, String(error.stack)),
      );
    }
    await suite.t.store.revokeUser('canary-user');
    const haystack = [...suite.t.logs, ...suite.t.audit.map((event) => JSON.stringify(event)), ...messages].join('\n');
    expect(messages.length).toBeGreaterThan(0);
    expect(suite.t.logs.length).toBeGreaterThan(0);
    for (const token of [created.token, seeded.token]) expect(haystack).not.toContain(token);
  });
});
