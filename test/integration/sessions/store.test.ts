import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../harness/redis';
import { seedCreateSession, seedValidateSession } from './seed-server';
import { openTestStore, type TestStore } from './support';

describe('session store on a real redis-server', () => {
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

  it('creates a session in the seed schema that the seed server validates', async () => {
    const created = await t.store.create({ userId: 'user-1', deviceId: 'watch-1', ttlHours: 2, metadata: { device_type: 'wearable', os: 'wearOS' } });
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const hash = await t.raw.hgetall(`session:${created.id}`);
    expect(Object.keys(hash).sort()).toEqual(['created_at', 'device_id', 'expires_at', 'metadata', 'user_id']);
    expect(hash.expires_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
    const ttl = await t.raw.ttl(`session:${created.id}`);
    expect(ttl).toBeGreaterThan(7100);
    expect(ttl).toBeLessThanOrEqual(7200);
    expect(await seedValidateSession(t.raw, created.token)).toEqual({ userId: 'user-1', deviceId: 'watch-1', metadata: { device_type: 'wearable', os: 'wearOS' } });
    const valid = await t.store.validate(created.token);
    expect(valid).toMatchObject({ valid: true, session: { userId: 'user-1', deviceId: 'watch-1' } });
  });

  it('finds, extends and revokes sessions the seed server wrote without indexes', async () => {
    const a = await seedCreateSession(t.raw, { userId: 'u', deviceId: 'phone', metadata: { os: 'iOS' } });
    expect(await t.store.validate(a.token)).toMatchObject({ valid: true, session: { id: a.id, metadata: { os: 'iOS' } } });
    const extended = await t.store.extend({ token: a.token }, 1);
    expect(extended.extended).toBe(true);
    expect(await seedValidateSession(t.raw, a.token)).toBeDefined();
    expect(await t.store.revoke({ token: a.token })).toMatchObject({ revoked: true, userId: 'u', deviceId: 'phone' });
    expect(await seedValidateSession(t.raw, a.token)).toBeUndefined();
    expect(await t.store.revoke({ token: a.token })).toMatchObject({ revoked: false });
  });

  it('revokes all sessions of a device through index and scan, leaving others alone', async () => {
    const mine = [
      await t.store.create({ userId: 'u1', deviceId: 'lost' }),
      await t.store.create({ userId: 'u1', deviceId: 'lost' }),
      await seedCreateSession(t.raw, { userId: 'u1', deviceId: 'lost' }),
    ];
    const other = await t.store.create({ userId: 'u1', deviceId: 'kept' });
    const result = await t.store.revokeDevice('lost');
    expect(result).toMatchObject({ revoked: 3, viaIndex: 2, viaScan: 1 });
    for (const session of mine) expect(await t.raw.exists(`session:${session.id}`)).toBe(0);
    expect(await t.store.validate(other.token)).toMatchObject({ valid: true });
    expect(await t.raw.exists('latchkey:session:device:lost')).toBe(0);
    expect(await t.raw.zcard('latchkey:session:user:u1')).toBe(1);
    expect(t.audit.at(-1)).toMatchObject({ kind: 'session.revoke-device', deviceId: 'lost', count: 3, outcome: 'complete' });
  });
});
