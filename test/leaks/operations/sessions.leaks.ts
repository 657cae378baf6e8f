import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { startRedis, type RedisServer } from '../../harness/redis';
import type { LeakContext, LeakOperation } from '../leak-operation';

/**
 * Session administration: a Redis password (kept in the keychain) and a session token (pasted, or read
 * from stdin by the CLI) are canaries. Neither may reach a log line, an IPC answer, a file (config,
 * audit log), an error message, or the CLI's arguments, environment or output.
 */
async function withGuardedRedis(context: LeakContext, label: string, work: (server: RedisServer, password: string) => Promise<void>): Promise<void> {
  const password = context.canary(`${label}-redis-password`);
  const server = await startRedis({ password, args: ['--requirepass', password] });
  try {
    expect(await context.call('sessions.saveServer', { name: 'leaks', settings: { url: `redis://127.0.0.1:${server.port}` }, password })).toMatchObject({ ok: true });
    await work(server, password);
  } finally {
    // The throwaway keyring outlives the world: removing the connection removes its password entry.
    await context.call('sessions.removeServer', { name: 'leaks' });
    await server.stop();
  }
}

/** A session as the API server writes it, for a token of our choosing (a canary). */
async function serverSession(server: RedisServer, password: string, token: string, userId: string, metadata = '{"device_type": "wearable"}'): Promise<string> {
  const raw = new Redis({ port: server.port, host: '127.0.0.1', password });
  const id = createHash('sha256').update(token).digest('hex');
  const now = Date.now();
  await raw.hset(`session:${id}`, {
    user_id: userId,
    device_id: 'watch-leaks',
    created_at: new Date(now).toISOString().replace('Z', '+00:00'),
    expires_at: new Date(now + 3_600_000).toISOString().replace('Z', '+00:00'),
    metadata,
  });
  await raw.expire(`session:${id}`, 3600);
  raw.disconnect();
  return id;
}

