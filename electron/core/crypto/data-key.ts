import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { LatchkeyError } from '../errors';
import type { FileLocks } from '../fs/locks';
import type { PrivateTree } from '../fs/private-files';
import type { Keychain } from '../keychain';
import type { DataKey } from './sealed-box';

/**
 * The 256-bit data key of the local store lives in the OS keychain (service "latchkey", one account per
 * store). The store keeps a non-secret marker, keyinfo.json, naming that account and the key's id, so a
 * missing or replaced keychain entry is reported instead of silently starting a second, different key.
 */
export const KEYCHAIN_SERVICE = 'latchkey';
const MARKER = 'keyinfo.json';

const markerSchema = z.object({ account: z.string().regex(/^data-key:[0-9a-f-]{36}$/), kid: z.string().regex(/^[0-9a-f]{16}$/) });

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export interface DataKeyProvider {
  get(): Promise<DataKey>;
  /** Drops the cached key from memory (on lock); the next get() reads the keychain again. */
  forget(): void;
  /** Reads the store's key from the keychain again, to unlock the app; never creates a key. */
  verify(): Promise<void>;
}

export function createDataKeyProvider(deps: { keychain: Keychain; tree: PrivateTree; locks: FileLocks }): DataKeyProvider {
  const { keychain, tree, locks } = deps;
  let cached: DataKey | undefined;
  // Bumped by forget(): a key that was being read when the app locked is used once, never cached.
  let epoch = 0;

  const readMarker = async () => {
    if (!(await tree.exists(MARKER))) return undefined;
    const parsed = markerSchema.safeParse(parseJson((await tree.read([MARKER])).toString('utf8')));
    if (!parsed.success) {
      throw new LatchkeyError('InvalidInput', `${tree.resolve(MARKER)} is damaged. Restore it from a backup; it names the keychain entry of this store.`);
    }
    return parsed.data;
  };

  const load = async (): Promise<DataKey> => {
    const marker = await readMarker();
    if (marker !== undefined) {
      const stored = await keychain.getPassword(KEYCHAIN_SERVICE, marker.account);
      if (stored === null) {
        throw new LatchkeyError(
          'PermissionDenied',
          // A locked keychain whose unlock prompt cannot be shown (no display, or dismissed) answers "no such entry" too.
          `The data key of the store in ${tree.root} is missing from the OS keychain (entry "${KEYCHAIN_SERVICE} / ${marker.account}"), or the keychain is locked. ` +
            'Unlock your keychain and try again; if the entry is gone, restore it from a backup — without it the stored secrets cannot be decrypted.',
        );
      }
      const key = Buffer.from(stored, 'base64');
      if (key.length !== 32 || keyId(key) !== marker.kid) {
        throw new LatchkeyError(
          'PermissionDenied',
          `The keychain entry "${KEYCHAIN_SERVICE} / ${marker.account}" does not hold this store's data key (expected key id ${marker.kid}). Restore the original entry.`,
        );
      }
      return { kid: marker.kid, key };
    }
    const key = randomBytes(32);
    const account = `data-key:${randomUUID()}`;
    await keychain.setPassword(KEYCHAIN_SERVICE, account, key.toString('base64'));
    await tree.write([MARKER], `${JSON.stringify({ account, kid: keyId(key) }, null, 2)}\n`);
    return { kid: keyId(key), key };
  };

  return {
    async get() {
      // The lock makes the app and the CLI agree on one key when both start on an empty store.
      if (cached !== undefined) return cached;
      const started = epoch;
      await tree.ensureDir();
      const key = await locks.withLock(tree.resolve(MARKER), load);
      if (epoch === started) cached = key;
      return key;
    },
    forget() {
      epoch += 1;
      cached?.key.fill(0);
      cached = undefined;
    },
    async verify() {
      if ((await readMarker()) === undefined) {
        // No store yet, so no key to protect: it is enough that the keychain answers.
        await keychain.findAccounts(KEYCHAIN_SERVICE);
        return;
      }
      const key = await load();
      key.key.fill(0);
    },
  };
}

/** JSON.parse without its exception, whose message quotes the input. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
