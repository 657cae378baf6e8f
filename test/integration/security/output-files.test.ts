import { chown, lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { createLogger } from '../../../electron/core/log';
import { createMemoryKeychain } from '../../doubles/memory-keychain';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from '../cli/run-cli';

// Issue 15, items 6 and 16: a file Latchkey writes where the person chose (`env export --out`, the app's
// export, `inject`'s output — all through core.outputFiles) is never inside Latchkey's own state or
// config folder, however the path is spelled (symlinked folders, `link/..`, a file not created yet), and
// belongs to the user who ran Latchkey even when it replaces someone else's file.

const VALUE = 'canary-output-files-9d41';

describe("output files never land in Latchkey's own folders (real files, core as the app and the CLI call it)", () => {
  let xdg: TempXdg;
  let core: Core;
  let outside: string;
  let precious: Record<string, string>;
  const own = (...parts: string[]) => join(xdg.paths.stateDir, ...parts);

  beforeAll(async () => {
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain: createMemoryKeychain(), env: {}, logger: createLogger({ sink: () => undefined }) });
    await core.refs.set('file://shop/dev/API_KEY', VALUE, {});
    outside = join(xdg.root, 'elsewhere');
    await mkdir(outside);
    precious = {
      audit: await readFile(own('audit.jsonl'), 'utf8'),
      keyinfo: await readFile(own('store', 'keyinfo.json'), 'utf8'),
      config: await readFile(join(xdg.paths.configDir, 'config.json'), 'utf8'),
    };
  });
  afterAll(() => xdg.cleanup());

  it('refuses the audit log, the key marker, the config and any new file inside either folder, directly or through links', async () => {
    await symlink(xdg.paths.stateDir, join(outside, 'state-link'));
    await symlink(own('store'), join(outside, 'store-link'));
    await symlink(xdg.paths.configDir, join(outside, 'config-link'));
    const attempts = [
      own('audit.jsonl'),
      own('store', 'keyinfo.json'),
      join(xdg.paths.configDir, 'config.json'),
      own('new-file.env'),
      own('store', 'brand-new.env'),
      join(outside, 'state-link', 'audit.jsonl'),
      join(outside, 'state-link', 'not-yet.env'),
      // Read as text this is `elsewhere/audit.jsonl`; the kernel resolves the link first and lands in the state folder.
      `${outside}/store-link/../audit.jsonl`,
      join(outside, 'config-link', 'config.json'),
      `${xdg.paths.stateDir}/./store/../audit.jsonl`,
    ];
    for (const out of attempts) {
      await expect(core.environments.exportDotenv('shop', 'dev', { out }), out).rejects.toMatchObject({
        kind: 'PermissionDenied',
        message: expect.stringContaining("inside Latchkey's own folder"),
      });
    }
    expect(await readFile(own('store', 'keyinfo.json'), 'utf8')).toBe(precious.keyinfo);
    expect(await readFile(join(xdg.paths.configDir, 'config.json'), 'utf8')).toBe(precious.config);
    expect(await readFile(own('audit.jsonl'), 'utf8')).not.toContain(VALUE);
    await expect(lstat(own('new-file.env'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(lstat(own('not-yet.env'))).rejects.toMatchObject({ code: 'ENOENT' });
    // The store still opens: nothing was replaced.
    expect((await core.refs.get('file://shop/dev/API_KEY', {})).value).toBe(VALUE);
    expect((await core.audit.verify()).intact).toBe(true);
  });

  it('writes anywhere else, including next to the folders and in a folder named like them', async () => {
    const beside = join(xdg.root, 'state', 'latchkey-exports');
    await mkdir(beside);
    for (const out of [join(outside, '.env'), join(beside, 'dev.env'), join(outside, '..foo')]) {
      await core.environments.exportDotenv('shop', 'dev', { out });
      expect(parse(await readFile(out, 'utf8'))).toEqual({ API_KEY: VALUE });
      expect((await stat(out)).mode & 0o777).toBe(0o600);
    }
  });

  it('a folder that does not exist or a path naming a folder is refused with what to do', async () => {
    await expect(core.environments.exportDotenv('shop', 'dev', { out: join(outside, 'missing', 'x.env') })).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringContaining('does not exist') });
    await expect(core.environments.exportDotenv('shop', 'dev', { out: `${outside}/` })).rejects.toMatchObject({ kind: 'InvalidInput' });
  });

  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!asRoot) console.warn('[skipped] export over another user’s file: needs root to create a file owned by nobody');
  it.skipIf(!asRoot)('as root, exporting over a file owned by nobody leaves a file owned by root, mode 0600', async () => {
    const out = join(outside, 'nobody.env');
    await writeFile(out, 'old', { mode: 0o644 });
    await chown(out, 65534, 65534);
    await core.environments.exportDotenv('shop', 'dev', { out });
    const after = await stat(out);
    expect([after.uid, after.gid, after.mode & 0o777]).toEqual([0, process.getgid!(), 0o600]);
  });
});

describeWithKeyring('env export --out on the built CLI (real keyring)', () => {
  const keychain = realKeychain();
  let xdg: TempXdg;
  beforeAll(async () => {
    xdg = await createTempXdg();
  });
  afterAll(async () => {
    await forgetStoreKey(keychain, xdg.paths.stateDir);
    await xdg.cleanup();
  });

  it('--out $XDG_STATE_HOME/latchkey/audit.jsonl and …/store/keyinfo.json are refused; later commands still work', async () => {
    const run = (args: string[], input?: string) => runLatchkey(args, { env: xdg.env, ...(input === undefined ? {} : { input }) });
    expect((await run(['secrets', 'set', 'file://shop/dev/API_KEY', '--value-stdin'], VALUE)).code).toBe(0);
    for (const out of [join(xdg.paths.stateDir, 'audit.jsonl'), join(xdg.paths.stateDir, 'store', 'keyinfo.json')]) {
      const result = await run(['env', 'export', '--project', 'shop', '--env', 'dev', '--out', out]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("inside Latchkey's own folder");
    }
    expect((await run(['secrets', 'get', 'file://shop/dev/API_KEY'])).stdout).toBe(VALUE);
    const verified = await run(['audit', 'verify', '--json']);
    expect(verified.code).toBe(0);
    expect(await readFile(join(xdg.paths.stateDir, 'audit.jsonl'), 'utf8')).not.toContain(VALUE);
  });
});
