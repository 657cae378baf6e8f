import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KEYCHAIN_SERVICE } from '../../electron/core/crypto/data-key';
import type { Keychain } from '../../electron/core/keychain';

/**
 * Removes the data key of one test's local store from the keyring, and nothing else: tests in other
 * workers share the keyring, and their stores' keys must stay.
 */
export async function forgetStoreKey(keychain: Keychain, stateDir: string): Promise<void> {
  const marker = await readFile(join(stateDir, 'store', 'keyinfo.json'), 'utf8').catch(() => undefined);
  const account = marker === undefined ? undefined : (JSON.parse(marker) as { account?: string }).account;
  if (account !== undefined) await keychain.deletePassword(KEYCHAIN_SERVICE, account);
}
