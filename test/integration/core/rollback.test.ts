import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from '../cli/run-cli';

// Issue 15, item 9: an older copy of a secret file was accepted (copy A.secret aside, set a new value,
// copy the old file back: get returned the old value, history showed only v1). Each secret's version
// mark, MACed with a key derived from the data key, makes that a refusal (built CLI, real keyring).

describeWithKeyring('rollback of a secret file (built CLI, real keyring)', () => {
  const keychain = realKeychain();
  let xdg: TempXdg;
  let core: Core;
  let dir: string;
  const run = (args: string[], input?: string) => runLatchkey(args, { env: xdg.env, ...(input === undefined ? {} : { input }) });
  const set = (key: string, value: string) => run(['secrets', 'set', `file://shop/dev/${key}`, '--value-stdin'], value);
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    xdg = await createTempXdg();
    expect((await set('A', 'old-value')).code).toBe(0);
    core = createCore({ paths: xdg.paths, keychain });
    dir = join(xdg.paths.stateDir, 'store', (await core.projects.find('shop', 'dev')).environment.id);
  });
  afterAll(async () => {
    await forgetStoreKey(keychain, xdg.paths.stateDir);
    await xdg.cleanup();
  });

  it('an old copy of A.secret put back after a new value is refused by get, history and set, and marked by ls; delete and set recovers', async () => {
    await copyFile(file('A.secret'), join(xdg.root, 'A.secret.old'));
    expect((await set('A', 'new-value')).code).toBe(0);
    await copyFile(join(xdg.root, 'A.secret.old'), file('A.secret'));

    for (const args of [['secrets', 'get', 'file://shop/dev/A'], ['secrets', 'history', 'file://shop/dev/A']]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain('was rolled back: its file holds version 1, but version 2 was written since');
      expect(result.stdout).not.toContain('old-value');
    }
    // A listing goes on, and marks the rolled-back secret (as it marks any damaged one).
    const listed = await run(['secrets', 'ls', 'file://shop/']);
    expect(listed.stdout).toMatch(/file:\/\/shop\/dev\/A {2}DAMAGED {2}.*was rolled back/);
    expect(listed.stdout).not.toContain('old-value');
    // A write on top of the old copy is refused too; deleting it and setting again is the way out, and
    // numbering goes on from the version the mark knew.
    expect((await set('A', 'on-top')).stderr).toContain('was rolled back');
    expect((await run(['secrets', 'rm', 'file://shop/dev/A'])).code).toBe(0);
    expect(JSON.parse((await run(['secrets', 'set', 'file://shop/dev/A', '--value-stdin', '--json'], 'fresh-value')).stdout)).toMatchObject({ version: '3' });
    expect((await run(['secrets', 'get', 'file://shop/dev/A'])).stdout).toBe('fresh-value');
  });

  it('a deleted secret whose file is put back is refused; a new secret of that name continues its numbering', async () => {
    expect((await set('B', 'b1')).code).toBe(0);
    await copyFile(file('B.secret'), join(xdg.root, 'B.secret.old'));
    expect((await run(['secrets', 'rm', 'file://shop/dev/B'])).code).toBe(0);
    await copyFile(join(xdg.root, 'B.secret.old'), file('B.secret'));
    const read = await run(['secrets', 'get', 'file://shop/dev/B']);
    expect(read.code).toBe(1);
    expect(read.stderr).toContain('the secret was deleted at version 1');
    await rm(file('B.secret'));
    expect(JSON.parse((await run(['secrets', 'set', 'file://shop/dev/B', '--value-stdin', '--json'], 'b2')).stdout)).toMatchObject({ version: '2' });
  });

  it('a mark edited by hand, or copied from another secret, is refused', async () => {
    expect((await set('C', 'c1')).code).toBe(0);
    expect((await set('D', 'd1')).code).toBe(0);
    expect((await set('D', 'd2')).code).toBe(0);
    const mark = await readFile(file('C.version'), 'utf8');
    await writeFile(file('C.version'), mark.replace('"version":1', '"version":7'));
    expect((await run(['secrets', 'get', 'file://shop/dev/C'])).stderr).toContain('that Latchkey did not write');
    await writeFile(file('C.version'), mark);
    expect((await run(['secrets', 'get', 'file://shop/dev/C'])).stdout).toBe('c1');
    await copyFile(file('D.version'), file('C.version'));
    expect((await run(['secrets', 'get', 'file://shop/dev/C'])).stderr).toContain('that Latchkey did not write');
    await writeFile(file('C.version'), mark);
  });

  it('a mark that lags behind its file (a crash between the two writes) is accepted and catches up', async () => {
    expect((await set('E', 'e1')).code).toBe(0);
    const lagging = await readFile(file('E.version'), 'utf8');
    expect((await set('E', 'e2')).code).toBe(0);
    await writeFile(file('E.version'), lagging);
    expect((await run(['secrets', 'get', 'file://shop/dev/E'])).stdout).toBe('e2');
    expect((await set('E', 'e3')).code).toBe(0);
    expect(JSON.parse(await readFile(file('E.version'), 'utf8'))).toMatchObject({ version: 3, deleted: false });
  });
});
