import { createHash, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { seedCreateSession } from '../../harness/seed-session-server';
import { redisStoreSuite } from './support';

/** Redis data written by others that is not a usable session: reported and left alone, never crashed on. */
describe('keys of the wrong type and malformed fields under the prefix (real redis-server)', () => {
  const suite = redisStoreSuite();
  beforeEach(() => suite.t.raw.flushdb());

  const tokenAndId = () => {
    const token = randomBytes(32).toString('base64url');
    return { token, id: createHash('sha256').update(token).digest('hex') };
  };

  it('a hash under a session key name that holds none of the five fields is malformed, not unknown; a missing key is unknown', async () => {
    const other = tokenAndId();
    await suite.t.raw.hset(`session:${other.id}`, 'owner', 'another app');
    expect(await suite.t.store.validate(other.token)).toEqual({ valid: false, reason: 'malformed' });
    expect(await suite.t.store.validate(tokenAndId().token)).toEqual({ valid: false, reason: 'unknown' });
  });

  it('a string, list or set under a session key name is invalid, reported, and never deleted', async () => {
    const asString = tokenAndId();
    const asList = tokenAndId();
    await suite.t.raw.set(`session:${asString.id}`, 'some other app');
    await suite.t.raw.rpush(`session:${asList.id}`, 'a', 'b');
    // An index entry (as if written earlier) that now points at the string.
    await suite.t.raw.zadd('latchkey:session:user:mallory', Date.now() + 3600_000, `${asString.id}:dev`);
    const good = await suite.t.store.create({ userId: 'mallory', deviceId: 'dev' });

    expect(await suite.t.store.validate(asString.token)).toEqual({ valid: false, reason: 'malformed' });
    expect(await suite.t.store.revoke({ id: asList.id })).toMatchObject({ revoked: false });
    await expect(suite.t.store.extend({ token: asString.token }, 1)).resolves.toEqual({ extended: false, reason: 'malformed' });

    const listed = await suite.t.store.listByUser('mallory', { strategy: 'index' });
    expect(listed.sessions.map((s) => s.id)).toEqual([good.id]);
    expect(listed.problems).toEqual([expect.objectContaining({ id: asString.id, problem: expect.stringContaining('another Redis type') })]);

    const revoked = await suite.t.store.revokeUser('mallory');
    expect(revoked.revoked).toBe(1);
    expect(revoked.skipped).toEqual([expect.objectContaining({ id: asString.id, problem: expect.stringContaining('string') })]);
    expect(await suite.t.raw.type(`session:${asString.id}`)).toBe('string');
    expect(await suite.t.raw.type(`session:${asList.id}`)).toBe('list');

    const stats = await suite.t.store.stats();
    expect(stats.problems).toBe(2);
    expect(stats.activeSessions).toBe(0);
  });

  it('malformed fields are reported per key, naming the field but never its value', async () => {
    const cases: [string, (key: string) => Promise<unknown>][] = [
      ['expires_at is not an ISO 8601 timestamp', (key) => suite.t.raw.hset(key, 'expires_at', 'SECRET-CANARY-1')],
      ['created_at is not an ISO 8601 timestamp', (key) => suite.t.raw.hset(key, 'created_at', '2026-02-31T00:00:00+00:00')],
      ['metadata is not a JSON object', (key) => suite.t.raw.hset(key, 'metadata', '{"unterminated": SECRET-CANARY-2')],
      ['device_id is missing', (key) => suite.t.raw.hdel(key, 'device_id')],
      ['user_id is not a valid value', (key) => suite.t.raw.hset(key, 'user_id', '')],
    ];
    const keys: string[] = [];
    for (const [, breakIt] of cases) {
      const session = await seedCreateSession(suite.t.raw, { userId: 'u', deviceId: 'd' });
      const key = `session:${session.id}`;
      await breakIt(key);
      keys.push(key);
    }
    await suite.t.raw.hset('session:short-name', { user_id: 'u', device_id: 'd' });
    const page = await suite.t.store.page({ limit: 100 });
    expect(page.sessions).toEqual([]);
    const byKey = new Map(page.problems.map((p) => [p.key, p.problem]));
    cases.forEach(([problem], i) => expect(byKey.get(keys[i]!)).toContain(problem));
    expect(byKey.get('session:short-name')).toContain('key name is not the prefix');
    expect(JSON.stringify(page.problems)).not.toContain('SECRET-CANARY');
  });

  it('counts each session once even when Redis shrinks its table in the middle of a walk', async () => {
    // SCAN returns a key twice if the table is resized between calls (it shrinks after mass deletions,
    // in the server's cron). Slow walks after deleting 90% of the keys make that likely; 20 rounds make
    // it all but certain to happen at least once.
    const expires = new Date(Date.now() + 3600_000).toISOString().replace('Z', '000+00:00');
    const created = new Date().toISOString().replace('Z', '000+00:00');
    for (let round = 0; round < 20; round += 1) {
      await suite.t.raw.flushdb();
      const write = suite.t.raw.pipeline();
      for (let i = 0; i < 3300; i += 1) {
        write.hset(`session:${createHash('sha256').update(`${round}-${i}`).digest('hex')}`, { user_id: 'u', device_id: 'd', created_at: created, expires_at: expires, metadata: '{}' });
      }
      await write.exec();
      const remove = suite.t.raw.pipeline();
      for (let i = 0; i < 3000; i += 1) remove.del(`session:${createHash('sha256').update(`${round}-${i}`).digest('hex')}`);
      await remove.exec();
      const ids: string[] = [];
      for await (const batch of suite.t.store.stream({ count: 50 })) {
        ids.push(...batch.sessions.map((s) => s.id));
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      expect(ids).toHaveLength(300);
      expect(new Set(ids).size).toBe(300);
    }
  });

  it('a naive (offset-less) or Z-suffixed timestamp from another writer is read as UTC', async () => {
    const session = await seedCreateSession(suite.t.raw, { userId: 'u', deviceId: 'd' });
    const expires = new Date(Date.now() + 3600_000);
    await suite.t.raw.hset(`session:${session.id}`, 'expires_at', expires.toISOString().replace('Z', ''), 'created_at', new Date().toISOString());
    const result = await suite.t.store.validate(session.token);
    expect(result).toMatchObject({ valid: true });
    if (result.valid) expect(Math.floor(result.session.expiresAtMicros / 1000)).toBe(expires.getTime());
  });
});
