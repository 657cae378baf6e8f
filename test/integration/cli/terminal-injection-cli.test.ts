import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAW_TERMINAL_CONTROL, TERMINAL_ATTACK } from '../../harness/hostile-inputs';
import { startRedis, type RedisServer } from '../../harness/redis';
import { pythonIsoformat } from '../../harness/seed-session-server';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey, type CliRun } from './run-cli';

/**
 * Terminal injection: Redis data written by others (user and device ids, metadata, key names) and
 * references echoed in errors reach the person's terminal only escaped — no escape sequence, C1
 * control, carriage return or bidi override raw, no line forged by a newline inside a value — while
 * JSON output stays JSON with the exact values.
 */
const ID = 'e'.repeat(64);

describe('hostile text from Redis and from arguments, printed by the built CLI', () => {
  let server: RedisServer;
  let raw: Redis;
  let xdg: TempXdg;
  const runs: CliRun[] = [];
  const run = async (args: string[]) => {
    const result = await runLatchkey(args, { env: { ...xdg.env, LATCHKEY_REDIS_URL: server.url } });
    runs.push(result);
    return result;
  };

  beforeAll(async () => {
    server = await startRedis();
    raw = new Redis(server.url);
    xdg = await createTempXdg();
    const now = Date.now();
    await raw.hset(`session:${ID}`, {
      user_id: `mallory${TERMINAL_ATTACK}`,
      device_id: `watch${TERMINAL_ATTACK}`,
      created_at: pythonIsoformat(new Date(now)),
      expires_at: pythonIsoformat(new Date(now + 3_600_000)),
      metadata: JSON.stringify({ device_type: `wearable${TERMINAL_ATTACK}`, os: TERMINAL_ATTACK, app_version: '4.2.0' }),
    });
    await raw.expire(`session:${ID}`, 3600);
    // A key name with a newline and escapes: reported in a warning.
    await raw.set(`session:${TERMINAL_ATTACK}`, 'not a hash');
  });
  afterAll(async () => {
    raw?.disconnect();
    await server?.stop();
    await xdg?.cleanup();
  });

  it('sessions list, show, stats, dry-run and warnings print the text escaped, one line per item', async () => {
    const list = await run(['sessions', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n').filter((line) => line !== '')).toHaveLength(1);
    expect(list.stdout).toContain('mallory\\u001b]0;pwned\\u0007');
    expect(list.stderr.split('\n').filter((line) => line !== '')).toEqual([expect.stringMatching(/^latchkey: warning: session:\\u001b\]0;pwned.*\\nFAKE LINE: revoked 0.*: not a session/)]);

    const show = await run(['sessions', 'show', ID]);
    expect(show.code).toBe(0);
    expect(show.stdout).not.toMatch(/^FAKE LINE/m);
    expect(show.stdout).toContain('\\u202eevil');

    const stats = await run(['sessions', 'stats']);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toContain('wearable\\u001b]0;pwned');
    expect(stats.stdout).not.toMatch(/^FAKE LINE/m);

    const dry = await run(['sessions', 'revoke', '--where', 'app_version=4.2.0', '--dry-run']);
    expect(dry.stdout).toBe('1 session of 1 user on 1 device match. Nothing was revoked (--dry-run).\n');
    expect(await run(['sessions', 'list', '--device', `watch${TERMINAL_ATTACK}`])).toMatchObject({ code: 3 });
  });

  it('JSON output is valid JSON with the exact values', async () => {
    const listed = await run(['sessions', 'list', '--json']);
    const sessions = JSON.parse(listed.stdout) as { user_id: string; device_id: string; metadata: Record<string, string> }[];
    expect(sessions).toEqual([expect.objectContaining({ user_id: `mallory${TERMINAL_ATTACK}`, device_id: `watch${TERMINAL_ATTACK}`, metadata: expect.objectContaining({ os: TERMINAL_ATTACK }) })]);
    const stats = JSON.parse((await run(['sessions', 'stats', '--json'])).stdout) as { by_os: Record<string, number> };
    expect(stats.by_os).toEqual({ [TERMINAL_ATTACK]: 1 });
  });

  it('errors that echo a reference or a name from the command line print it escaped', async () => {
    const get = await run(['secrets', 'get', `env://SOME${TERMINAL_ATTACK}`]);
    expect(get.code).not.toBe(0);
    const revoke = await run(['sessions', 'revoke-user', `eve${TERMINAL_ATTACK}`]);
    expect(revoke.code).not.toBe(0);
    for (const result of [get, revoke]) expect(result.stderr.split('\n').filter((line) => line !== '').length).toBeLessThanOrEqual(1);
  });

  it('never let a raw control character, C1 control or bidi override reach stdout or stderr', () => {
    expect(runs.length).toBeGreaterThan(6);
    for (const result of runs) {
      expect(result.stdout).not.toMatch(RAW_TERMINAL_CONTROL);
      expect(result.stderr).not.toMatch(RAW_TERMINAL_CONTROL);
    }
  });
});
