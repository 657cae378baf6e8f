import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core';
import { createAuditLog } from '../../../electron/core/audit/audit-log';
import { FileLocks } from '../../../electron/core/fs/locks';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { startRedis, type RedisServer } from '../../harness/redis';
import { seedCreateSession, seedValidateSession } from '../../harness/seed-session-server';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from './run-cli';

const PASSWORD = 'canary-cli-redis-pw-90d2';
const SESSION_FIELDS = ['id', 'user_id', 'device_id', 'created_at', 'expires_at', 'ttl_seconds', 'metadata'];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * `latchkey sessions …` as scripts run it: the built binary, a real password-protected redis-server
 * (URL with the password in LATCHKEY_REDIS_URL), sessions written by the seed's server code.
 */
describe('latchkey sessions (the built CLI on a real redis-server)', () => {
  let server: RedisServer;
  let raw: Redis;
  let xdg: TempXdg;
  /** stderr of every run, and every token the tests made, for the canary check at the end. */
  const outputs: string[] = [];
  const tokens: string[] = [];
  const run = async (args: string[], input?: string, env: Record<string, string> = {}) => {
    const result = await runLatchkey(['sessions', ...args], { env: { ...xdg.env, LATCHKEY_REDIS_URL: server.url, ...env }, ...(input === undefined ? {} : { input }) });
    outputs.push(result.stderr);
    return result;
  };
  const json = <T>(text: string): T => JSON.parse(text) as T;
  const audit = () => createAuditLog({ stateDir: xdg.paths.stateDir, locks: new FileLocks() }).query();

  beforeAll(async () => {
    server = await startRedis({ password: PASSWORD, args: ['--requirepass', PASSWORD] });
    raw = new Redis(server.url);
    xdg = await createTempXdg();
  });
  afterAll(async () => {
    raw?.disconnect();
    await server?.stop();
    await xdg?.cleanup();
  });
  beforeEach(() => raw.flushdb());

  it('create prints {token, id, user_id, device_id, created_at, expires_at, metadata}; the seed server accepts the token', async () => {
    const created = await run(['create', '--user', 'alice', '--device', 'watch-1', '--ttl-hours', '2', '--meta', 'device_type=wearable', '--meta', 'os=wearOS', '--json']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const out = json<Record<string, unknown> & { token: string; id: string }>(created.stdout);
    expect(Object.keys(out)).toEqual(['token', 'id', 'user_id', 'device_id', 'created_at', 'expires_at', 'metadata']);
    expect(out).toMatchObject({ user_id: 'alice', device_id: 'watch-1', metadata: { device_type: 'wearable', os: 'wearOS' } });
    expect(out.id).toBe(sha256(out.token));
    expect(await seedValidateSession(raw, out.token)).toMatchObject({ userId: 'alice', deviceId: 'watch-1', metadata: { device_type: 'wearable', os: 'wearOS' } });

    const human = await run(['create', '--user', 'bob', '--device', 'phone']);
    expect(human.stdout).toMatch(/Token \(shown once, not stored anywhere\):\n[A-Za-z0-9_-]{43}\n$/);
    tokens.push(out.token, /([A-Za-z0-9_-]{43})\n$/.exec(human.stdout)![1]!);
    expect(await run(['create', '--user', 'bob', '--device', 'd', '--ttl-hours', 'soon'])).toMatchObject({ code: 2 });
  });

  it('validate --token-stdin: the session (exit 0) for a token the seed server made, exit 3 when invalid or expired', async () => {
    const seeded = await seedCreateSession(raw, { userId: 'carol', deviceId: 'tablet', metadata: { app_version: '3.1' } });
    const valid = await run(['validate', '--token-stdin', '--json'], `${seeded.token}\n`);
    expect(valid.code).toBe(0);
    const session = json<Record<string, unknown>>(valid.stdout);
    expect(Object.keys(session)).toEqual(SESSION_FIELDS);
    expect(session).toMatchObject({ id: seeded.id, user_id: 'carol', device_id: 'tablet', metadata: { app_version: '3.1' } });

    const expired = await seedCreateSession(raw, { userId: 'carol', deviceId: 'old', now: new Date(Date.now() - 3 * 3_600_000), ttlHours: 1 });
    await raw.persist(`session:${expired.id}`); // a server that forgot the TTL: the record itself says expired
    expect(await run(['validate', '--token-stdin'], expired.token)).toMatchObject({ code: 3, stdout: '' });
    expect(await run(['validate', '--token-stdin'], 'no-such-token')).toMatchObject({ code: 3, stderr: expect.stringContaining('not valid') });
    expect(await run(['validate'], seeded.token)).toMatchObject({ code: 2, stderr: expect.stringContaining('standard input') });
    tokens.push(seeded.token, expired.token);
  });

  it('list, list --user, list --device: sessions of the seed server and of Latchkey; --index-only is the fast path that misses unindexed ones', async () => {
    const seeded = await seedCreateSession(raw, { userId: 'dave', deviceId: 'watch-2' });
    const ours = json<{ token: string; id: string }>((await run(['create', '--user', 'dave', '--device', 'phone-2', '--json'])).stdout);
    await seedCreateSession(raw, { userId: 'erin', deviceId: 'watch-3' });

    const all = json<{ id: string }[]>((await run(['list', '--json'])).stdout);
    expect(all).toHaveLength(3);
    expect(Object.keys(all[0]!)).toEqual(SESSION_FIELDS);
    const ofDave = json<{ id: string; user_id: string }[]>((await run(['list', '--user', 'dave', '--json'])).stdout);
    expect(ofDave.map((item) => item.id).sort()).toEqual([seeded.id, ours.id].sort());
    expect(ofDave.map((item) => item.id)).toContain(sha256(ours.token));
    expect(json<{ id: string }[]>((await run(['list', '--device', 'watch-2', '--json'])).stdout).map((item) => item.id)).toEqual([seeded.id]);
    expect(json<{ id: string }[]>((await run(['list', '--user', 'dave', '--index-only', '--json'])).stdout).map((item) => item.id)).toEqual([ours.id]);

    // After indexing the existing sessions, the fast path finds the server's session too.
    expect(json<{ indexed: number }>((await run(['index', '--json'])).stdout)).toEqual({ indexed: 3, scanned_keys: 3, problems: 0 });
    expect(json<{ id: string }[]>((await run(['list', '--user', 'dave', '--index-only', '--json'])).stdout)).toHaveLength(2);
    expect((await run(['list', '--user', 'dave'])).stdout).toContain(seeded.id.slice(0, 12));
  });

  it('list warns on stderr about keys under the prefix that are not sessions, and keeps stdout valid JSON', async () => {
    await seedCreateSession(raw, { userId: 'u', deviceId: 'd' });
    await raw.set(`session:${'b'.repeat(64)}`, 'a string, not a hash');
    await raw.hset(`session:${'c'.repeat(64)}`, { user_id: 'u', device_id: 'd', created_at: 'yesterday', expires_at: 'tomorrow' });
    const listed = await run(['list', '--json']);
    expect(listed.code).toBe(0);
    expect(json<unknown[]>(listed.stdout)).toHaveLength(1);
    expect(listed.stderr.match(/latchkey: warning: session:/g)).toHaveLength(2);
  });

  it('show <id>, and exit 3 for an unknown or malformed id', async () => {
    const seeded = await seedCreateSession(raw, { userId: 'frank', deviceId: 'watch-4' });
    const shown = await run(['show', seeded.id, '--json']);
    expect(json<Record<string, unknown>>(shown.stdout)).toMatchObject({ id: seeded.id, user_id: 'frank', device_id: 'watch-4' });
    expect(await run(['show', 'f'.repeat(64)])).toMatchObject({ code: 3 });
    expect(await run(['show', 'not-an-id'])).toMatchObject({ code: 3, stderr: expect.stringContaining('64-character hex') });
  });

  it('revoke (--token-stdin | --id) → {revoked: 1}, exit 3 when there was nothing to revoke; audited', async () => {
    const one = await seedCreateSession(raw, { userId: 'gina', deviceId: 'watch-5' });
    const two = await seedCreateSession(raw, { userId: 'gina', deviceId: 'watch-6' });
    tokens.push(one.token, two.token);
    expect(await run(['revoke', '--token-stdin', '--json'], one.token)).toMatchObject({ code: 0, stdout: '{\n  "revoked": 1\n}\n' });
    expect(await seedValidateSession(raw, one.token)).toBeUndefined();
    expect(await run(['revoke', '--token-stdin'], one.token)).toMatchObject({ code: 3 });
    expect(await run(['revoke', '--id', two.id, '--json'])).toMatchObject({ code: 0 });
    expect(await run(['revoke'])).toMatchObject({ code: 2 });
    expect(await run(['revoke', '--id', two.id, '--token-stdin'], two.token)).toMatchObject({ code: 2 });
    const revocations = (await audit()).filter((entry) => entry.action === 'session.revoke' && entry.sessions?.scope === 'session');
    expect(revocations.slice(-3).map((entry) => [entry.sessions?.session_hash, entry.counts?.revoked])).toEqual([
      [one.id, 1],
      [one.id, 0],
      [two.id, 1],
    ]);
    expect(revocations.at(-1)?.ref).toBe(`redis://127.0.0.1:${server.port}`);
  });

  it('revoke-user and revoke-device → {revoked: N} over indexed and unindexed sessions; the server rejects them after; audited', async () => {
    const seeded = await Promise.all([1, 2, 3].map((n) => seedCreateSession(raw, { userId: 'hank', deviceId: `device-${n}` })));
    await run(['create', '--user', 'hank', '--device', 'device-1']);
    const lost = await Promise.all([1, 2].map(() => seedCreateSession(raw, { userId: 'ivy', deviceId: 'lost-watch' })));
    const kept = await seedCreateSession(raw, { userId: 'ivy', deviceId: 'phone' });

    expect(json((await run(['revoke-device', 'lost-watch', '--json'])).stdout)).toEqual({ revoked: 2 });
    for (const session of lost) expect(await seedValidateSession(raw, session.token)).toBeUndefined();
    expect(await seedValidateSession(raw, kept.token)).toBeDefined();
    expect(json((await run(['revoke-user', 'hank', '--json'])).stdout)).toEqual({ revoked: 4 });
    for (const session of seeded) expect(await seedValidateSession(raw, session.token)).toBeUndefined();
    expect(await run(['revoke-user', 'hank'])).toMatchObject({ code: 0, stdout: 'Revoked 0 sessions of user hank.\n' });

    const bulk = (await audit()).filter((entry) => entry.action === 'session.revoke' && entry.sessions?.scope !== 'session');
    expect(bulk.slice(-6).map((entry) => [entry.outcome, entry.sessions, entry.counts])).toEqual([
      ['started', { scope: 'device', device_id: 'lost-watch' }, undefined],
      ['ok', { scope: 'device', device_id: 'lost-watch' }, { revoked: 2 }],
      ['started', { scope: 'user', user_id: 'hank' }, undefined],
      ['ok', { scope: 'user', user_id: 'hank' }, { revoked: 4 }],
      ['started', { scope: 'user', user_id: 'hank' }, undefined],
      ['ok', { scope: 'user', user_id: 'hank' }, { revoked: 0 }],
    ]);
  });

  it('extend --token-stdin --hours N moves the expiry; exit 3 when invalid; --id for admins', async () => {
    const seeded = await seedCreateSession(raw, { userId: 'jack', deviceId: 'watch-7', ttlHours: 1 });
    const extended = json<{ expires_at: string; ttl_seconds: number }>((await run(['extend', '--token-stdin', '--hours', '5', '--json'], seeded.token)).stdout);
    expect(extended.ttl_seconds).toBeGreaterThan(5.9 * 3600);
    expect(await raw.ttl(`session:${seeded.id}`)).toBeGreaterThan(5.9 * 3600);
    expect(await run(['extend', '--id', seeded.id, '--hours', '1', '--json'])).toMatchObject({ code: 0 });
    expect(await run(['extend', '--token-stdin', '--hours', '5'], 'unknown-token')).toMatchObject({ code: 3 });
    expect(await run(['extend', '--token-stdin', '--hours', '-1'], seeded.token)).toMatchObject({ code: 2 });
    tokens.push(seeded.token);
  });

  it('stats prints the analytics as JSON, failed validations included', async () => {
    await seedCreateSession(raw, { userId: 'k', deviceId: 'w1', metadata: { device_type: 'wearable', os: 'wearOS', app_version: '2.0' } });
    await seedCreateSession(raw, { userId: 'k', deviceId: 'p1', metadata: { device_type: 'phone', os: 'iOS', app_version: '2.0' } });
    await run(['validate', '--token-stdin'], 'wrong-token');
    const stats = json<Record<string, unknown> & { failed_validations_per_hour: { count: number }[]; created_per_hour: unknown[] }>((await run(['stats', '--hours', '6', '--json'])).stdout);
    expect(stats).toMatchObject({ active_sessions: 2, by_device_type: { wearable: 1, phone: 1 }, by_os: { wearOS: 1, iOS: 1 }, by_app_version: { '2.0': 2 } });
    expect(stats.created_per_hour).toHaveLength(6);
    expect(stats.failed_validations_per_hour.at(-1)?.count).toBeGreaterThanOrEqual(1);
  });

  it('stats --sample estimates from random keys with 95 % intervals (JSON and text), and says what it cannot estimate', async () => {
    for (let i = 0; i < 40; i += 1) await seedCreateSession(raw, { userId: 'sampled', deviceId: `s${i}`, metadata: { device_type: 'phone' } });
    for (let i = 0; i < 20; i += 1) await raw.set(`other-app:${i}`, 'x');
    const exact = json<{ active_sessions: number }>((await run(['stats', '--json'])).stdout);
    expect(exact.active_sessions).toBe(40);
    const sampled = json<{ sampled: number; active_sessions: { value: number; low: number; high: number }; created_per_hour: unknown; failed_validations_per_hour: unknown[] }>(
      (await run(['stats', '--sample', '2000', '--json'])).stdout,
    );
    expect(sampled).toMatchObject({ sampled: 2000, confidence: 0.95, counted_on: 'server', created_per_hour: null });
    expect(sampled.failed_validations_per_hour).toHaveLength(24);
    const { value, low, high } = sampled.active_sessions;
    // A keyspace of a few dozen keys sampled 2,000 times: the interval is tight and holds the exact count
    // (widened ×2 so that a correct estimator fails about once in 10,000 runs; see sampled-stats.test.ts).
    expect(low).toBeLessThanOrEqual(value);
    expect(high).toBeGreaterThanOrEqual(value);
    expect(exact.active_sessions).toBeGreaterThanOrEqual(low - (value - low));
    expect(exact.active_sessions).toBeLessThanOrEqual(high + (high - value));

    const text = await run(['stats', '--sample']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^≈ \S+ ± [\d.]+ % active sessions, from a sample of 20,000 keys/);
    expect(text.stdout).toContain('Created per hour: not available from a sample');
    expect(await run(['stats', '--sample', '5'])).toMatchObject({ code: 2, stderr: expect.stringContaining('a whole number from 100') });
    expect(await run(['stats', '--sample', '--max-age', '60'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--sample') });
  });

  it('refuses a password in --redis (process arguments are public) and says clearly when Redis refuses or is down', async () => {
    const refused = await run(['list', '--redis', server.url]);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('LATCHKEY_REDIS_URL') });
    expect(refused.stderr).not.toContain(PASSWORD);
    expect(await run(['list', '--redis', `redis://127.0.0.1:${server.port}`])).toMatchObject({ code: 1, stderr: expect.stringContaining('requires a password') });
    expect(await run(['list'], undefined, { LATCHKEY_REDIS_URL: `redis://default:wrong@127.0.0.1:${server.port}` })).toMatchObject({ code: 1, stderr: expect.stringContaining('refused the username or password') });
    expect(await run(['list', '--json'], undefined, { LATCHKEY_REDIS_URL: 'redis://127.0.0.1:1' })).toMatchObject({ code: 1, stderr: expect.stringContaining('not reachable') });
    expect(await run(['list'], undefined, { LATCHKEY_REDIS_URL: '' })).toMatchObject({ code: 2, stderr: expect.stringContaining('LATCHKEY_REDIS_URL') });
  });

  it('never printed a password or a token on stderr, and never wrote one to the audit log', async () => {
    const auditText = await readFile(join(xdg.paths.stateDir, 'audit.jsonl'), 'utf8');
    expect(auditText).not.toContain(PASSWORD);
    expect(outputs.join('\n')).not.toContain(PASSWORD);
    expect(tokens.length).toBeGreaterThan(4);
    for (const token of tokens) {
      expect(outputs.join('\n')).not.toContain(token);
      expect(auditText).not.toContain(token);
    }
  });
});

describeWithKeyring('latchkey sessions --server (a session server saved in the app, password in the real keyring)', () => {
  let server: RedisServer;
  let xdg: TempXdg;
  beforeAll(async () => {
    server = await startRedis({ password: PASSWORD, args: ['--requirepass', PASSWORD] });
    xdg = await createTempXdg();
    const core = createCore({ paths: xdg.paths, keychain: realKeychain() });
    await core.sessions.save({ name: 'prod-sessions', settings: { url: `redis://127.0.0.1:${server.port}` }, password: PASSWORD });
    await core.close();
  });
  afterAll(async () => {
    if (xdg !== undefined) {
      const core = createCore({ paths: xdg.paths, keychain: realKeychain() });
      await core.sessions.remove('prod-sessions').catch(() => undefined);
      await xdg.cleanup();
    }
    await server?.stop();
  });

  it('works on the saved session server, and refuses --server together with --redis or --prefix', async () => {
    const run = (args: string[]) => runLatchkey(['sessions', ...args], { env: xdg.env });
    const created = await run(['create', '--server', 'prod-sessions', '--user', 'u', '--device', 'd', '--json']);
    expect(created.code).toBe(0);
    expect(created.stderr).toBe('');
    expect(json(created.stdout)).toMatchObject({ user_id: 'u' });
    expect(JSON.parse((await run(['list', '--server', 'prod-sessions', '--json'])).stdout)).toHaveLength(1);
    expect(await run(['list', '--server', 'prod-sessions', '--prefix', 'x:'])).toMatchObject({ code: 2 });
    expect(await run(['list', '--server', 'nope'])).toMatchObject({ code: 3, stderr: expect.stringContaining('no session server named "nope"') });
  });

  it('still takes the old --connection, hidden from help, with one line on stderr saying to use --server', async () => {
    const run = (args: string[]) => runLatchkey(['sessions', ...args], { env: xdg.env });
    const listed = await run(['list', '--connection', 'prod-sessions', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
    expect(listed.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--connection is deprecated.*use --server <name>/)]);
    expect(await run(['list', '--connection', 'prod-sessions', '--server', 'prod-sessions'])).toMatchObject({ code: 2, stderr: expect.stringContaining('give only --server') });
    const help = await run(['list', '--help']);
    expect(help.stdout).toContain('--server <name>');
    expect(help.stdout).not.toContain('--connection');
  });

  const json = (text: string): unknown => JSON.parse(text);
});
