import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { bundleForNode } from '../../harness/node-bundle';
import { describeWithPostgres, startPostgres, type PostgresServer } from '../../harness/postgres';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from '../cli/run-cli';

/**
 * SIGKILL at each step of a rotation at a real Postgres: a process of the real core
 * (test/crash/service-rotator.ts) is killed right before set, after set, after test, after the store
 * was written, and after the old credential was retired. Afterwards the old or the new credential works
 * (never neither), the journal says what is left, and the next `latchkey rotate` (the built CLI) finishes
 * or undoes it: the store and the server agree, and the value it holds logs in.
 */
const POINTS = [
  { point: 'before-set', strategy: 'alternating', settles: 'undone' },
  { point: 'after-set', strategy: 'single', settles: 'undone' },
  { point: 'after-set', strategy: 'alternating', settles: 'undone' },
  { point: 'after-test', strategy: 'single', settles: 'finished' },
  { point: 'after-store', strategy: 'alternating', settles: 'finished' },
  { point: 'after-retire', strategy: 'alternating', settles: 'retired' },
] as const;

describeWithPostgres('rotation at a real Postgres survives SIGKILL at each step (real processes, the built CLI)', () => {
  let server: PostgresServer;
  let xdg: TempXdg;
  let core: Core;
  let bundle: string;

  const userAndPassword = (value: string) => {
    const match = /^postgres:\/\/([^:]+):([^@]+)@/.exec(value)!;
    return { user: match[1]!, password: decodeURIComponent(match[2]!) };
  };

  /** Runs the rotator process until it reaches `point`, then kills it with SIGKILL. */
  const killAt = (key: string, point: string) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [bundle, 'shop', 'prod', key, point], { env: { ...process.env, ...xdg.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (out.includes(`AT ${point}`)) child.kill('SIGKILL');
      });
      child.on('error', reject);
      child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the rotator ended without reaching ${point}: ${out}${err}`))));
    });

  beforeAll(async () => {
    [server, xdg, bundle] = await Promise.all([startPostgres(), createTempXdg(), bundleForNode('test/crash/service-rotator.ts', 'service-rotator')]);
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: captureLogger().logger, env: xdg.env });
    await core.projects.createProject('shop');
    await core.projects.createEnvironment('shop', 'prod');
    await core.services.registry.add('pg-prod', 'postgres', { url: server.adminUrl });
  }, 120_000);
  afterAll(async () => {
    for (const rotator of await core.services.rotators.list()) await core.services.rotators.remove(rotator.ref);
    await core.services.registry.remove('pg-prod', { confirmed: true });
    await core.close();
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
    await server.destroy();
  });

  for (const [index, { point, strategy, settles }] of POINTS.entries()) {
    it(`${strategy}: killed ${point} → the old or the new credential works; the next latchkey rotate says "${settles}" and store and server agree`, async () => {
      const a = `crash_${index}_a`;
      const b = `crash_${index}_b`;
      const key = `DB_URL_${index}`;
      const ref = `file://shop/prod/${key}`;
      const old = `crash-old-${randomBytes(8).toString('hex')}`;
      await server.sql(`CREATE ROLE ${a} LOGIN PASSWORD '${old}'`);
      await server.sql(`CREATE ROLE ${b} LOGIN`);
      await core.refs.set(ref, `postgres://${a}:${old}@127.0.0.1:${server.port}/postgres`, { confirmed: true });
      await core.services.rotators.set(ref, { service: 'pg-prod', user: a, ...(strategy === 'alternating' ? { strategy, userB: b } : {}) });

      await killAt(key, point);
      expect((await readdir(join(xdg.paths.stateDir, 'rotations'))).filter((name) => name.endsWith('.json'))).toHaveLength(1);
      const stored = userAndPassword((await core.refs.get(ref)).value);
      // Between the kill and the next run the stored value logs in — except for a single user killed after
      // set and before the store took the new value: then the journal's staged value does (the next run
      // tests it and finishes, or puts the old password back). Never neither.
      const storedWorks = await server.canLogin(stored.user, stored.password);
      expect(storedWorks).toBe(!(strategy === 'single' && (point === 'after-set' || point === 'after-test')));

      const next = await runLatchkey(['rotate', ref, '--json'], { env: xdg.env });
      expect(next.stderr).toContain('Settled earlier rotations first');
      expect(next.stderr).toMatch(new RegExp(`^${settles} {2}${ref.replaceAll('/', '\\/')}$`, 'm'));
      expect(JSON.parse(next.stdout)).toEqual([expect.objectContaining({ ref, ok: true, changed_at: 'pg-prod', old_retired: true })]);
      const now = userAndPassword((await core.refs.get(ref)).value);
      expect(await server.canLogin(now.user, now.password)).toBe(true);
      expect(await server.canLogin(a, old)).toBe(false);
      if (now.user !== stored.user || now.password !== stored.password) expect(await server.canLogin(stored.user, stored.password)).toBe(false);
      expect((await readdir(join(xdg.paths.stateDir, 'rotations'))).filter((name) => name.endsWith('.json'))).toEqual([]);
    });
  }
});
