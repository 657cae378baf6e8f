import { copyFile, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { KEYCHAIN_SERVICE } from '../../../electron/core/crypto/data-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';

const CANARY = 'canary-8f1d2c3b-do-not-leak';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describeWithKeyring('local encrypted store (real files, real keyring)', () => {
  let xdg: TempXdg;
  let core: Core;
  beforeEach(async () => {
    xdg = await createTempXdg();
    core = createCore({ paths: xdg.paths, keychain: realKeychain() });
  });
  afterEach(() => xdg.cleanup());

  it('round-trips a value, keeps it encrypted at rest, with 0600 files and 0700 directories', async () => {
    await core.refs.set('file://demo/dev/API_KEY', CANARY);
    expect((await core.refs.get('file://demo/dev/API_KEY')).value).toBe(CANARY);

    const files = [...(await filesUnder(xdg.paths.stateDir)), ...(await filesUnder(xdg.paths.configDir))];
    expect(files.length).toBeGreaterThanOrEqual(3); // keyinfo.json, the secret, config.json
    for (const file of files) {
      expect((await stat(file)).mode & 0o777, file).toBe(0o600);
      expect(await readFile(file, 'utf8'), file).not.toContain(CANARY);
    }
    const dirs = (await readdir(xdg.paths.stateDir, { withFileTypes: true, recursive: true })).filter((entry) => entry.isDirectory());
    for (const dir of dirs) expect((await stat(join(dir.parentPath, dir.name))).mode & 0o777).toBe(0o700);
  });

  it('reports a missing secret as NotFound, never as an empty value', async () => {
    await core.refs.set('file://demo/dev/PRESENT', 'x');
    await expect(core.refs.get('file://demo/dev/ABSENT')).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(core.refs.get('file://nope/dev/X')).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('answers NotFound at once for a delete in an environment that has no secrets yet (found by the IPC fuzzer)', async () => {
    await core.projects.createProject('demo');
    await core.projects.createEnvironment('demo', 'empty');
    // Before the fix this waited ~40 s for a lock in a folder that does not exist, then blamed another process.
    await expect(core.secrets.remove('demo', 'empty', 'NOTHING')).rejects.toMatchObject({ kind: 'NotFound', message: 'No secret file://demo/empty/NOTHING.' });
  });

  it('keeps the last ten versions and reads an older one by number', async () => {
    for (let i = 1; i <= 12; i += 1) await core.refs.set('file://demo/dev/ROTATED', `value-${i}`);
    const description = await core.refs.describe('file://demo/dev/ROTATED');
    expect(description.versions.map((version) => version.version)).toEqual(['12', '11', '10', '9', '8', '7', '6', '5', '4', '3']);
    expect(description.versions[0]!.current).toBe(true);
    expect((await core.refs.get('file://demo/dev/ROTATED', { version: '5' })).value).toBe('value-5');
    await expect(core.refs.get('file://demo/dev/ROTATED', { version: '2' })).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('refuses a stale check-and-set write with Conflict', async () => {
    await core.projects.createProject('shop');
    await core.projects.createEnvironment('shop', 'dev');
    await core.secrets.create('shop', 'dev', 'TOKEN', 'one');
    await expect(core.secrets.create('shop', 'dev', 'TOKEN', 'two')).rejects.toMatchObject({ kind: 'Conflict' });
    await core.secrets.update('shop', 'dev', 'TOKEN', { value: 'two', expectedVersion: '1' });
    await expect(core.secrets.update('shop', 'dev', 'TOKEN', { value: 'three', expectedVersion: '1' })).rejects.toMatchObject({ kind: 'Conflict' });
    expect((await core.secrets.reveal('shop', 'dev', 'TOKEN')).value).toBe('two');
  });

  it('detects a secret file copied onto another key (authenticated data binds the location)', async () => {
    await core.refs.set('file://demo/dev/A', 'value-a');
    await core.refs.set('file://demo/dev/B', 'value-b');
    const environmentId = (await core.projects.find('demo', 'dev')).environment.id;
    const dir = join(xdg.paths.stateDir, 'store', environmentId);
    await copyFile(join(dir, 'A.secret'), join(dir, 'B.secret'));
    await expect(core.refs.get('file://demo/dev/B')).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('integrity') });
  });

  it('says which keychain entry is missing instead of starting a new key', async () => {
    await core.refs.set('file://demo/dev/A', 'value-a');
    const marker = JSON.parse(await readFile(join(xdg.paths.stateDir, 'store', 'keyinfo.json'), 'utf8')) as { account: string };
    await realKeychain().deletePassword(KEYCHAIN_SERVICE, marker.account);
    const fresh = createCore({ paths: xdg.paths, keychain: realKeychain() });
    await expect(fresh.refs.get('file://demo/dev/A')).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining(marker.account) });
  });

  it('two cores sharing one store lose no update', async () => {
    const other = createCore({ paths: xdg.paths, keychain: realKeychain() });
    await core.refs.set('file://demo/dev/COUNTER', 'start');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? core : other).refs.set(`file://demo/dev/COUNTER`, `write-${i}`)),
    );
    const versions = (await core.refs.describe('file://demo/dev/COUNTER')).versions;
    expect(versions[0]!.version).toBe('21');
  });

  it('requires confirmation for writes to a protected environment', async () => {
    await expect(core.refs.set('file://demo/prod/DB_PASSWORD', 'x')).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    await core.refs.set('file://demo/prod/DB_PASSWORD', 'x', { confirmed: true });
    expect((await core.projects.find('demo', 'prod')).environment.protected).toBe(true);
    await expect(core.secrets.remove('demo', 'prod', 'DB_PASSWORD')).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
  });

  it('renaming an environment keeps its secrets; deleting it removes them', async () => {
    await core.refs.set('file://demo/dev/A', 'value-a');
    await core.projects.updateEnvironment('demo', 'dev', { name: 'development' }, {});
    expect((await core.refs.get('file://demo/development/A')).value).toBe('value-a');
    await expect(core.projects.deleteEnvironment('demo', 'development', {})).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    const environmentId = (await core.projects.find('demo', 'development')).environment.id;
    await core.projects.deleteEnvironment('demo', 'development', { confirmed: true });
    await expect(stat(join(xdg.paths.stateDir, 'store', environmentId))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('records every write, reveal, copy and delete in the audit trail, without the value', async () => {
    await core.projects.createProject('audited');
    await core.projects.createEnvironment('audited', 'dev');
    await core.secrets.create('audited', 'dev', 'TOKEN', CANARY);
    await core.secrets.reveal('audited', 'dev', 'TOKEN');
    await core.secrets.copyValue('audited', 'dev', 'TOKEN');
    await core.secrets.update('audited', 'dev', 'TOKEN', { note: 'rotated monthly' });
    await core.secrets.remove('audited', 'dev', 'TOKEN');
    await expect(core.secrets.reveal('audited', 'dev', 'TOKEN')).rejects.toMatchObject({ kind: 'NotFound' });
    await core.refs.get('file://demo/dev/A').catch(() => undefined);
    const entries = await core.audit.tail(100);
    expect(entries.map((entry) => `${entry.action}:${entry.outcome}`)).toEqual([
      'secret.write:started',
      'secret.write:ok',
      'secret.reveal:ok',
      'secret.copy:ok',
      'secret.write:started',
      'secret.write:ok',
      'secret.delete:started',
      'secret.delete:ok',
      'secret.reveal:failed',
      'secret.reveal:failed',
    ]);
    expect(entries[0]).toMatchObject({ ref: 'file://audited/dev/TOKEN', project: 'audited', environment: 'dev' });
    expect(entries[1]).toMatchObject({ version: '1' });
    expect(entries[8]).toMatchObject({ error_kind: 'NotFound' });
    expect(await readFile(core.audit.path, 'utf8')).not.toContain(CANARY);
    expect((await core.audit.verify()).intact).toBe(true);
  });

  it('lists with search on key and note', async () => {
    await core.projects.createProject('web');
    await core.projects.createEnvironment('web', 'dev');
    await core.secrets.create('web', 'dev', 'STRIPE_KEY', 'a', { note: 'payments' });
    await core.secrets.create('web', 'dev', 'DB_URL', 'b', { note: 'postgres' });
    expect((await core.secrets.list('web', 'dev')).map((item) => item.key)).toEqual(['DB_URL', 'STRIPE_KEY']);
    expect((await core.secrets.list('web', 'dev', { query: 'PAY' })).map((item) => item.key)).toEqual(['STRIPE_KEY']);
    expect((await core.secrets.list('web', 'dev', { query: 'db' })).map((item) => item.key)).toEqual(['DB_URL']);
  });
});
