import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { createLogger } from '../../../electron/core/log';
import { resolvePaths, type LatchkeyPaths } from '../../../electron/core/paths';
import { createClipboardGuard } from '../../../electron/main/clipboard-guard';
import { createHandlers } from '../../../electron/main/handlers';
import { createOperations } from '../../../electron/main/operations';
import { createRouter, type Router } from '../../../electron/main/ipc/router';
import { createSenderPolicy } from '../../../electron/main/ipc/sender-policy';
import { APP_URL } from '../../../electron/main/security';
import { createMemoryKeychain } from '../../doubles/memory-keychain';
import { TRAVERSAL_NAMES } from '../../harness/hostile-inputs';
import { describeWithKeyring } from '../../harness/keyring';
import { snapshotTree, type TreeSnapshot } from '../../harness/tree-snapshot';
import { runLatchkey } from '../cli/run-cli';

/**
 * File-system attacks on the local store: a symlinked state directory or file, loosened permissions,
 * path traversal in a project, environment or key name (`../`, absolute paths, NUL, very long names),
 * through IPC and through the CLI. Each is refused with a message that says what to do, and nothing is
 * written outside Latchkey's folders: a sentinel directory next to them, where every link points, is
 * compared before and after.
 */
const own = { url: APP_URL, isMainFrame: true };
const VALUE = 'canary-fs-attack-value-51c9';

interface Setup {
  root: string;
  sentinel: string;
  env: Record<string, string>;
  paths: LatchkeyPaths;
}

async function createSetup(): Promise<Setup> {
  const root = await mkdtemp(join(tmpdir(), 'latchkey-fs-attack-'));
  const sentinel = join(root, 'sentinel');
  await mkdir(join(sentinel, 'target'), { recursive: true, mode: 0o700 });
  await writeFile(join(sentinel, 'precious.txt'), 'do not touch', { mode: 0o600 });
  await writeFile(join(sentinel, 'target', 'API_KEY.secret'), 'not a secret file', { mode: 0o600 });
  const env = { HOME: join(root, 'home'), XDG_STATE_HOME: join(root, 'xdg', 'state'), XDG_CONFIG_HOME: join(root, 'xdg', 'config') };
  return { root, sentinel, env, paths: resolvePaths(env, 'linux', env.HOME) };
}

/** Everything under the temporary root except Latchkey's own folders. */
async function outside(setup: Setup): Promise<TreeSnapshot> {
  const snapshot = await snapshotTree(setup.root);
  for (const path of Object.keys(snapshot)) if (path === 'xdg' || path.startsWith('xdg/')) delete snapshot[path];
  return snapshot;
}

function makeRouter(core: Core): Router {
  const clipboard = createClipboardGuard({ clipboard: { readText: () => '', writeText: () => undefined } });
  return createRouter({
    handlers: createHandlers({ core, clipboard, emit: () => undefined, operations: createOperations(() => undefined), version: 'test', platform: 'linux' }),
    isTrustedSender: createSenderPolicy(APP_URL),
    logger: createLogger({ sink: () => undefined }),
  });
}

