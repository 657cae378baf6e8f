import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { createLogger } from '../../../electron/core/log';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { bundleForNode } from '../../harness/node-bundle';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from '../cli/run-cli';

/**
 * Crash safety of the local store, with real processes, real files and the real keyring:
 * (1) a writer process (the real core, test/crash/store-writer.ts) is killed with SIGKILL at random
 *     points during 1,000 writes; after each kill every secret holds its old or its new value, the store
 *     reads, and no temporary file is left readable by others;
 * (2) the app's core and `latchkey` CLI processes write the same store at once; no update is lost.
 */
const WRITES = Number(process.env.LATCHKEY_CRASH_WRITES ?? 1_000);
const SEED = Number(process.env.LATCHKEY_CRASH_SEED ?? 61_023);
const KEYS = Array.from({ length: 16 }, (_, index) => `K${String(index).padStart(2, '0')}`);
const SECRET_FILE = /^[A-Za-z_][A-Za-z0-9_.-]*\.secret$/;
/** Each secret's version mark (rollback detection), next to its file. */
const VERSION_MARK = /^[A-Za-z_][A-Za-z0-9_.-]*\.version$/;
// proper-lockfile treats a lock as stale after 5 s; a key whose lock a killed writer left is skipped until then.
const STALE_LOCK_MS = 5_000;

/** A small seeded PRNG (mulberry32): the kill points are reproducible from the printed seed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Life {
  begun: Map<number, { key: string; value: string }>;
  ended: Set<number>;
  failed?: string;
  killedAt?: string;
}

/** Starts a writer; resolves when it exited, killed or not. `onLine` may kill it. */
function runWriter(bundle: string, env: Record<string, string>, first: number, keys: string[], onLine: (line: string, child: ChildProcess) => void, limit?: number): Promise<Life> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, String(first), keys.join(','), ...(limit === undefined ? [] : [String(limit)])], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const life: Life = { begun: new Map(), ended: new Set() };
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const [tag, n, key, value] = line.split(' ');
        if (tag === 'B') life.begun.set(Number(n), { key: key!, value: value! });
        else if (tag === 'E') life.ended.add(Number(n));
        else if (tag === 'FAILED') life.failed = line;
        onLine(line, child);
      }
    });
    child.stderr!.resume();
    child.on('error', reject);
    child.on('close', () => resolve(life));
  });
}

/** Files in an environment directory that are neither secrets nor version marks: temporaries of killed writes. */
async function leftovers(dir: string): Promise<{ name: string; mode: number }[]> {
  const found: { name: string; mode: number }[] = [];
  for (const name of await readdir(dir)) {
    const stats = await lstat(join(dir, name));
    if (stats.isDirectory() && name.endsWith('.lock')) continue;
    if (!SECRET_FILE.test(name) && !VERSION_MARK.test(name)) found.push({ name, mode: stats.mode & 0o777 });
  }
  return found;
}

