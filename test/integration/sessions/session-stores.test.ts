import { readFile, writeFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { REDIS_PASSWORD_SERVICE } from '../../../electron/core/sessions';
import { createMemoryKeychain, type MemoryKeychain } from '../../doubles/memory-keychain';
import { captureLogger } from '../../harness/log-capture';
import { startRedis, type RedisServer } from '../../harness/redis';
import { seedCreateSession, seedValidateSession } from '../../harness/seed-session-server';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

const PASSWORD = 'canary-redis-password-3c1d';

/** core.sessions: session servers in config with passwords in the keychain, cached stores, search, audit. */
describe('core.sessions on a real redis-server (password-protected)', () => {
  let server: RedisServer;
  let raw: Redis;
  let xdg: TempXdg;
  let keychain: MemoryKeychain;
  let core: Core;
  let logLines: string[];
  const url = () => `redis://127.0.0.1:${server.port}`;

  beforeAll(async () => {
    server = await startRedis({ password: PASSWORD, args: ['--requirepass', PASSWORD] });
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    raw?.disconnect();
    await server?.stop();
  });
  beforeEach(async () => {
    await raw.flushdb();
    xdg = await createTempXdg();
    keychain = createMemoryKeychain();
    const captured = captureLogger();
    logLines = captured.lines;
    core = createCore({ paths: xdg.paths, keychain, logger: captured.logger });
    return async () => {
      await core.close();
      await xdg.cleanup();
    };
  });

  it('keeps the password in the keychain, never in the config file, and lists only whether one is stored', async () => {
    const saved = await core.sessions.save({ name: 'prod sessions', settings: { url: url(), prefix: 'session:' }, password: PASSWORD });
    expect(saved).toMatchObject({ name: 'prod sessions', hasPassword: true, target: `127.0.0.1:${server.port}` });
    const configText = await readFile(core.config.path, 'utf8');
    expect(configText).not.toContain(PASSWORD);
    const account = (await core.config.read()).sessionServers[0]!.redis.passwordAccount!;
    expect(await keychain.getPassword(REDIS_PASSWORD_SERVICE, account)).toBe(PASSWORD);
    expect(JSON.stringify(await core.sessions.list())).not.toContain(PASSWORD);
    expect(JSON.stringify(await core.sessions.list())).not.toContain(account);

    // A rename keeps the password; removing the server removes it from the keychain.
    await core.sessions.save({ name: 'sessions', previousName: 'prod sessions', settings: { url: url() } });
    expect((await core.sessions.test('sessions')).masters).toBe(1);
    await core.sessions.remove('sessions');
    expect(await keychain.getPassword(REDIS_PASSWORD_SERVICE, account)).toBeNull();
    expect(await core.sessions.list()).toEqual([]);
    expect(logLines.join('\n')).not.toContain(PASSWORD);
  });

  it('reads a config file of an earlier version (session servers under "redisConnections") and rewrites it under "sessionServers" at the next change, losing nothing', async () => {
    await core.projects.createProject('shop');
    await core.sessions.save({ name: 'old sessions', settings: { url: url(), prefix: 'session:', connectTimeoutMs: 2_000 }, password: PASSWORD });
    const { sessionServers, ...others } = JSON.parse(await readFile(core.config.path, 'utf8')) as Record<string, unknown>;
    // As earlier versions wrote it: the same entries, under the old key.
    await writeFile(core.config.path, `${JSON.stringify({ ...others, redisConnections: sessionServers }, null, 2)}\n`);

    expect(await core.sessions.list()).toEqual([expect.objectContaining({ name: 'old sessions', hasPassword: true, settings: expect.objectContaining({ connectTimeoutMs: 2_000 }) })]);
    // Its password is still found in the keychain under the account the old entry names.
    expect((await core.sessions.test('old sessions')).masters).toBe(1);

    await core.sessions.save({ name: 'new sessions', settings: { url: url() } });
    const rewritten = JSON.parse(await readFile(core.config.path, 'utf8')) as Record<string, unknown>;
    expect(rewritten).not.toHaveProperty('redisConnections');
    expect(rewritten.sessionServers).toEqual([...(sessionServers as unknown[]), expect.objectContaining({ name: 'new sessions' })]);
    expect(rewritten.projects).toEqual(others.projects);
    expect((await core.sessions.test('old sessions')).masters).toBe(1);
  });

  it('keeps the entries of both keys when a file holds the old and the new one', async () => {
    await core.sessions.save({ name: 'a', settings: { url: url() } });
    await core.sessions.save({ name: 'b', settings: { url: url(), prefix: 'b:' } });
    const config = JSON.parse(await readFile(core.config.path, 'utf8')) as { sessionServers: { name: string }[] };
    const [a, b] = config.sessionServers;
    await writeFile(core.config.path, JSON.stringify({ ...config, sessionServers: [a], redisConnections: [{ ...a, redis: { url: 'redis://old.example:6379' } }, b] }));
    expect((await core.sessions.list()).map((view) => [view.name, view.target])).toEqual([
      ['a', `127.0.0.1:${server.port}`],
      ['b', `127.0.0.1:${server.port}`],
    ]);
  });

  it('refuses bad settings, duplicate names and unknown session servers with typed errors, storing nothing', async () => {
    await expect(core.sessions.save({ name: 'x', settings: { url: `redis://:${PASSWORD}@127.0.0.1:1` } })).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(core.sessions.save({ name: 'x', settings: { url: url(), prefix: 'latch' } })).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(core.sessions.save({ name: '../x', settings: { url: url() } })).rejects.toMatchObject({ kind: 'InvalidInput' });
    await core.sessions.save({ name: 'a', settings: { url: url() } });
    await expect(core.sessions.save({ name: 'a', settings: { url: url() } })).rejects.toMatchObject({ kind: 'Conflict' });
    await expect(core.sessions.storeFor('nope')).rejects.toMatchObject({ kind: 'NotFound' });
    expect((await core.config.read()).sessionServers.map((stored) => stored.name)).toEqual(['a']);
    expect(keychain.entries.size).toBe(0);
  });

  it('tests a session server: version and keys, or the refused password, for saved and unsaved settings', async () => {
    await seedCreateSession(raw, { userId: 'u', deviceId: 'd' });
    await core.sessions.save({ name: 'ok', settings: { url: url() }, password: PASSWORD });
    expect(await core.sessions.test('ok')).toMatchObject({ mode: 'standalone', masters: 1, keys: 1, sampleSessions: 1, serverVersion: expect.stringMatching(/^\d+\./) });
    await expect(core.sessions.testSettings({ url: url() }, { password: 'wrong-canary' })).rejects.toMatchObject({ kind: 'Unauthenticated' });
    await expect(core.sessions.testSettings({ url: url() })).rejects.toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('requires a password') });
    expect(await core.sessions.testSettings({ url: url() }, { password: PASSWORD })).toMatchObject({ keys: 1 });
    // Editing a saved session server: its stored password is lent to the test unless another one is typed.
    expect(await core.sessions.testSettings({ url: url(), db: 1 }, { storedPasswordsOf: 'ok' })).toMatchObject({ keys: 0 });
    await expect(core.sessions.testSettings({ url: url() }, { storedPasswordsOf: 'ok', password: 'typed-wrong' })).rejects.toMatchObject({ kind: 'Unauthenticated' });
  });

  it('opens a store once, rebuilds it after a change, and after refused credentials reads the password again', async () => {
    await core.sessions.save({ name: 'main', settings: { url: url() }, password: 'wrong-password' });
    await expect(core.sessions.withStore('main', (store) => store.stats())).rejects.toMatchObject({ kind: 'Unauthenticated' });
    // Fixed behind Latchkey's back (another process), as the keychain allows: the next call reads it again.
    const account = (await core.config.read()).sessionServers[0]!.redis.passwordAccount!;
    await keychain.setPassword(REDIS_PASSWORD_SERVICE, account, PASSWORD);
    const first = await core.sessions.storeFor('main');
    expect((await first.stats()).activeSessions).toBe(0);
    expect(await core.sessions.storeFor('main')).toBe(first);

    await core.sessions.save({ name: 'main', previousName: 'main', settings: { url: url(), prefix: 'other:' } });
    const second = await core.sessions.storeFor('main');
    expect(second).not.toBe(first);
    expect(second.prefix).toBe('other:');

    // A change made in the config file by another process (the CLI) is picked up too.
    await core.config.update((config) => {
      config.sessionServers[0]!.redis.prefix = 'third:';
    });
    expect((await core.sessions.storeFor('main')).prefix).toBe('third:');
  });

  it('reconnects after Redis went away and came back (the Retry of the app)', async () => {
    await core.sessions.save({ name: 'main', settings: { url: url(), connectTimeoutMs: 500, maxReconnectAttempts: 0 }, password: PASSWORD });
    const store = await core.sessions.storeFor('main');
    await store.create({ userId: 'u', deviceId: 'd' });
    await server.kill();
    await expect(core.sessions.withStore('main', (s) => s.stats())).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('not reachable') });
    await server.start();
    expect((await core.sessions.withStore('main', (s) => s.stats())).activeSessions).toBe(0);
    raw.disconnect();
    raw = new Redis(server.url);
  });

  it('walks the keyspace as the very first operation of a new store (scripts defined before the first SCAN)', async () => {
    // Regression: the read script was defined on first use, after a SCAN had opened the tick's
    // auto-pipeline, and went out on a pipeline without it ("unexpected error", then a crash).
    // It takes more than one SCAN batch (1,000 keys) for the walk to queue its prefetch.
    await Promise.all(Array.from({ length: 1_200 }, (_, i) => seedCreateSession(raw, { userId: `u${i}`, deviceId: `d${i}` })));
    await core.sessions.save({ name: 'fresh', settings: { url: url() }, password: PASSWORD });
    expect((await core.sessions.search('fresh', { by: 'all' }, { resultId: 'first' })).total).toBe(1_200);
  });

  it('records revocations, creates, extends and indexing in the audit log; never a token', async () => {
    await core.sessions.save({ name: 'main', settings: { url: url() }, password: PASSWORD });
    const store = await core.sessions.storeFor('main');
    const created = await store.create({ userId: 'alice', deviceId: 'watch-7', metadata: { device_type: 'wearable' } });
    await store.extend({ id: created.id }, 2);
    await seedCreateSession(raw, { userId: 'alice', deviceId: 'watch-7' });
    await seedCreateSession(raw, { userId: 'Alice Smith (gym)', deviceId: 'phone' });
    expect((await store.revokeDevice('watch-7')).revoked).toBe(2);
    expect((await store.revokeUser('Alice Smith (gym)')).revoked).toBe(1);
    await store.indexExisting();
    expect((await store.revoke({ id: created.id })).revoked).toBe(false);

    const entries = await core.audit.query();
    expect(entries.map((entry) => [entry.action, entry.outcome, entry.sessions?.scope, entry.counts])).toEqual([
      ['session.create', 'ok', 'session', { total: 1 }],
      ['session.extend', 'ok', 'session', { total: 1 }],
      // A bulk revocation is recorded before it deletes anything, then with what Redis confirmed.
      ['session.revoke', 'started', 'device', undefined],
      ['session.revoke', 'ok', 'device', { revoked: 2 }],
      ['session.revoke', 'started', 'user', undefined],
      ['session.revoke', 'ok', 'user', { revoked: 1 }],
      ['session.index', 'ok', 'all', { total: 0 }],
      ['session.revoke', 'ok', 'session', { revoked: 0 }],
    ]);
    expect(entries[0]).toMatchObject({ ref: `redis://127.0.0.1:${server.port}`, sessions: { user_id: 'alice', device_id: 'watch-7', session_hash: created.id } });
    expect(entries[3]?.sessions).toEqual({ scope: 'device', device_id: 'watch-7' });
    expect(entries[5]?.sessions?.user_id).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect((await core.audit.verify()).intact).toBe(true);
    const auditText = await readFile(core.audit.path, 'utf8');
    expect(auditText).not.toContain(created.token);
  });

  it('searches by device through the index and the walk, by metadata, and pages and sorts the rows', async () => {
    await core.sessions.save({ name: 'main', settings: { url: url() }, password: PASSWORD });
    const store = await core.sessions.storeFor('main');
    const viaLatchkey = await store.create({ userId: 'alice', deviceId: 'watch-7', metadata: { device_type: 'wearable', os: 'wearOS' } });
    const viaServer = await seedCreateSession(raw, { userId: 'alice', deviceId: 'watch-7', metadata: { device_type: 'wearable', os: 'watchOS' } });
    for (let i = 0; i < 30; i += 1) await seedCreateSession(raw, { userId: `user-${i}`, deviceId: `phone-${i}`, metadata: { device_type: 'phone', os: 'iOS', app_version: `1.${i % 3}` } });

    const progress: number[] = [];
    const byDevice = await core.sessions.search('main', { by: 'device', deviceId: 'watch-7' }, { resultId: 'r1', onProgress: (p) => progress.push(p.found) });
    expect(byDevice).toEqual({ resultId: 'r1', total: 2, users: 1, devices: 1, complete: true, truncated: false, problems: 0 });
    expect(core.sessions.rows('r1', 0, 10).rows.map((row) => row.id).sort()).toEqual([viaLatchkey.id, viaServer.id].sort());
    expect(progress[0]).toBe(1); // the index answered first, before the walk found the server's session
    expect(progress.at(-1)).toBe(2);

    // Index only: the fast path misses what the server wrote without an index.
    await core.sessions.search('main', { by: 'device', deviceId: 'watch-7' }, { resultId: 'r2', strategy: 'index' });
    expect(core.sessions.rows('r2', 0, 10).rows.map((row) => row.id)).toEqual([viaLatchkey.id]);

    await core.sessions.search('main', { by: 'metadata', metadata: { device_type: 'phone', app_version: '1.1' } }, { resultId: 'r3' });
    const page = core.sessions.rows('r3', 0, 500, { by: 'userId', direction: 'asc' });
    expect(page.total).toBe(10);
    expect(page.rows.every((row) => row.deviceType === 'phone' && row.appVersion === '1.1')).toBe(true);
    expect(page.rows.map((row) => row.userId)).toEqual([...page.rows.map((row) => row.userId)].sort());

    expect((await core.sessions.search('main', { by: 'all' }, { resultId: 'r4' })).total).toBe(32);
    expect(core.sessions.rows('r4', 30, 10).rows).toHaveLength(2);
    expect(JSON.stringify(core.sessions.rows('r4', 0, 500))).not.toContain(viaLatchkey.token);
  });

  it('summarises a device for the lost-device flow: count, users, newest metadata; revoking it ends them for the server', async () => {
    await core.sessions.save({ name: 'main', settings: { url: url() }, password: PASSWORD });
    const store = await core.sessions.storeFor('main');
    const old = await seedCreateSession(raw, { userId: 'alice', deviceId: 'watch-7', metadata: { os: 'wearOS 3' }, now: new Date(Date.now() - 3_600_000) });
    await store.create({ userId: 'alice', deviceId: 'watch-7', metadata: { os: 'wearOS 4', app_version: '2.1' } });
    await store.create({ userId: 'bob', deviceId: 'watch-7' });
    const summary = await core.sessions.summary('main', 'device', 'watch-7');
    expect(summary).toMatchObject({
      kind: 'device',
      id: 'watch-7',
      count: 3,
      users: [
        { id: 'alice', sessions: 2 },
        { id: 'bob', sessions: 1 },
      ],
      devices: [{ id: 'watch-7', sessions: 3 }],
      problems: 0,
    });
    expect(summary.sessions.at(-1)?.id).toBe(old.id);
    expect(summary.oldestCreatedAt).toBe(summary.sessions.at(-1)?.createdAt);
    expect((await store.revokeDevice('watch-7')).revoked).toBe(3);
    expect(await seedValidateSession(raw, old.token)).toBeUndefined();
    expect((await core.sessions.summary('main', 'device', 'watch-7')).count).toBe(0);
  });
});
