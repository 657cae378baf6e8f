import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SessionFilter } from '../../../electron/core/sessions/filter';
import { parseIsoTimestamp } from '../../../electron/core/sessions/timestamps';
import { PARSE_ISO_LUA } from '../../../electron/core/sessions/walk-scripts';
import { startRedis, type RedisServer } from '../../harness/redis';
import { pythonIsoformat, seedCreateSession } from '../../harness/seed-session-server';
import { openTestStore, type TestStore } from './support';

/**
 * The keyspace walk on a real redis-server, filtering in Lua on the server ('server') and, for the same
 * data, on the client ('client': what happens where scripts are refused). Both must give exactly the
 * same sessions and problems for every filter, hostile data included; the server-side walk must really
 * run on the server (Redis' own command counters say so).
 */
const HOUR = 3_600_000;
const MICROS = 1000;

async function commandCalls(raw: Redis, command: string): Promise<number> {
  const info = await raw.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

const idOf = (token: string) => createHash('sha256').update(token).digest('hex');
const freshId = () => idOf(randomBytes(32).toString('base64url'));

/** A session hash written by hand (any fields, any values), with a TTL unless told otherwise. */
async function writeRecord(raw: Redis, fields: Record<string, string>, options: { ttlSeconds?: number | null; key?: string } = {}): Promise<string> {
  const key = options.key ?? `session:${freshId()}`;
  await raw.hset(key, fields);
  if (options.ttlSeconds !== null) await raw.expire(key, options.ttlSeconds ?? 3600);
  return key;
}

describe('the server-side walk and the client-side walk agree (real redis-server)', () => {
  let server: RedisServer;
  let onServer: TestStore;
  let onClient: TestStore;
  let raw: Redis;
  beforeAll(async () => {
    server = await startRedis();
    // A small batch, so every walk takes many steps (and cursors are handed from step to step).
    onServer = await openTestStore({ url: server.url }, { batchSize: 37 });
    onClient = await openTestStore({ url: server.url }, { batchSize: 37, walk: 'client' });
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    raw?.disconnect();
    await onServer?.close();
    await onClient?.close();
    await server?.stop();
  });
  beforeEach(() => raw.flushdb());

  /** A keyspace of everything a server, a careless writer and an attacker might leave under the prefix. */
  async function mixedKeyspace(): Promise<void> {
    const now = Date.now();
    const kinds = [
      { device_type: 'wearable', os: 'wearOS 4', app_version: '4.2.0' },
      { device_type: 'phone', os: 'iOS 17', app_version: '4.2.0' },
      { device_type: 'phone', os: 'Android 14', app_version: '4.1.3' },
      { device_type: 'tablet', os: 'iPadOS', app_version: '4.0.9', beta: true },
      { device_type: 'phone', os: 'iOS 17', app_version: 4.2, build: 1234 },
      { device_type: 'wearable', os: 'watchOS', app_version: '4.2.0', nested: { a: [1, 2] }, note: 'über/ünïcödé "quoted" \\ back' },
      {},
    ];
    for (let i = 0; i < 240; i += 1) {
      await seedCreateSession(raw, {
        userId: `user-${i % 17}`,
        deviceId: `device-${i % 41}`,
        metadata: kinds[i % kinds.length]!,
        now: new Date(now - ((i * 37) % 48) * HOUR - i * 1000),
        ttlHours: 49 + (i % 30),
      });
    }
    // Escaped JSON (PHP writes "\/", Python ensure_ascii writes \u escapes): same values, other spelling.
    await writeRecord(raw, { user_id: 'esc', device_id: 'esc-dev', created_at: pythonIsoformat(new Date(now - HOUR)), expires_at: pythonIsoformat(new Date(now + HOUR)), metadata: '{"app_version": "4\\u002e2\\u002e0", "path": "a\\/b", "os": "\\u00fcber"}' });
    // Timestamps in other spellings the client accepts: Z, no fraction, an offset, a space separator.
    for (const [created, expires] of [
      ['2026-01-01T00:00:00Z', new Date(now + 2 * HOUR).toISOString()],
      [new Date(now - 3 * HOUR).toISOString().replace('T', ' ').replace('Z', '+0000'), new Date(now + 5 * HOUR).toISOString().slice(0, 16)],
      [new Date(now - 30 * HOUR).toISOString().replace('Z', '-05:30'), new Date(now + 9 * HOUR).toISOString().replace(/\.\d+Z$/, ',5+02')],
    ]) {
      await writeRecord(raw, { user_id: 'odd-times', device_id: `odd-${created}`, created_at: created!, expires_at: expires!, metadata: '{"device_type": "phone"}' });
    }
    // Non-ASCII and long ids, an id with U+FFFD, ids of exactly 512 characters.
    await writeRecord(raw, { user_id: 'Zoë 👩‍💻', device_id: 'montre-été', created_at: pythonIsoformat(new Date(now)), expires_at: pythonIsoformat(new Date(now + HOUR)), metadata: '{"device_type": "wearable"}' });
    await writeRecord(raw, { user_id: 'x'.repeat(512), device_id: 'é'.repeat(512), created_at: pythonIsoformat(new Date(now)), expires_at: pythonIsoformat(new Date(now + HOUR)), metadata: '{}' });
    await writeRecord(raw, { user_id: 'x'.repeat(513), device_id: 'long', created_at: pythonIsoformat(new Date(now)), expires_at: pythonIsoformat(new Date(now + HOUR)) });
    // Problems: other types, bad names, broken fields, an expired record without a TTL, a huge hash.
    await raw.set(`session:${freshId()}`, 'a string');
    await raw.rpush(`session:${freshId()}`, 'a', 'b');
    await writeRecord(raw, { user_id: 'u', device_id: 'd', created_at: 'yesterday', expires_at: 'tomorrow' });
    await writeRecord(raw, { user_id: 'user-3', device_id: 'device-3', created_at: pythonIsoformat(new Date(now)), expires_at: pythonIsoformat(new Date(now + HOUR)), metadata: '[1, 2]' });
    await writeRecord(raw, { user_id: 'user-3', device_id: 'device-3', created_at: pythonIsoformat(new Date(now)), expires_at: pythonIsoformat(new Date(now + HOUR)), metadata: '{"app_version": "4.2.0"' });
    await writeRecord(raw, { user_id: 'user-3', device_id: 'device-3', created_at: pythonIsoformat(new Date(now - 2 * HOUR)), expires_at: pythonIsoformat(new Date(now - HOUR)), metadata: '{}' }, { ttlSeconds: null });
    await writeRecord(raw, { user_id: 'user-3', device_id: 'd', created_at: pythonIsoformat(new Date(now)), expires_at: pythonIsoformat(new Date(now + HOUR)) }, { key: 'session:not-a-hash-name' });
    await writeRecord(raw, { other: 'fields only' });
    const big = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`f${i}`, 'x']));
    await writeRecord(raw, { ...big, user_id: 'user-5', device_id: 'device-5', created_at: pythonIsoformat(new Date(now)), expires_at: pythonIsoformat(new Date(now + HOUR)), metadata: '{"device_type": "phone"}' });
    // Keys outside the prefix, and Latchkey's own index keys: never walked.
    await raw.set('other:key', 'x');
    await onServer.store.create({ userId: 'user-1', deviceId: 'device-1', metadata: { device_type: 'wearable', app_version: '4.2.0' } });
  }

  const nowMicros = () => Date.now() * MICROS;
  const filters = (): [string, SessionFilter][] => [
    ['everything', {}],
    ['a user', { userId: 'user-3' }],
    ['a device', { deviceId: 'device-3' }],
    ['a user and a device', { userId: 'user-3', deviceId: 'device-20' }],
    ['a non-ASCII user', { userId: 'Zoë 👩‍💻' }],
    ['app version 4.2.0', { metadata: { app_version: '4.2.0' } }],
    ['app version 4.2 (a number)', { metadata: { app_version: '4.2' } }],
    ['app version 4.20 (the same number)', { metadata: { app_version: '4.20' } }],
    ['two metadata fields', { metadata: { device_type: 'phone', os: 'iOS 17' } }],
    ['a boolean', { metadata: { beta: 'true' } }],
    ['a whole number', { metadata: { build: '1234' } }],
    ['an escaped slash', { metadata: { path: 'a/b' } }],
    ['a \\u escape', { metadata: { os: 'über' } }],
    ['unicode with a quote', { metadata: { note: 'über/ünïcödé "quoted" \\ back' } }],
    ['a nested object never matches', { metadata: { nested: '{"a":[1,2]}' } }],
    ['a missing field never matches', { metadata: { missing: 'x' } }],
    ['constructor is not a field', { metadata: { constructor: 'x' } }],
    ['created in the last 12 hours', { createdAfter: nowMicros() - 12 * HOUR * MICROS }],
    ['created before 20 hours ago', { createdBefore: nowMicros() - 20 * HOUR * MICROS }],
    ['created before 2026-06-01', { createdBefore: Date.parse('2026-06-01T00:00:00Z') * MICROS }],
    ['expiring within the next 5 hours', { expiresBefore: nowMicros() + 5 * HOUR * MICROS, expiresAfter: nowMicros() }],
    ['a TTL of at most 2 hours', { expiringWithinSeconds: 2 * 3600 }],
    ['phones of app 4.2.0 created in the last day', { metadata: { device_type: 'phone', app_version: '4.2.0' }, createdAfter: nowMicros() - 24 * HOUR * MICROS }],
  ];

  it('finds the same sessions and reports the same problems for every filter, with the filtering done on the server', async () => {
    await mixedKeyspace();
    for (const [name, filter] of filters()) {
      const evalBefore = await commandCalls(raw, 'evalsha');
      const server = await onServer.store.find(filter, { limit: 100_000 });
      expect(await commandCalls(raw, 'evalsha'), name).toBeGreaterThan(evalBefore);
      const client = await onClient.store.find(filter, { limit: 100_000 });
      expect(server.sessions.map((s) => s.id).sort(), name).toEqual(client.sessions.map((s) => s.id).sort());
      expect(server.sessions, name).toEqual(client.sessions.map((s) => expect.objectContaining({ ...s, ttlSeconds: expect.any(Number) })));
      // Problems: the server-side walk reports those of keys that may match (every one with no filter).
      if (name === 'everything') expect(new Set(server.problems.map((p) => p.key)), name).toEqual(new Set(client.problems.map((p) => p.key)));
    }
    // Spot checks that the equality above is about the right things.
    expect((await onServer.store.find({ metadata: { app_version: '4.2' } })).sessions.length).toBeGreaterThan(30);
    expect((await onServer.store.find({ metadata: { os: 'über' } })).sessions.map((s) => s.userId)).toEqual(['esc']);
    expect((await onServer.store.find({ metadata: { path: 'a/b' } })).sessions).toHaveLength(1);
    expect((await onServer.store.find({ userId: 'x'.repeat(512) })).sessions).toHaveLength(1);
    expect((await onServer.store.find({ userId: 'x'.repeat(513) })).sessions).toHaveLength(0);
  });

  it('counts the dashboard on the server with the same numbers as counting on the client', async () => {
    await mixedKeyspace();
    const server = await onServer.store.stats({ hours: 48 });
    const client = await onClient.store.stats({ hours: 48 });
    expect(server.countedOn).toBe('server');
    expect(client.countedOn).toBe('client');
    const numbers = (stats: typeof server) => ({ ...stats, generatedAt: undefined, tookMs: undefined, longestCallMs: undefined, countedOn: undefined });
    expect(numbers(server)).toEqual(numbers(client));
    expect(server.activeSessions).toBeGreaterThan(240);
    expect(server.problems).toBeGreaterThanOrEqual(8);
  });

  it('reads timestamps in Lua exactly as the client does (property test against the real server)', async () => {
    const script = `${PARSE_ISO_LUA}\nlocal out = {}\nfor i, s in ipairs(ARGV) do local v = parse_iso(s); out[i] = v and string.format('%.0f', v) or 'nil' end\nreturn out`;
    const digits = (n: number, max: number) => fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, '0'));
    const timestamp = fc
      .tuple(
        digits(4, 9999),
        digits(2, 14),
        digits(2, 33),
        fc.constantFrom('T', ' ', 't'),
        digits(2, 25),
        digits(2, 61),
        fc.option(fc.tuple(digits(2, 61), fc.option(fc.tuple(fc.constantFrom('.', ','), fc.stringMatching(/^\d{1,8}$/))))),
        fc.constantFrom('', 'Z', '+00:00', '-05:30', '+0530', '+05', '+14:00', '-12', 'z', '+5'),
      )
      .map(([y, mo, d, sep, h, mi, rest, offset]) => `${y}-${mo}-${d}${sep}${h}:${mi}${rest === null ? '' : `:${rest[0]}${rest[1] === null ? '' : `${rest[1][0]}${rest[1][1]}`}`}${offset}`);
    const samples = fc.sample(fc.oneof(timestamp, fc.string({ maxLength: 30 })), 3000);
    samples.push('2024-02-29T12:00:00+00:00', '2023-02-29T12:00:00+00:00', '2000-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '0099-01-01T00:00:00Z', '9999-12-31T23:59:59.999999+00:00');
    const replies = (await raw.eval(script, 0, ...samples)) as string[];
    samples.forEach((text, i) => {
      const expected = parseIsoTimestamp(text);
      // Lua leaves years 0-99 to the client (JavaScript reads them as 1900-1999); everything else is the same.
      if (/^00\d\d/.test(text)) expect(replies[i], text).toBe('nil');
      else if (expected === undefined) expect(replies[i], text).toBe('nil');
      // Before 1685 and after 2255 microseconds outgrow a double's exact integers: equal within a millisecond there.
      else if (Math.abs(expected) > 2 ** 53) expect(Math.abs(Number(replies[i]) - expected), text).toBeLessThan(1000);
      else expect(replies[i], text).toBe(String(expected));
    });
  });

  it('finds every session that exists from start to end while others are written, extended and expire during the walk, each once', async () => {
    const stable = await Promise.all(Array.from({ length: 1500 }, (_, i) => seedCreateSession(raw, { userId: `stable-${i % 50}`, deviceId: `phone-${i}`, metadata: { app_version: '4.2.0' } })));
    // Short-lived sessions expire while the walk runs; a writer adds and deletes others meanwhile.
    const ephemeral = new Set<string>();
    for (let i = 0; i < 300; i += 1) {
      const key = await writeRecord(raw, { user_id: 'ephemeral', device_id: `e-${i}`, created_at: pythonIsoformat(new Date()), expires_at: pythonIsoformat(new Date(Date.now() + 60_000)), metadata: '{"app_version": "4.2.0"}' });
      await raw.pexpire(key, 5 + (i % 40));
      ephemeral.add(key.slice('session:'.length));
    }
    let writing = true;
    const written = new Set<string>();
    const writer = (async () => {
      const writerClient = new Redis(server.url);
      for (let n = 0; writing; n += 1) {
        const made = await seedCreateSession(writerClient, { userId: 'late', deviceId: `late-${n}`, metadata: { app_version: '4.2.0' } });
        written.add(made.id);
        if (n % 3 === 0) await writerClient.del(`session:${made.id}`);
      }
      writerClient.disconnect();
    })();
    const seen: string[] = [];
    for await (const batch of onServer.store.stream({ filter: { metadata: { app_version: '4.2.0' } }, count: 20 })) seen.push(...batch.sessions.map((s) => s.id));
    writing = false;
    await writer;
    expect(new Set(seen).size).toBe(seen.length);
    const found = new Set(seen);
    for (const session of stable) expect(found.has(session.id)).toBe(true);
    // Nothing invented: every session found was either stable or written during the walk.
    const stableIds = new Set(stable.map((s) => s.id));
    for (const id of found) expect(stableIds.has(id) || written.has(id) || ephemeral.has(id)).toBe(true);
  });
});