describeWithKeyring('crash safety of the local store (real processes, files and keyring)', () => {
  let bundle: string;
  beforeAll(async () => {
    bundle = await bundleForNode('test/crash/store-writer.ts', 'store-writer');
  });

  it(`keeps every secret at its old or new value through SIGKILLs at random points of ${WRITES} writes`, { timeout: 10 * 60_000 }, async () => {
    const xdg: TempXdg = await createTempXdg();
    const next = random(SEED);
    const verifier: Core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: createLogger({ sink: () => undefined }) });
    const truth = new Map<string, string>();
    const stats = { kills: 0, killedMidWrite: 0, resolvedNew: 0, resolvedOld: 0, completed: 0, temporaries: 0, staleLocksSkipped: 0 };
    let written = 0;
    try {
      while (written < WRITES) {
        // Skip keys whose lock a killed writer left behind and that is not stale yet.
        const environmentDir = await verifier.projects
          .find('crash', 'dev')
          .then(({ environment }) => join(xdg.paths.stateDir, 'store', environment.id))
          .catch(() => undefined);
        const fresh = new Set<string>();
        if (environmentDir !== undefined) {
          for (const name of await readdir(environmentDir)) {
            if (!name.endsWith('.secret.lock')) continue;
            if (Date.now() - (await stat(join(environmentDir, name))).mtimeMs < STALE_LOCK_MS + 1_000) fresh.add(name.slice(0, -'.secret.lock'.length));
          }
        }
        stats.staleLocksSkipped += fresh.size;
        const keys = KEYS.filter((key) => !fresh.has(key));
        // Kill in write number `target` of this life, 0–15 ms after it began: before its lock, while the
        // temporary file is written, around the rename, or once it is done.
        const target = 1 + Math.floor(next() * 40);
        const delayMs = Math.floor(next() ** 2 * 16);
        let seen = 0;
        const life = await runWriter(bundle, xdg.env, written, keys, (line, child) => {
          if (!line.startsWith('B ')) return;
          seen += 1;
          if (seen === target) setTimeout(() => child.kill('SIGKILL'), delayMs);
        });
        expect(life.failed, 'the writer failed on its own').toBeUndefined();
        stats.kills += 1;

        // Every write that ended is durable; one that began and did not end left the old or the new value.
        const inFlight = [...life.begun].filter(([n]) => !life.ended.has(n));
        expect(inFlight.length).toBeLessThanOrEqual(1);
        const expected = new Map(truth);
        for (const [n, { key, value }] of [...life.begun].sort(([a], [b]) => a - b)) if (life.ended.has(n)) expected.set(key, value);
        stats.completed += life.ended.size;
        written += life.begun.size;

        verifier.forgetKeys();
        for (const key of KEYS) {
          const read = await verifier.refs.get(`file://crash/dev/${key}`).then(
            (result) => result.value,
            (error: { kind?: string }) => (error.kind === 'NotFound' ? undefined : Promise.reject(error as Error)),
          );
          const pending = inFlight.find(([, write]) => write.key === key)?.[1].value;
          if (pending !== undefined) {
            stats.killedMidWrite += 1;
            expect([expected.get(key), pending], `${key} after kill ${stats.kills}`).toContain(read);
            if (read === pending) stats.resolvedNew += 1;
            else stats.resolvedOld += 1;
          } else {
            expect(read, `${key} after kill ${stats.kills}`).toBe(expected.get(key));
          }
          if (read !== undefined) truth.set(key, read);
        }
        // The store reads as a whole, and a temporary left by a kill is private (0600) and never listed.
        const listed = await verifier.refs.list('file://crash/');
        expect(listed.map((item) => item.ref).sort()).toEqual([...truth.keys()].map((key) => `file://crash/dev/${key}`).sort());
        const dir = join(xdg.paths.stateDir, 'store', (await verifier.projects.find('crash', 'dev')).environment.id);
        const temporaries = await leftovers(dir);
        for (const temporary of temporaries) expect(temporary.mode, temporary.name).toBe(0o600);
        stats.temporaries = temporaries.length;
      }

      // A writer that is not killed afterwards takes over every lock the killed ones left, stale or not.
      const last = await runWriter(bundle, xdg.env, written, KEYS, () => undefined, KEYS.length);
      expect(last.failed).toBeUndefined();
      expect(last.ended.size).toBe(KEYS.length);
      for (const [, { key, value }] of last.begun) expect((await verifier.refs.get(`file://crash/dev/${key}`)).value).toBe(value);
    } finally {
      await xdg.cleanup();
    }
    console.info(
      `[crash-safety] ${written} writes, ${stats.kills} SIGKILLs survived (seed ${SEED}): ${stats.completed} writes completed before a kill, ` +
        `${stats.killedMidWrite} killed mid-write (${stats.resolvedOld} kept the old value, ${stats.resolvedNew} the new); ` +
        `${stats.temporaries} temporary files left by kills in the end, all 0600 and never listed; keys skipped ${stats.staleLocksSkipped} times while a killed writer's lock was fresh`,
    );
  });

  describe('the app and the CLI writing the same store at once', () => {
    let xdg: TempXdg;
    beforeAll(async () => {
      xdg = await createTempXdg();
    });
    afterAll(() => xdg.cleanup());

    it('loses no update: every version counted, every environment kept, one data key', { timeout: 5 * 60_000 }, async () => {
      const app = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: createLogger({ sink: () => undefined }) });
      const APP_WRITES = 40;
      const CLI_RUNS = 16;
      const PARALLEL = 4;
      // Both sides start on an empty store: they must also agree on one data key.
      const appSide = (async () => {
        for (let i = 0; i < APP_WRITES; i += 1) {
          await app.refs.set('file://race/dev/SHARED', `app-${i}`);
          // The first write created the project; the CLI adds environments to it at the same time.
          if (i % 4 === 0) await app.projects.createEnvironment('race', `app${i}`);
        }
      })();
      const cliSide = (async () => {
        const results = [];
        for (let batch = 0; batch < CLI_RUNS / PARALLEL; batch += 1) {
          results.push(
            ...(await Promise.all(
              Array.from({ length: PARALLEL }, (_, index) => {
                const n = batch * PARALLEL + index;
                return Promise.all([
                  runLatchkey(['secrets', 'set', 'file://race/dev/SHARED', '--value-stdin'], { env: xdg.env, input: `cli-${n}` }),
                  runLatchkey(['secrets', 'set', `file://race/cli${n}/MARK`, '--value-stdin'], { env: xdg.env, input: 'x' }),
                ]);
              }),
            )),
          );
        }
        return results.flat();
      })();
      const [, cliRuns] = await Promise.all([appSide, cliSide]);
      for (const run of cliRuns) expect(run, run.stderr).toMatchObject({ code: 0 });

      const described = await app.refs.describe('file://race/dev/SHARED');
      expect(described.version).toBe(String(APP_WRITES + CLI_RUNS));
      const environments = (await app.projects.list()).find((project) => project.name === 'race')!.environments.map((environment) => environment.name);
      for (let n = 0; n < CLI_RUNS; n += 1) expect(environments).toContain(`cli${n}`);
      for (let i = 0; i < APP_WRITES; i += 4) expect(environments).toContain(`app${i}`);
      const keyFiles = (await readdir(join(xdg.paths.stateDir, 'store'))).filter((name) => name === 'keyinfo.json');
      expect(keyFiles).toHaveLength(1);
      // The CLI reads what the app wrote and the other way round, with the one key.
      expect((await runLatchkey(['secrets', 'get', 'file://race/dev/SHARED'], { env: xdg.env })).stdout).toBe((await app.refs.get('file://race/dev/SHARED')).value);
      console.info(`[crash-safety] app and CLI at once: ${APP_WRITES} app writes + ${CLI_RUNS} CLI writes to one secret → version ${described.version}; ${CLI_RUNS + APP_WRITES / 4} environments created from both sides, none lost`);
    });
  });
});