export const operations: LeakOperation[] = [
  {
    name: 'session server with a password: save, test, list, search, stats; a wrong password refused',
    async run(context) {
      await withGuardedRedis(context, 'connection', async (server, password) => {
        expect(await context.call('sessions.testServer', { name: 'leaks' })).toMatchObject({ ok: true });
        expect(await context.call('sessions.servers', {})).toMatchObject({ ok: true, value: { servers: [{ name: 'leaks', hasPassword: true }] } });
        expect(await context.call('sessions.search', { operationId: 'leaks-search-1', server: 'leaks', query: { by: 'all' } })).toMatchObject({ ok: true });
        expect(await context.call('sessions.stats', { operationId: 'leaks-stats-01', server: 'leaks' })).toMatchObject({ ok: true });
        const wrong = context.canary('wrong-redis-password');
        expect(await context.call('sessions.testServer', { settings: { url: `redis://127.0.0.1:${server.port}` }, password: wrong })).toMatchObject({
          ok: false,
          error: { kind: 'Unauthenticated' },
        });
        await context.failing(() => context.core.sessions.testSettings({ url: `redis://:${password}@127.0.0.1:${server.port}` }));
        expect(await context.cli(['sessions', 'stats', '--server', 'leaks', '--json'])).toMatchObject({ code: 0 });
      });
    },
  },
  {
    name: 'a pasted token: validate, extend, revoke (app and CLI, token on stdin); create and copy',
    async run(context) {
      await withGuardedRedis(context, 'token', async (server, password) => {
        const token = context.canary('session-token');
        const id = await serverSession(server, password, token, 'alice');
        expect(await context.call('sessions.validate', { server: 'leaks', token })).toMatchObject({ ok: true, value: { valid: true, session: { id } } });
        expect(await context.call('sessions.extend', { server: 'leaks', id, hours: 2 })).toMatchObject({ ok: true });
        expect(await context.cli(['sessions', 'validate', '--token-stdin', '--server', 'leaks', '--json'], { input: token })).toMatchObject({ code: 0 });
        expect(await context.cli(['sessions', 'extend', '--token-stdin', '--hours', '1', '--server', 'leaks'], { input: token })).toMatchObject({ code: 0 });
        expect(await context.cli(['sessions', 'revoke', '--token-stdin', '--server', 'leaks', '--json'], { input: token })).toMatchObject({ code: 0 });
        // Gone now: every way of asking says so without repeating the token.
        expect(await context.call('sessions.validate', { server: 'leaks', token })).toMatchObject({ ok: true, value: { valid: false, reason: 'unknown' } });
        expect(await context.cli(['sessions', 'validate', '--token-stdin', '--server', 'leaks'], { input: token })).toMatchObject({ code: 3 });
        expect(await context.cli(['sessions', 'validate', token, '--server', 'leaks'], { argumentsCarryValue: true })).toMatchObject({ code: 2 });

        // A created token is in create's answer only; copy puts it on the clipboard, which then clears.
        const created = await context.call('sessions.create', { server: 'leaks', userId: 'bob', deviceId: 'watch-2' }, { carriesValue: true });
        const createdToken = (created.value as { token: string }).token;
        expect(await context.call('sessions.copyToken', { token: createdToken })).toMatchObject({ ok: true });
        expect(context.clipboard()).toBe(createdToken);
        await context.clearClipboardNow();
        expect(context.clipboard()).toBe('');
        expect(await context.call('sessions.revokeDevice', { operationId: 'leaks-revoke-1', server: 'leaks', deviceId: 'watch-2', confirmed: true })).toMatchObject({
          ok: true,
          value: { revoked: 1 },
        });
        context.observe('audit log entries', JSON.stringify(await context.core.audit.query()));
      });
    },
  },
  {
    name: 'revoke by filter and a search result, export it, the shared dashboard (app and CLI)',
    async run(context) {
      await withGuardedRedis(context, 'filter', async (server, password) => {
        const tokens = [context.canary('filter-token-1'), context.canary('filter-token-2'), context.canary('filter-token-3')];
        for (const [i, token] of tokens.entries()) await serverSession(server, password, token, `user-${i}`, '{"app_version": "4.2.0"}');
        const query = { by: 'filter', filter: { where: [{ field: 'app_version', value: '4.2.0' }] } };
        expect(await context.call('sessions.search', { operationId: 'leaks-filter-1', server: 'leaks', query })).toMatchObject({ ok: true, value: { total: 3, users: 3 } });
        // The export goes where the person chose (here: next to the app's folders); it holds no token or password.
        const home = join(context.stateDir, '..', '..', 'home');
        await mkdir(home, { recursive: true });
        const exported = join(home, 'sessions.csv');
        await context.core.sessions.exportResult('leaks-filter-1', 'csv', exported);
        context.observe('exported sessions', await readFile(exported, 'utf8'));
        expect(await context.call('sessions.revokeResult', { operationId: 'leaks-filter-2', resultId: 'leaks-filter-1', expected: 3, confirmed: true })).toMatchObject({ ok: true, value: { revoked: 3 } });
        expect(await context.call('sessions.stats', { operationId: 'leaks-stats-02', server: 'leaks', reuse: 'now' })).toMatchObject({ ok: true });
        expect(await context.call('sessions.estimate', { operationId: 'leaks-estimate-01', server: 'leaks', sample: 500 })).toMatchObject({ ok: true });
        // What the dashboard shares with other Latchkeys through Redis.
        const raw = new Redis({ port: server.port, host: '127.0.0.1', password });
        context.observe('shared dashboard counts in Redis', (await raw.get('latchkey:session:stats:last')) ?? '');
        await serverSession(server, password, context.canary('filter-token-4'), 'user-9', '{"app_version": "4.2.0"}');
        raw.disconnect();
        expect(await context.cli(['sessions', 'list', '--where', 'app_version=4.2.0', '--format', 'csv', '--server', 'leaks'])).toMatchObject({ code: 0 });
        expect(await context.cli(['sessions', 'revoke', '--where', 'app_version=4.2.0', '--yes', '--server', 'leaks', '--json'])).toMatchObject({ code: 0, stdout: expect.stringContaining('"revoked": 1') });
        expect(await context.cli(['sessions', 'stats', '--server', 'leaks', '--max-age', '60'])).toMatchObject({ code: 0 });
        expect(await context.cli(['sessions', 'stats', '--server', 'leaks', '--sample', '500', '--json'])).toMatchObject({ code: 0 });
        context.observe('audit log entries', JSON.stringify(await context.core.audit.query()));
      });
    },
  },
];