describe('an ACL user without +@scripting: walks, revocations and the dashboard fall back to the client (real redis-server)', () => {
  let server: RedisServer;
  let admin: TestStore;
  let raw: Redis;
  const PASSWORD = 'no-scripts-pw';
  beforeAll(async () => {
    server = await startRedis();
    raw = new Redis(server.url);
    await raw.call('ACL', 'SETUSER', 'noscripts', 'on', `>${PASSWORD}`, '~*', '&*', '+@all', '-@scripting');
    admin = await openTestStore({ url: server.url });
  });
  afterAll(async () => {
    raw?.disconnect();
    await admin?.close();
    await server?.stop();
  });

  it('answers every keyspace question and revokes exactly, without running a script', async () => {
    const lost = [
      ...(await Promise.all([1, 2, 3].map(() => seedCreateSession(raw, { userId: 'ana', deviceId: 'lost-watch', metadata: { app_version: '4.1.0' } })))),
      await admin.store.create({ userId: 'ana', deviceId: 'lost-watch' }),
    ];
    const leaked = await Promise.all(Array.from({ length: 40 }, (_, i) => seedCreateSession(raw, { userId: `u${i % 7}`, deviceId: `d${i}`, metadata: { app_version: '4.2.0' } })));
    const kept = await Promise.all(Array.from({ length: 60 }, (_, i) => seedCreateSession(raw, { userId: `k${i % 7}`, deviceId: `k${i}`, metadata: { app_version: '4.2.1' } })));

    const t = await openTestStore({ url: `redis://noscripts@127.0.0.1:${server.port}` }, { batchSize: 25 }, PASSWORD);
    try {
      const scriptsBefore = (await commandCalls(raw, 'evalsha')) + (await commandCalls(raw, 'eval'));
      expect((await t.store.find({ metadata: { app_version: '4.2.0' } })).sessions.map((s) => s.id).sort()).toEqual(leaked.map((s) => s.id).sort());
      expect((await t.store.listByDevice('lost-watch')).sessions).toHaveLength(4);
      expect(await t.store.previewMatching({ metadata: { app_version: '4.2.0' } })).toMatchObject({ matched: 40, users: 7, devices: 40 });
      expect(await t.store.revokeMatching({ metadata: { app_version: '4.2.0' } })).toMatchObject({ matched: 40, revoked: 40 });
      expect(await t.store.revokeDevice('lost-watch')).toMatchObject({ revoked: 4, viaIndex: 1, viaScan: 3 });
      const stats = await t.store.stats({ hours: 1 });
      expect(stats).toMatchObject({ countedOn: 'client', activeSessions: 60 });
      // Nothing ran as a script for this user: every attempt was refused, and each walk went on without.
      expect((await commandCalls(raw, 'evalsha')) + (await commandCalls(raw, 'eval'))).toBe(scriptsBefore);
      expect(t.logs.filter((line) => line.includes("refused Latchkey's scripts"))).toHaveLength(1);
      for (const session of [...lost, ...leaked]) expect(await raw.exists(`session:${session.id}`)).toBe(0);
      for (const session of kept) expect(await raw.exists(`session:${session.id}`)).toBe(1);
      expect(t.audit.map((event) => [event.kind, event.outcome, event.count])).toEqual([
        ['session.revoke-filter', 'started', 0],
        ['session.revoke-filter', 'complete', 40],
        ['session.revoke-device', 'started', 0],
        ['session.revoke-device', 'complete', 4],
      ]);
    } finally {
      await t.close();
    }
  });
});
