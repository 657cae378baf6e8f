import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { createClipboardGuard } from '../../../electron/main/clipboard-guard';
import { createHandlers } from '../../../electron/main/handlers';
import { createRouter, type Router } from '../../../electron/main/ipc/router';
import { createSenderPolicy } from '../../../electron/main/ipc/sender-policy';
import { createOperations, type Emit } from '../../../electron/main/operations';
import { APP_URL } from '../../../electron/main/security';
import type { IpcResult } from '../../../shared/ipc/entry';
import type { EventName, EventPayload } from '../../../shared/ipc/events';
import { createMemoryKeychain } from '../../doubles/memory-keychain';
import { captureLogger } from '../../harness/log-capture';
import { startRedis, type RedisServer } from '../../harness/redis';
import { seedCreateSession, seedValidateSession } from '../../harness/seed-session-server';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

const own = { url: APP_URL, isMainFrame: true };

/** The Sessions screen's calls through the real router (sender check, schemas) into a real core and Redis. */
describe('sessions over IPC (real router, real core, real redis-server)', () => {
  let server: RedisServer;
  let raw: Redis;
  let xdg: TempXdg;
  let core: Core;
  let router: Router;
  let logLines: string[];
  const clipboard = { text: '' };
  const events: { name: EventName; payload: unknown }[] = [];

  const invoke = async <T>(name: string, request: unknown): Promise<T> => {
    const result = (await router.handle(`latchkey:sessions.${name}`, own, request)) as IpcResult<T>;
    if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
    return result.value;
  };
  const eventsOf = <E extends EventName>(name: E) => events.filter((event) => event.name === name).map((event) => event.payload as EventPayload<E>);

  beforeAll(async () => {
    server = await startRedis();
    raw = new Redis(server.url);
    xdg = await createTempXdg();
    const captured = captureLogger();
    logLines = captured.lines;
    core = createCore({ paths: xdg.paths, keychain: createMemoryKeychain(), logger: captured.logger });
    const emit: Emit = (name, payload) => void events.push({ name, payload });
    router = createRouter({
      handlers: createHandlers({
        core,
        clipboard: createClipboardGuard({ clipboard: { readText: () => clipboard.text, writeText: (text) => void (clipboard.text = text) } }),
        emit,
        operations: createOperations(emit),
        version: 'test',
        platform: 'linux',
      }),
      isTrustedSender: createSenderPolicy(APP_URL),
      logger: captured.logger,
    });
    await invoke('saveServer', { name: 'main', settings: { url: server.url } });
  });
  afterAll(async () => {
    await core?.close();
    raw?.disconnect();
    await server?.stop();
    await xdg?.cleanup();
  });

  it('lists session servers and tests one', async () => {
    expect(await invoke('servers', {})).toEqual({
      servers: [expect.objectContaining({ name: 'main', hasPassword: false, target: `127.0.0.1:${server.port}`, settings: expect.objectContaining({ prefix: 'session:' }) })],
    });
    expect(await invoke('testServer', { name: 'main' })).toMatchObject({ mode: 'standalone', masters: 1 });
    await expect(invoke('testServer', { settings: { url: 'redis://127.0.0.1:1', connectTimeoutMs: 200, maxReconnectAttempts: 0 } })).rejects.toMatchObject({ kind: 'BackendUnavailable' });
  });

  it('searches with progress and a growing row count, then serves the rows page by page', async () => {
    await raw.flushdb();
    const pipeline = raw.pipeline();
    for (let i = 0; i < 1_200; i += 1) {
      const key = `session:${i.toString(16).padStart(64, '0')}`;
      const created = new Date(Date.now() - i * 1000).toISOString().replace('Z', '+00:00');
      pipeline.hset(key, { user_id: `user-${i % 10}`, device_id: `device-${i}`, created_at: created, expires_at: new Date(Date.now() + 3_600_000).toISOString().replace('Z', '+00:00'), metadata: '{"os": "iOS"}' });
      pipeline.expire(key, 3600);
    }
    await pipeline.exec();
    const operationId = 'search-00000001';
    const summary = await invoke<{ total: number; complete: boolean }>('search', { operationId, server: 'main', query: { by: 'all' } });
    expect(summary).toMatchObject({ resultId: operationId, total: 1_200, complete: true, truncated: false });
    const found = eventsOf('sessions.results').filter((event) => event.resultId === operationId);
    expect(found.at(-1)).toEqual({ resultId: operationId, found: 1_200, complete: true });
    expect(eventsOf('operation.progress').some((event) => event.operationId === operationId && event.message?.startsWith('Scanned'))).toBe(true);

    const page = await invoke<{ rows: { deviceId: string; os?: string }[]; total: number }>('rows', { resultId: operationId, offset: 1_100, limit: 500 });
    expect(page.total).toBe(1_200);
    expect(page.rows).toHaveLength(100);
    expect(page.rows[0]?.os).toBe('iOS');
    const newest = await invoke<{ rows: { deviceId: string }[] }>('rows', { resultId: operationId, offset: 0, limit: 2, sort: { by: 'createdAt', direction: 'desc' } });
    expect(newest.rows.map((row) => row.deviceId)).toEqual(['device-0', 'device-1']);
    // A page is bounded: the table asks for what it shows.
    await expect(invoke('rows', { resultId: operationId, offset: 0, limit: 5_000 })).rejects.toMatchObject({ kind: 'InvalidInput' });
    await invoke('release', { resultId: operationId });
    await expect(invoke('rows', { resultId: operationId, offset: 0, limit: 1 })).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('runs the lost-device flow: drill-down, count, confirmed revocation; the server then rejects the tokens', async () => {
    await raw.flushdb();
    const one = await seedCreateSession(raw, { userId: 'alice', deviceId: 'watch-9', metadata: { device_type: 'wearable', os: 'wearOS' } });
    const two = await seedCreateSession(raw, { userId: 'alice', deviceId: 'watch-9' });
    const other = await seedCreateSession(raw, { userId: 'alice', deviceId: 'phone-1' });
    const summary = await invoke<{ count: number; users: unknown[] }>('summary', { operationId: 'summary-0000001', server: 'main', kind: 'device', id: 'watch-9' });
    expect(summary).toMatchObject({ count: 2, users: [{ id: 'alice', sessions: 2 }] });
    await expect(invoke('revokeDevice', { operationId: 'revoke-00000001', server: 'main', deviceId: 'watch-9' })).rejects.toMatchObject({ kind: 'InvalidInput' });
    expect(await invoke('revokeDevice', { operationId: 'revoke-00000002', server: 'main', deviceId: 'watch-9', confirmed: true })).toEqual({
      revoked: 2,
      viaIndex: 0,
      viaScan: 2,
      strategy: 'both',
      skipped: 0,
    });
    expect(await seedValidateSession(raw, one.token)).toBeUndefined();
    expect(await seedValidateSession(raw, two.token)).toBeUndefined();
    expect(await seedValidateSession(raw, other.token)).toBeDefined();
    const audit = await core.audit.query({ actions: ['session.revoke'] });
    expect(audit.at(-1)).toMatchObject({ outcome: 'ok', sessions: { scope: 'device', device_id: 'watch-9' }, counts: { revoked: 2 } });
  });

  it('creates a session whose token the server accepts; copy goes through the clipboard guard; nothing logs the token', async () => {
    const created = await invoke<{ token: string; session: { id: string; metadata: unknown } }>('create', {
      server: 'main',
      userId: 'bob',
      deviceId: 'tablet-2',
      ttlHours: 2,
      metadata: { device_type: 'tablet' },
    });
    expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.session.metadata).toEqual({ device_type: 'tablet' });
    expect(await seedValidateSession(raw, created.token)).toMatchObject({ userId: 'bob', deviceId: 'tablet-2' });
    expect(await invoke('copyToken', { token: created.token })).toEqual({ clearAfterSeconds: 30 });
    expect(clipboard.text).toBe(created.token);
    await expect(invoke('copyToken', { token: 'not a token, any text' })).rejects.toMatchObject({ kind: 'InvalidInput' });

    expect(await invoke('validate', { server: 'main', token: `  ${created.token}\n` })).toMatchObject({ valid: true, session: { id: created.session.id, userId: 'bob' } });
    expect(await invoke('validate', { server: 'main', token: 'bogus-token' })).toEqual({ valid: false, reason: 'unknown' });
    const extended = await invoke<{ expiresAt: string }>('extend', { server: 'main', id: created.session.id, hours: 1 });
    expect(Date.parse(extended.expiresAt) - Date.now()).toBeGreaterThan(2.9 * 3_600_000);
    expect(await invoke('revoke', { server: 'main', id: created.session.id })).toEqual({ revoked: true });
    expect(await invoke('revoke', { server: 'main', id: created.session.id })).toEqual({ revoked: false });
    await expect(invoke('extend', { server: 'main', id: created.session.id, hours: 1 })).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(invoke('session', { server: 'main', id: created.session.id })).rejects.toMatchObject({ kind: 'NotFound' });

    const stats = await invoke<{ failedValidationsPerHour: { count: number }[] }>('stats', { operationId: 'stats-000000001', server: 'main', hours: 3 });
    expect(stats.failedValidationsPerHour.at(-1)?.count).toBe(1);
    expect(logLines.join('\n')).not.toContain(created.token);
    expect(JSON.stringify(events)).not.toContain(created.token);
    expect(JSON.stringify(await core.audit.query())).not.toContain(created.token);
  });

  it('answers a Redis that is down with BackendUnavailable, and works again after it restarts', async () => {
    await invoke('saveServer', { name: 'fragile', settings: { url: server.url, connectTimeoutMs: 300, maxReconnectAttempts: 0 } });
    expect(await invoke('stats', { operationId: 'stats-000000002', server: 'fragile' })).toMatchObject({ activeSessions: expect.any(Number) });
    await server.kill();
    await expect(invoke('stats', { operationId: 'stats-000000003', server: 'fragile' })).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('not reachable') });
    // Other areas keep answering.
    expect((await router.handle('latchkey:projects.list', own, {})) as IpcResult<unknown>).toMatchObject({ ok: true });
    await server.start();
    expect(await invoke('stats', { operationId: 'stats-000000004', server: 'fragile' })).toMatchObject({ activeSessions: 0 });
    raw.disconnect();
    raw = new Redis(server.url);
  });
});