describe('file-system attacks on the store (real files, through IPC)', () => {
  let setup: Setup;
  let core: Core;
  let router: Router;
  let keychain: ReturnType<typeof createMemoryKeychain>;
  let environmentDir: string;
  const call = (channel: string, payload: unknown) => router.handle(`latchkey:${channel}`, own, payload);
  const reveal = () => call('secrets.reveal', { project: 'demo', environment: 'dev', key: 'API_KEY' });
  const write = () => call('secrets.update', { project: 'demo', environment: 'dev', key: 'API_KEY', value: 'changed' });
  const createIn = (project = 'demo', environment = 'dev') => call('secrets.create', { project, environment, key: 'NEW_KEY', value: VALUE });
  const fresh = () => {
    core = createCore({ paths: setup.paths, keychain, logger: createLogger({ sink: () => undefined }) });
    router = makeRouter(core);
  };

  beforeEach(async () => {
    setup = await createSetup();
    keychain = createMemoryKeychain();
    fresh();
    await core.refs.set('file://demo/dev/API_KEY', VALUE);
    const id = (await core.projects.find('demo', 'dev')).environment.id;
    environmentDir = join(setup.paths.stateDir, 'store', id);
    fresh(); // no cached key: every test starts as the app would
  });
  afterEach(() => rm(setup.root, { recursive: true, force: true }));

  const expectRefusedWithLink = (answer: unknown) =>
    expect(answer).toMatchObject({ ok: false, error: { kind: 'PermissionDenied', message: expect.stringMatching(/symbolic link.*Move the link away/s) } });

  /** Replaces `path` by a symlink to `target` (the original moved aside, as an attacker would). */
  const swapForLink = async (path: string, target: string) => {
    await rename(path, `${path}.original`);
    await symlink(target, path);
  };

  it('refuses a symlinked state directory, writing nothing where it points', async () => {
    await rm(setup.paths.stateDir, { recursive: true });
    await symlink(join(setup.sentinel, 'target'), setup.paths.stateDir);
    const before = await outside(setup);
    expectRefusedWithLink(await reveal());
    expectRefusedWithLink(await createIn());
    expectRefusedWithLink(await call('lock.setPassphrase', { passphrase: 'a long passphrase' }));
    expect(await outside(setup)).toEqual(before);
  });

  it('refuses a symlinked store, environment directory, secret file or key marker', async () => {
    const store = join(setup.paths.stateDir, 'store');
    const files = await readdir(environmentDir);
    for (const [path, target] of [
      [store, join(setup.sentinel, 'target')],
      [environmentDir, join(setup.sentinel, 'target')],
      [join(environmentDir, files.find((name) => name.endsWith('.secret'))!), join(setup.sentinel, 'target', 'API_KEY.secret')],
      [join(store, 'keyinfo.json'), join(setup.sentinel, 'precious.txt')],
    ] as const) {
      await swapForLink(path, target);
      const before = await outside(setup);
      expectRefusedWithLink(await reveal());
      expectRefusedWithLink(await write());
      expect(await outside(setup), path).toEqual(before);
      await rm(path);
      await rename(`${path}.original`, path);
      fresh();
      expect(await reveal(), `restored ${path}`).toMatchObject({ ok: true, value: { value: VALUE } });
      fresh();
    }
    expect(await readFile(join(setup.sentinel, 'target', 'API_KEY.secret'), 'utf8')).toBe('not a secret file');
  });

  it('refuses a symlinked configuration folder or file', async () => {
    const configFile = join(setup.paths.configDir, 'config.json');
    await writeFile(join(setup.sentinel, 'config.json'), await readFile(configFile), { mode: 0o600 });
    for (const [path, target] of [
      [configFile, join(setup.sentinel, 'config.json')],
      [setup.paths.configDir, setup.sentinel],
    ] as const) {
      await swapForLink(path, target);
      const before = await outside(setup);
      expectRefusedWithLink(await call('projects.list', {}));
      expectRefusedWithLink(await call('projects.create', { name: 'attacker' }));
      expect(await outside(setup), path).toEqual(before);
      await rm(path);
      await rename(`${path}.original`, path);
    }
  });

  it('refuses folders and files that others can read, saying which chmod fixes it', async () => {
    const cases = [
      [setup.paths.stateDir, 0o755, 'chmod 700'],
      [join(setup.paths.stateDir, 'store'), 0o750, 'chmod 700'],
      [environmentDir, 0o705, 'chmod 700'],
      [join(environmentDir, 'API_KEY.secret'), 0o644, 'chmod 600'],
      [join(setup.paths.stateDir, 'store', 'keyinfo.json'), 0o640, 'chmod 600'],
      [join(setup.paths.configDir, 'config.json'), 0o604, 'chmod 600'],
    ] as const;
    for (const [path, mode, fix] of cases) {
      await chmod(path, mode);
      const answer = path.endsWith('config.json') ? await call('projects.list', {}) : await reveal();
      expect(answer, path).toMatchObject({ ok: false, error: { kind: 'PermissionDenied', message: expect.stringContaining(`${fix} '${path}'`) } });
      await chmod(path, fix === 'chmod 700' ? 0o700 : 0o600);
      fresh();
    }
    expect(await reveal()).toMatchObject({ ok: true });
  });

  it('refuses traversal, absolute, NUL and very long names in every name field, writing nothing outside', async () => {
    const before = await outside(setup);
    const storeBefore = await snapshotTree(join(setup.root, 'xdg'));
    let refused = 0;
    for (const name of TRAVERSAL_NAMES) {
      const attempts: [string, Record<string, unknown>][] = [
        ['projects.create', { name }],
        ['projects.rename', { name: 'demo', newName: name }],
        ['environments.create', { project: 'demo', name }],
        ['environments.update', { project: 'demo', name: 'dev', changes: { name } }],
        ['secrets.create', { project: name, environment: 'dev', key: 'K', value: VALUE }],
        ['secrets.create', { project: 'demo', environment: name, key: 'K', value: VALUE }],
        ['secrets.create', { project: 'demo', environment: 'dev', key: name, value: VALUE }],
        ['secrets.reveal', { project: 'demo', environment: 'dev', key: name }],
        ['secrets.remove', { project: 'demo', environment: name, key: 'API_KEY', confirmed: true }],
        ['projects.remove', { name, confirmed: true }],
      ];
      for (const [channel, payload] of attempts) {
        const answer = await call(channel, payload);
        expect(answer, `${channel} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { kind: 'InvalidInput', message: expect.stringContaining('not valid') } });
        expect(JSON.stringify(answer)).not.toContain(VALUE);
        refused += 1;
      }
    }
    expect(await outside(setup)).toEqual(before);
    expect(await snapshotTree(join(setup.root, 'xdg'))).toEqual(storeBefore);
    console.info(`[fs-attacks] ${refused} traversal attempts through IPC (${TRAVERSAL_NAMES.length} hostile names × 10 calls) refused; nothing written`);
  });

  it('refuses the same names given to core directly (the CLI and file:// references reach it without IPC)', async () => {
    const before = await snapshotTree(setup.root);
    for (const name of TRAVERSAL_NAMES) {
      for (const ref of [`file://${name}/dev/K`, `file://demo/${name}/K`, `file://demo/dev/${name}`]) {
        await expect(core.refs.set(ref, VALUE), ref).rejects.toMatchObject({ kind: 'InvalidInput' });
        await expect(core.refs.get(ref), ref).rejects.toMatchObject({ kind: 'InvalidInput' });
      }
      await expect(core.projects.createProject(name)).rejects.toMatchObject({ kind: 'InvalidInput' });
      await expect(core.projects.createEnvironment('demo', name)).rejects.toMatchObject({ kind: 'InvalidInput' });
      await expect(core.secrets.reveal('demo', 'dev', name)).rejects.toMatchObject({ kind: 'InvalidInput' });
    }
    expect(await snapshotTree(setup.root)).toEqual(before);
  });
});

describeWithKeyring('file-system attacks through the CLI (the built latchkey, real keyring)', () => {
  let setup: Setup;
  const run = (args: string[], input?: string) => runLatchkey(args, { env: setup.env, ...(input === undefined ? {} : { input }) });

  beforeEach(async () => {
    setup = await createSetup();
    expect(await run(['secrets', 'set', 'file://demo/dev/API_KEY', '--value-stdin'], VALUE)).toMatchObject({ code: 0 });
  });
  afterEach(() => rm(setup.root, { recursive: true, force: true }));

  it('refuses traversal in references and names with exit code 3 and a clear message, writing nothing', async () => {
    const before = await snapshotTree(setup.root);
    const attempts = [
      ['secrets', 'set', 'file://../../sentinel/x/KEY', '--value-stdin'],
      ['secrets', 'set', 'file://demo/dev/../../../sentinel/KEY', '--value-stdin'],
      ['secrets', 'set', `file://${setup.sentinel}/KEY`, '--value-stdin'],
      ['secrets', 'set', 'file://demo/dev/%2e%2e%2fKEY', '--value-stdin'],
      ['secrets', 'set', `file://demo/dev/${'K'.repeat(10_000)}`, '--value-stdin'],
      ['secrets', 'get', 'file://demo/../dev/API_KEY'],
      ['secrets', 'get', 'file://demo/dev/../dev/API_KEY'],
      ['secrets', 'rm', 'file://demo/dev/..', '--yes'],
      ['projects', 'create', '../../sentinel/evil'],
      ['projects', 'create', setup.sentinel],
      ['projects', 'rename', 'demo', '../evil'],
      ['envs', 'create', 'demo', '../../evil'],
      ['envs', 'update', 'demo', 'dev', '--rename', '../evil'],
    ];
    for (const args of attempts) {
      const result = await run(args, VALUE);
      expect(result, args.join(' ').slice(0, 120)).toMatchObject({ code: 3, stdout: '', stderr: expect.stringMatching(/not (a )?valid|not allowed|must have the form/) });
      expect(result.stderr).not.toContain(VALUE);
    }
    expect(await snapshotTree(setup.root)).toEqual(before);
    console.info(`[fs-attacks] ${attempts.length} traversal attempts through the CLI refused with exit code 3; nothing written`);
  });

  it('refuses a symlinked state directory and a world-readable store, and says how to fix them', async () => {
    const store = join(setup.paths.stateDir, 'store');
    await chmod(store, 0o755);
    expect(await run(['secrets', 'get', 'file://demo/dev/API_KEY'])).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining(`chmod 700 '${store}'`) });
    await chmod(store, 0o700);

    await rename(setup.paths.stateDir, `${setup.paths.stateDir}.original`);
    await symlink(join(setup.sentinel, 'target'), setup.paths.stateDir);
    const before = await outside(setup);
    for (const args of [['secrets', 'get', 'file://demo/dev/API_KEY'], ['secrets', 'set', 'file://demo/dev/OTHER', '--value-stdin']]) {
      expect(await run(args, VALUE)).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('symbolic link') });
    }
    expect(await outside(setup)).toEqual(before);
  });
});
