import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../electron/core/log';
import type { SessionAuditEvent } from '../../../electron/core/sessions/audit';
import {
  openCliSessionStore,
  parseMetaPairs,
  sessionsCreate,
  sessionsExtend,
  sessionsList,
  sessionsListItems,
  sessionsRevoke,
  sessionsRevokeDevice,
  sessionsRevokeUser,
  sessionsShow,
  sessionsStats,
  sessionsValidate,
  type CliStore,
} from '../../../electron/core/sessions/commands';
import { startRedis, type RedisServer } from '../../harness/redis';
import { seedCreateSession, seedValidateSession } from '../../harness/seed-session-server';

/** The CLI core, command by command, against sessions written by the seed server and by Latchkey. */
describe('latchkey sessions commands (core) on a real redis-server', () => {
  let server: RedisServer;
  let cli: CliStore;
  let raw: Redis;
  const audit: SessionAuditEvent[] = [];
  const logs: string[] = [];
  beforeAll(async () => {
    server = await startRedis({ password: 'url-canary-password', args: ['--requirepass', 'url-canary-password'] });
    // As LATCHKEY_REDIS_URL would give it: the password in the URL is used for this run only.
    cli = await openCliSessionStore({ redisUrl: server.url, logger: createLogger({ sink: (l) => logs.push(l), level: 'debug' }), onAudit: (e) => void audit.push(e) });
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    await cli?.close();
    raw?.disconnect();
    await server?.stop();
  });
  beforeEach(() => raw.flushdb());

  it('create → {token, id, user_id, device_id, created_at, expires_at, metadata}, valid in the seed server', async () => {
    const out = await sessionsCreate(cli.store, { user: 'u1', device: 'watch', ttlHours: 3, meta: ['device_type=wearable', 'os=wearOS', 'note=a=b'] });
    expect(Object.keys(out)).toEqual(['token', 'id', 'user_id', 'device_id', 'created_at', 'expires_at', 'metadata']);
    expect(out).toMatchObject({ user_id: 'u1', device_id: 'watch', metadata: { device_type: 'wearable', os: 'wearOS', note: 'a=b' } });
    expect(Date.parse(out.expires_at) - Date.parse(out.created_at)).toBe(3 * 3600_000);
    expect(await seedValidateSession(raw, out.token)).toMatchObject({ userId: 'u1', deviceId: 'watch' });
  });

  it('validate → the session, or NotFound (exit 3) when invalid or expired', async () => {
    const seeded = await seedCreateSession(raw, { userId: 'u2', deviceId: 'phone', metadata: { os: 'iOS' } });
    const out = await sessionsValidate(cli.store, `${seeded.token}\n`);
    expect(Object.keys(out)).toEqual(['id', 'user_id', 'device_id', 'created_at', 'expires_at', 'ttl_seconds', 'metadata']);
    expect(out).toMatchObject({ id: seeded.id, user_id: 'u2', device_id: 'phone', metadata: { os: 'iOS' } });
    expect(out.ttl_seconds).toBeGreaterThan(24 * 3600 - 5);
    await expect(sessionsValidate(cli.store, 'bogus')).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('list [--user] [--device] → array of sessions with id = hex SHA-256 of the token', async () => {
    const a = await seedCreateSession(raw, { userId: 'u3', deviceId: 'd1' });
    const b = await sessionsCreate(cli.store, { user: 'u3', device: 'd2' });
    await sessionsCreate(cli.store, { user: 'u4', device: 'd1' });
    await raw.set('session:junk', '1');
    const problems: string[] = [];
    const all = await sessionsList(cli.store, { onProblem: (p) => problems.push(p.key) });
    expect(all).toHaveLength(3);
    expect(problems).toEqual(['session:junk']);
    expect((await sessionsList(cli.store, { user: 'u3' })).map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
    expect((await sessionsList(cli.store, { device: 'd1' })).map((s) => s.user_id).sort()).toEqual(['u3', 'u4']);
    expect((await sessionsList(cli.store, { user: 'u3', device: 'd1' })).map((s) => s.id)).toEqual([a.id]);
    let streamed = 0;
    for await (const item of sessionsListItems(cli.store)) streamed += item.id.length === 64 ? 1 : 0;
    expect(streamed).toBe(3);
  });

  it('show <id>, revoke (--token-stdin | --id), extend --hours', async () => {
    const s = await seedCreateSession(raw, { userId: 'u5', deviceId: 'd5' });
    expect(await sessionsShow(cli.store, s.id)).toMatchObject({ id: s.id, user_id: 'u5' });
    const extended = await sessionsExtend(cli.store, s.token, 2);
    expect(extended.ttl_seconds).toBeGreaterThan(26 * 3600 - 5);
    expect(await sessionsRevoke(cli.store, { id: s.id })).toEqual({ revoked: 1 });
    await expect(sessionsRevoke(cli.store, { token: s.token })).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(sessionsShow(cli.store, s.id)).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(sessionsExtend(cli.store, s.token, 1)).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('revoke-user / revoke-device → {revoked: N}', async () => {
    for (let i = 0; i < 4; i += 1) await seedCreateSession(raw, { userId: 'u6', deviceId: `d${i % 2}` });
    await sessionsCreate(cli.store, { user: 'u6', device: 'd0' });
    expect(await sessionsRevokeDevice(cli.store, 'd0')).toEqual({ revoked: 3 });
    expect(await sessionsRevokeUser(cli.store, 'u6')).toEqual({ revoked: 2 });
    expect(await sessionsRevokeUser(cli.store, 'u6')).toEqual({ revoked: 0 });
    expect(audit.filter((e) => e.kind === 'session.revoke-user').map((e) => [e.outcome, e.count])).toEqual([
      ['started', 0],
      ['complete', 2],
      ['started', 0],
      ['complete', 0],
    ]);
  });

  it('stats → analytics as JSON', async () => {
    await sessionsCreate(cli.store, { user: 'u7', device: 'd7', meta: ['device_type=wearable', 'app_version=2.0'] });
    await sessionsValidate(cli.store, 'nope').catch(() => undefined);
    const stats = await sessionsStats(cli.store, { hours: 2 });
    expect(stats).toMatchObject({ active_sessions: 1, by_device_type: { wearable: 1 }, by_os: { '(none)': 1 }, by_app_version: { '2.0': 1 } });
    expect(stats.created_per_hour.at(-1)).toMatchObject({ count: 1 });
    expect(stats.failed_validations_per_hour.at(-1)!.count).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('never logs the URL password', () => {
    expect(logs.join('\n')).not.toContain('url-canary-password');
  });

  it('parses --meta pairs and refuses one without a key', () => {
    expect(parseMetaPairs(['a=1', 'a=2', '__proto__=x'])).toEqual(JSON.parse('{"a":"2","__proto__":"x"}'));
    expect(() => parseMetaPairs(['=x'])).toThrow(/--meta takes key=value/);
    expect(() => parseMetaPairs(['novalue'])).toThrow(/--meta takes key=value/);
  });

  it('needs a Redis URL', async () => {
    await expect(openCliSessionStore({ redisUrl: undefined, logger: createLogger({ sink: () => undefined }) })).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('LATCHKEY_REDIS_URL') });
  });
});
