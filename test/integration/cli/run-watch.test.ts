import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { VaultFake } from '../../fakes/vault-fake';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { startLatchkey } from './latchkey-process';
import { runLatchkey } from './run-cli';
import { writePrograms, type ProgramName } from './run-programs';

// `latchkey run --watch`: a program that ignores SIGTERM, restarted when its secret changes — through
// another `latchkey` process writing or rotating it in the local store (file watching), and through a
// change on Vault (polling, wire-level fake). Restart notices name keys, never values.

const CANARY = `watch-canary-${randomBytes(4).toString('hex')}`;

describeWithKeyring('latchkey run --watch (built CLI, real processes, real files and keyring, Vault wire-level fake)', () => {
  let xdg: TempXdg;
  let core: Core;
  let vault: VaultFake;
  let env: Record<string, string>;
  let program: (name: ProgramName) => string;

  beforeAll(async () => {
    [xdg, vault] = await Promise.all([createTempXdg(), VaultFake.start()]);
    env = { ...xdg.env, LATCHKEY_SECRETS_LAYOUT: 'native' };
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: captureLogger().logger, env });
    program = await writePrograms(join(xdg.root, 'programs'));
    await core.refs.set('file://shop/dev/WATCHED', `${CANARY}-v1`);
    await core.refs.set('file://shop/dev/OTHER', `${CANARY}-other`);
    await core.connections.add('vault-fake', { kind: 'vault', address: vault.url, auth: { method: 'token' } }, { token: vault.createToken() });
    await core.projects.createEnvironment('shop', 'staging', { binding: { backend: 'connection', connection: 'vault-fake', prefix: 'shop/staging/' } });
    vault.seed('shop/staging/WATCHED', { value: `${CANARY}-vault-v1` });
  });
  afterAll(async () => {
    await core.close();
    await vault.close();
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
  });

  const gone = (pid: string) => !existsSync(`/proc/${pid}`);

  it('restarts a program that ignores SIGTERM (SIGKILL after the grace period) when another latchkey sets or rotates its secret', { timeout: 180_000 }, async () => {
    const running = startLatchkey(['run', '--project', 'shop', '--env', 'dev', '--watch', '--grace', '1', '--', program('stubborn.cjs')], { env });
    try {
      const [, first] = (await running.waitFor(new RegExp(`started (\\d+) with ${CANARY}-v1\\n`))) as unknown as [string, string];
      await running.waitFor(/--watch: stubborn\.cjs restarts when one of its 2 secrets changes \(looking at the local store as it changes\)\./, 'stderr');

      // The app can tell which program uses which keys (names only), while it runs.
      expect(await core.run.watched('shop', 'dev')).toEqual([{ pid: running.pid, project: 'shop', environment: 'dev', command: 'stubborn.cjs', keys: ['OTHER', 'WATCHED'], startedAt: expect.any(String) }]);
      expect(await core.run.watched('shop', 'staging')).toEqual([]);

      expect(await runLatchkey(['secrets', 'set', 'file://shop/dev/WATCHED', '--value-stdin'], { env, input: `${CANARY}-v2` })).toMatchObject({ code: 0 });
      await running.waitFor(/WATCHED changed; restarting stubborn\.cjs \(SIGTERM, then SIGKILL after 1 s\)\./, 'stderr');
      await running.waitFor(new RegExp(`ignoring SIGTERM ${first}\\n`));
      const [, second] = (await running.waitFor(new RegExp(`started (\\d+) with ${CANARY}-v2\\n`))) as unknown as [string, string];
      expect(second).not.toBe(first);
      expect(gone(first)).toBe(true);

      expect(await runLatchkey(['rotate', 'file://shop/dev/WATCHED', '--policy', 'hex-32'], { env })).toMatchObject({ code: 0 });
      const rotated = (await core.refs.get('file://shop/dev/WATCHED')).value;
      const [, third] = (await running.waitFor(new RegExp(`started (\\d+) with ${rotated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`))) as unknown as [string, string];
      expect(gone(second)).toBe(true);
      expect(running.stderr().match(/WATCHED changed; restarting/g)).toHaveLength(2);
      for (const value of [`${CANARY}-v1`, `${CANARY}-v2`, rotated]) expect(running.stderr()).not.toContain(value);

      // Ctrl-C from a script: forwarded (the program does not ignore SIGINT), no restart after it.
      running.signal('SIGINT');
      expect((await running.exited).code).toBe(130);
      expect(gone(third)).toBe(true);
      expect(await core.run.watched('shop', 'dev')).toEqual([]);
      expect(await readdir(join(xdg.paths.stateDir, 'runs'))).toEqual([]);
      const starts = (await core.audit.query({ actions: ['env.run'] })).filter((entry) => entry.outcome === 'started' && entry.environment === 'dev');
      expect(starts.map((entry) => entry.counts)).toEqual([{ total: 2 }, { total: 2, changed: 1 }, { total: 2, changed: 1 }]);
    } finally {
      await running.killAll();
    }
  });

  it('a watched run that was killed outright (its file left behind) is not listed, and its file is removed', async () => {
    const dead = 2 ** 22 + 12_345;
    await writeFile(join(xdg.paths.stateDir, 'runs', `${dead}.json`), JSON.stringify({ pid: dead, project: 'shop', environment: 'dev', command: 'node', keys: ['WATCHED'], startedAt: new Date().toISOString() }), { mode: 0o600 });
    expect(await core.run.watched('shop', 'dev')).toEqual([]);
    expect(existsSync(join(xdg.paths.stateDir, 'runs', `${dead}.json`))).toBe(false);
  });

  it('polls a remote backend: a change on Vault restarts the program; a failed look keeps it running (wire-level fake)', { timeout: 180_000 }, async () => {
    const running = startLatchkey(['run', '--project', 'shop', '--env', 'staging', '--only', 'WATCHED', '--watch', '--watch-interval', '1', '--grace', '1', '--', program('stubborn.cjs')], { env });
    try {
      const [, first] = (await running.waitFor(new RegExp(`started (\\d+) with ${CANARY}-vault-v1\\n`))) as unknown as [string, string];
      await running.waitFor(/looking at other backends every 1 s/, 'stderr');

      vault.inject({ kind: 'server-error', status: 503, times: Infinity });
      await running.waitFor(/could not look at the secrets again \(WATCHED \(vault:\/\/shop\/staging\/WATCHED\): Vault at .+\); stubborn\.cjs keeps running with the values it has\.\n/, 'stderr');
      expect(gone(first)).toBe(false);
      vault.server.clearFaults();
      await running.waitFor(/the secrets can be read again; stubborn\.cjs restarts if one of them changed\./, 'stderr');
      // Reported once while it lasted, not at every look.
      expect(running.stderr().match(/could not look at the secrets again/g)).toHaveLength(1);

      vault.seed('shop/staging/WATCHED', { value: `${CANARY}-vault-v2` });
      await running.waitFor(/WATCHED changed; restarting stubborn\.cjs/, 'stderr');
      await running.waitFor(new RegExp(`started (\\d+) with ${CANARY}-vault-v2\\n`));
      expect(gone(first)).toBe(true);
      running.signal('SIGINT');
      expect((await running.exited).code).toBe(130);
    } finally {
      await running.killAll();
    }
  });
});
