import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDataKeyProvider, KEYCHAIN_SERVICE } from '../../../electron/core/crypto/data-key';
import { FileLocks } from '../../../electron/core/fs/locks';
import { PrivateTree } from '../../../electron/core/fs/private-files';
import { createMemoryKeychain } from '../../doubles/memory-keychain';

// The store's data key and its marker (keyinfo.json), over a real folder and an in-memory keychain that
// this test alone sees: the OS keychain of the integration run is shared by test files running at the
// same time, so only here can "no key was made" be checked exactly (key-marker.test.ts checks the rest
// through the built CLI).
describe('the store data key when its marker is missing', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('makes no second key for a store that holds sealed files, and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-data-key-'));
    dirs.push(dir);
    const keychain = createMemoryKeychain();
    const tree = new PrivateTree(join(dir, 'store'), { ownedFrom: dir });
    const provider = () => createDataKeyProvider({ keychain, tree, locks: new FileLocks() });

    const first = await provider().get();
    expect(await keychain.findAccounts(KEYCHAIN_SERVICE)).toHaveLength(1);
    await tree.ensureDir('shop');
    await tree.write(['shop', 'API_KEY.secret'], JSON.stringify({ box: { kid: first.kid } }));
    await rm(tree.resolve('keyinfo.json'));

    await expect(provider().get()).rejects.toThrow(/no new key was made/);
    expect(await keychain.findAccounts(KEYCHAIN_SERVICE)).toHaveLength(1);
  });

  it('makes the first key of an empty store, once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-data-key-'));
    dirs.push(dir);
    const keychain = createMemoryKeychain();
    const tree = new PrivateTree(join(dir, 'store'), { ownedFrom: dir });
    const [a, b] = await Promise.all([0, 1].map(() => createDataKeyProvider({ keychain, tree, locks: new FileLocks() }).get()));
    expect(a!.kid).toBe(b!.kid);
    expect(await keychain.findAccounts(KEYCHAIN_SERVICE)).toHaveLength(1);
  });
});
