import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../../electron/core';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { startRedis, type RedisServer } from '../../harness/redis';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkeyClosingStdout } from './run-cli';

/**
 * `latchkey … | head`: the reader closes the pipe while latchkey still writes. Every command must end
 * quietly — its usual exit status, nothing but its own messages on stderr (no "Unhandled 'error' event",
 * no stack trace) — and a command that streams (sessions list) must stop walking.
 */
const quiet = (stderr: string) => expect(stderr).not.toMatch(/Unhandled|EPIPE|Error:|\n\s+at /);

describeWithKeyring('commands whose standard output is closed early (the built CLI)', () => {
  let xdg: TempXdg;
  beforeAll(async () => {
    xdg = await createTempXdg();
    const core = createCore({ paths: xdg.paths, keychain: realKeychain() });
    try {
      await core.refs.set('file://pipes/dev/BIG', 'v'.repeat(900 * 1024));
      for (let i = 0; i < 20; i += 1) await core.refs.set(`file://pipes/dev/KEY_${i}`, `${'x'.repeat(60_000)}${i}`);
    } finally {
      await core.close();
    }
  });
  afterAll(async () => {
    if (xdg === undefined) return;
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
  });

  it('secrets get … | head -c 10', async () => {
    const run = await runLatchkeyClosingStdout(['secrets', 'get', 'file://pipes/dev/BIG'], { env: xdg.env, bytes: 10 });
    expect(run.code).toBe(0);
    quiet(run.stderr);
    expect(run.stderr).toBe('');
  });

  it('env export … | head', async () => {
    const run = await runLatchkeyClosingStdout(['env', 'export', '--project', 'pipes', '--env', 'dev'], { env: xdg.env, bytes: 100 });
    expect(run.code).toBe(0);
    quiet(run.stderr);
  });

  it('secrets ls … | head -c 1', async () => {
    const run = await runLatchkeyClosingStdout(['secrets', 'ls', 'file://pipes/', '--json'], { env: xdg.env, bytes: 1 });
    expect(run.code).toBe(0);
    quiet(run.stderr);
  });
});

describe('sessions list | head (the built CLI, a real redis-server)', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
    const raw = new Redis(server.url);
    const write = raw.pipeline();
    const created = new Date().toISOString().replace('Z', '000+00:00');
    const expires = new Date(Date.now() + 3_600_000).toISOString().replace('Z', '000+00:00');
    for (let i = 0; i < 30_000; i += 1) write.hset(`session:${i.toString(16).padStart(64, '0')}`, { user_id: `u${i}`, device_id: `d${i}`, created_at: created, expires_at: expires, metadata: '{}' });
    await write.exec();
    raw.disconnect();
  });
  afterAll(() => server?.stop());

  it('stops walking and exits 0 without a word on stderr', async () => {
    const xdg = await createTempXdg();
    try {
      for (const args of [['sessions', 'list'], ['sessions', 'list', '--json'], ['sessions', 'list', '--format', 'csv']]) {
        const run = await runLatchkeyClosingStdout(args, { env: { ...xdg.env, LATCHKEY_REDIS_URL: server.url }, bytes: 200 });
        expect(run.code, args.join(' ')).toBe(0);
        expect(run.stderr, args.join(' ')).toBe('');
      }
    } finally {
      await xdg.cleanup();
    }
  });
});
