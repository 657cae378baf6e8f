/// <reference types="vite/client" />
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { KEYCHAIN_SERVICE } from '../../../electron/core/crypto/data-key';
import { createLogger } from '../../../electron/core/log';
import { createClipboardGuard } from '../../../electron/main/clipboard-guard';
import { createHandlers } from '../../../electron/main/handlers';
import { createOperations, type Emit } from '../../../electron/main/operations';
import { lockGate } from '../../../electron/main/ipc/lock-gate';
import { createRouter, type Router } from '../../../electron/main/ipc/router';
import { createSenderPolicy } from '../../../electron/main/ipc/sender-policy';
import { APP_URL } from '../../../electron/main/security';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import type { LeakContext, LeakOperation } from '../../leaks/leak-operation';
import type { CliRun } from '../cli/run-cli';

/**
 * No leaks: every operation of the registry (test/leaks/operations/*.leaks.ts — an area adds its own
 * file) runs with unique canary values against a fresh app: the real core on real files and the real
 * keyring, the real router, a clipboard. Afterwards every canary made so far is searched for in every
 * place a value must never reach. What is allowed: the answer of a call that exists to carry the value
 * (reveal), the stdout of `latchkey secrets get`, and the clipboard until it is cleared.
 */
const BIN = fileURLToPath(new URL('../../../bin/latchkey.js', import.meta.url));
const modules = import.meta.glob<{ operations: LeakOperation[] }>('../../leaks/operations/*.leaks.ts', { eager: true });

interface Place {
  kind: string;
  text: string;
}

const canaries: string[] = [];
const totals = { operations: 0, places: 0, checks: 0, cliPolls: 0 };
const placeKinds = new Map<string, number>();

/** Runs the CLI and reads its command line and environment, and its children's, every few ms while it runs. */
function runWatched(args: string[], env: Record<string, string>, input: string, places: Place[], watch: { arguments: boolean; childEnvironments: boolean }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let running = true;
    const seen = new Set<string>();
    const readProc = async (pid: number, depth = 0): Promise<void> => {
      const files = [...(watch.arguments ? ['cmdline'] : []), ...(depth > 0 && !watch.childEnvironments ? [] : ['environ'])];
      for (const file of files) {
        const text = await readFile(`/proc/${pid}/${file}`, 'latin1').catch(() => '');
        const key = `${pid}:${file}:${text}`;
        if (text !== '' && !seen.has(key)) {
          seen.add(key);
          places.push({ kind: `CLI process ${file}`, text });
        }
      }
      const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
      for (const task of tasks) {
        const children = (await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')).trim();
        for (const childPid of children.split(/\s+/).filter(Boolean)) await readProc(Number(childPid), depth + 1);
      }
    };
    const poll = async () => {
      while (running && child.pid !== undefined) {
        await readProc(child.pid);
        totals.cliPolls += 1;
        await new Promise((wait) => setTimeout(wait, 5));
      }
    };
    const polling = poll();
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      running = false;
      void polling.then(() => resolve({ code: code ?? -1, stdout, stderr }));
    });
    // The value arrives in two writes with a pause, so the process is polled while it holds part of it.
    child.stdin.write(input.slice(0, input.length >> 1));
    setTimeout(() => child.stdin.end(input.slice(input.length >> 1)), 30);
  });
}

async function filesUnder(root: string, places: Place[]): Promise<void> {
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) places.push({ kind: 'file on disk', text: await readFile(join(entry.parentPath, entry.name), 'latin1') });
  }
}

interface World {
  /** Keychain entries of service "latchkey" before the world began (the test keyring outlives a run). */
  keychainBefore: Map<string, string>;
  xdg: TempXdg;
  core: Core;
  router: Router;
  clipboard: { text: string; pendingClear: (() => void) | undefined };
  places: Place[];
}

async function createWorld(): Promise<World> {
  const xdg = await createTempXdg();
  const places: Place[] = [];
  const logger = createLogger({ sink: (line) => places.push({ kind: 'log line', text: line }), level: 'debug' });
  const core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger, passphraseCost: { N: 2 ** 10, r: 8, p: 1 } });
  await core.lock.start();
  const clipboard: World['clipboard'] = { text: '', pendingClear: undefined };
  const guard = createClipboardGuard({
    clipboard: { readText: () => clipboard.text, writeText: (text) => void (clipboard.text = text) },
    setTimer: (run) => (clipboard.pendingClear = run),
    clearTimer: () => (clipboard.pendingClear = undefined),
  });
  // Events main sends the window (progress, incident items, rotation steps) are searched like answers.
  const emit: Emit = (name, payload) => void places.push({ kind: `event ${name}`, text: JSON.stringify(payload) });
  const router = createRouter({
    handlers: createHandlers({ core, clipboard: guard, emit, operations: createOperations(emit), version: 'leaks', platform: 'linux' }),
    isTrustedSender: createSenderPolicy(APP_URL),
    logger,
    gate: lockGate(core.lock),
  });
  return { keychainBefore: await keychainEntries(), xdg, core, router, clipboard, places };
}

