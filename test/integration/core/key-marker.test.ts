import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KEYCHAIN_SERVICE } from '../../../electron/core/crypto/data-key';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey } from '../cli/run-cli';

// Issue 15, item 7: with store/keyinfo.json deleted, the next write silently made a second data key,
// later writes used it, and restoring the old marker then broke the new secrets. A store that holds
// sealed files and no marker is refused with what happened and what to do; following the advice
// restores the store (built CLI, real keyring).

describeWithKeyring('a store whose key marker is missing (built CLI, real keyring)', () => {
  const keychain = realKeychain();
  let xdg: TempXdg;
  const run = (args: string[], input?: string) => runLatchkey(args, { env: xdg.env, ...(input === undefined ? {} : { input }) });
  const marker = () => join(xdg.paths.stateDir, 'store', 'keyinfo.json');

  beforeAll(async () => {
    xdg = await createTempXdg();
  });
  afterAll(async () => {
    await forgetStoreKey(keychain, xdg.paths.stateDir);
    await xdg.cleanup();
  });

  it('refuses reads and writes, makes no second key, and the marker it prints brings the store back', async () => {
    expect((await run(['secrets', 'set', 'file://shop/dev/API_KEY', '--value-stdin'], 'first-value')).code).toBe(0);
    const original = await readFile(marker(), 'utf8');
    await rm(marker());

    const write = await run(['secrets', 'set', 'file://shop/dev/OTHER', '--value-stdin'], 'second-value');
    expect(write.code).toBe(1);
    expect(write.stderr).toContain('keyinfo.json is missing');
    expect(write.stderr).toContain('no new key was made');
    const read = await run(['secrets', 'get', 'file://shop/dev/API_KEY']);
    expect(read.code).toBe(1);
    expect(read.stderr).toContain('keyinfo.json is missing');
    await expect(readFile(marker())).rejects.toMatchObject({ code: 'ENOENT' });
    // That no keychain entry was made is checked in test/unit/core/data-key.test.ts: this keychain is
    // shared with test files running at the same time, which make entries of their own.

    // The message names the keychain entry that still holds the key and the command that writes the marker back.
    const account = (JSON.parse(original) as { account: string }).account;
    expect(read.stderr).toContain(`"latchkey / ${account}"`);
    const command = /(umask 077 && printf .*)$/m.exec(read.stderr)?.[1];
    expect(command).toBeDefined();
    execFileSync('/bin/sh', ['-c', command!]);
    expect(JSON.parse(await readFile(marker(), 'utf8'))).toEqual(JSON.parse(original));
    expect((await run(['secrets', 'get', 'file://shop/dev/API_KEY'])).stdout).toBe('first-value');
    expect((await run(['secrets', 'set', 'file://shop/dev/OTHER', '--value-stdin'], 'second-value')).code).toBe(0);
  });

  it('without the keychain entry either, it says so and offers to restore both or start over', async () => {
    const account = (JSON.parse(await readFile(marker(), 'utf8')) as { account: string }).account;
    const key = await keychain.getPassword(KEYCHAIN_SERVICE, account);
    await rm(marker());
    await keychain.deletePassword(KEYCHAIN_SERVICE, account);
    try {
      const read = await run(['secrets', 'get', 'file://shop/dev/API_KEY']);
      expect(read.code).toBe(1);
      expect(read.stderr).toMatch(/No entry of the OS keychain \(service "latchkey"\) holds their key \(key id [0-9a-f]{16}\)/);
      expect(read.stderr).toContain('move');
      expect(await keychain.findAccounts(KEYCHAIN_SERVICE)).not.toContain(account);
    } finally {
      await keychain.setPassword(KEYCHAIN_SERVICE, account, key!);
    }
  });

  it('an empty store without a marker still starts its key', async () => {
    const fresh = await createTempXdg();
    try {
      expect((await runLatchkey(['secrets', 'set', 'file://shop/dev/A', '--value-stdin'], { env: fresh.env, input: 'v' })).code).toBe(0);
      expect(JSON.parse(await readFile(join(fresh.paths.stateDir, 'store', 'keyinfo.json'), 'utf8'))).toMatchObject({ account: expect.stringMatching(/^data-key:/) });
    } finally {
      await forgetStoreKey(keychain, fresh.paths.stateDir);
      await fresh.cleanup();
    }
  });
});