async function keychainEntries(): Promise<Map<string, string>> {
  const keytar = (await import('keytar')).default;
  return new Map((await keytar.findCredentials(KEYCHAIN_SERVICE)).map((credential) => [credential.account, credential.password]));
}

function contextFor(world: World): LeakContext {
  const { places } = world;
  return {
    core: world.core,
    stateDir: world.xdg.paths.stateDir,
    configDir: world.xdg.paths.configDir,
    canary(label) {
      const canary = `canary-${label}-${randomBytes(6).toString('hex')}`;
      canaries.push(canary);
      return canary;
    },
    async call(channel, payload, options = {}) {
      const answer = (await world.router.handle(`latchkey:${channel}`, { url: APP_URL, isMainFrame: true }, payload)) as Awaited<ReturnType<LeakContext['call']>>;
      // Only the answer of a call that exists to carry the value may hold it, and only when it succeeded.
      if (options.carriesValue !== true || !answer.ok) places.push({ kind: 'IPC answer', text: JSON.stringify(answer) });
      return answer;
    },
    async failing(work) {
      try {
        await work();
      } catch (error) {
        const shown = error as { kind?: string; message: string };
        places.push({ kind: 'error message', text: shown.message });
        return shown;
      }
      throw new Error('expected the operation to fail');
    },
    async cli(args, options = {}) {
      const run = await runWatched(args, world.xdg.env, options.input ?? '', places, { arguments: options.argumentsCarryValue !== true, childEnvironments: options.childEnvironmentCarriesValue !== true });
      places.push({ kind: 'CLI stderr', text: run.stderr });
      if (options.stdoutCarriesValue !== true || run.code !== 0) places.push({ kind: 'CLI stdout', text: run.stdout });
      return run;
    },
    clipboard: () => world.clipboard.text,
    async clearClipboardNow() {
      world.clipboard.pendingClear?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
    observe: (kind, text) => places.push({ kind, text }),
  };
}

async function searchAll(world: World): Promise<void> {
  await filesUnder(world.xdg.root, world.places);
  // Every keychain entry the world created or changed.
  for (const [account, password] of await keychainEntries()) {
    if (world.keychainBefore.get(account) !== password) world.places.push({ kind: 'keychain entry', text: `${account} ${password}` });
  }
  world.places.push({ kind: 'clipboard after the operation', text: world.clipboard.text });
  const leaks: string[] = [];
  for (const place of world.places) {
    placeKinds.set(place.kind, (placeKinds.get(place.kind) ?? 0) + 1);
    for (const canary of canaries) {
      totals.checks += 1;
      if (place.text.includes(canary)) leaks.push(`${canary} in a ${place.kind}: ${place.text.slice(0, 200)}`);
    }
  }
  totals.places += world.places.length;
  expect(leaks).toEqual([]);
}

/** Removes the world's data key from the (throwaway) keyring, so each world searches only its own entries. */
async function forgetWorldKey(world: World): Promise<void> {
  const marker = await readFile(join(world.xdg.paths.stateDir, 'store', 'keyinfo.json'), 'utf8').catch(() => undefined);
  const account = marker === undefined ? undefined : (JSON.parse(marker) as { account?: string }).account;
  if (account !== undefined) await realKeychain().deletePassword(KEYCHAIN_SERVICE, account);
}

describeWithKeyring('no leaks: canaries through every registered operation (real files, real keyring, built CLI)', () => {
  afterAll(() => {
    console.info(
      `[no-leaks] ${canaries.length} canaries through ${totals.operations} operations, searched in ${totals.places} places ` +
        `(${[...placeKinds].sort(([a], [b]) => a.localeCompare(b)).map(([kind, count]) => `${count} ${kind}`).join(', ')}; from ${totals.cliPolls} polls of CLI processes): ${totals.checks} checks, 0 leaks`,
    );
  });

  it('finds operations in the registry', () => {
    const count = Object.values(modules).reduce((sum, module) => sum + module.operations.length, 0);
    expect(count).toBeGreaterThanOrEqual(10);
  });

  for (const [file, module] of Object.entries(modules)) {
    const area = file.replace(/^.*\/(.*)\.leaks\.ts$/, '$1');
    for (const operation of module.operations) {
      it(`${area}: ${operation.name}`, async () => {
        const world = await createWorld();
        try {
          await operation.run(contextFor(world));
          await searchAll(world);
          totals.operations += 1;
        } finally {
          await forgetWorldKey(world);
          await world.xdg.cleanup();
        }
      });
    }
  }
});
