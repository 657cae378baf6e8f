import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { LatchkeyError } from '../errors';
import type { FileLocks } from '../fs/locks';
import type { PrivateTree } from '../fs/private-files';
import type { Keychain } from '../keychain';
import { ownKeychainService } from '../keychain-namespace';
import type { DataKey } from './sealed-box';

/**
 * The 256-bit data key of the local store lives in the OS keychain (service "latchkey", one account per
 * store). The store keeps a non-secret marker, keyinfo.json, naming that account and the key's id, so a
 * missing or replaced keychain entry is reported instead of silently starting a second, different key.
 * A new key is made only for a store that holds no sealed file yet; a missing marker next to sealed
 * files is refused, with the marker to write back when the keychain still holds their key.
 */
export const KEYCHAIN_SERVICE = ownKeychainService();
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
    // A store that already holds sealed files has a key somewhere: a new one would not open them, and
    // writes under it would split the store between two keys. Refuse and say how to relink the old one.
    const sealed = await sealedFilesOf(tree);
    if (sealed.count > 0) throw await markerMissing(keychain, tree, sealed);
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

/** How many sealed (`.secret`) files the store holds, and the ids of the keys that sealed them. */
async function sealedFilesOf(tree: PrivateTree): Promise<{ count: number; kids: Set<string> }> {
  const kids = new Set<string>();
  let count = 0;
  for (const folder of await tree.list()) {
    if (!folder.isDirectory || folder.name.endsWith('.lock')) continue;
    const files = (await tree.list(folder.name)).filter((file) => !file.isDirectory && file.name.endsWith('.secret'));
    count += files.length;
    // The first file of each folder names the key; every file is checked on its own when it is opened.
    const first = files[0];
    if (first === undefined) continue;
    const kid = boxKid(parseJson((await tree.read([folder.name, first.name]).catch(() => Buffer.alloc(0))).toString('utf8')));
    if (kid !== undefined) kids.add(kid);
  }
  return { count, kids };
}

function boxKid(file: unknown): string | undefined {
  const kid = (file as { box?: { kid?: unknown } } | undefined)?.box?.kid;
  return typeof kid === 'string' && /^[0-9a-f]{16}$/.test(kid) ? kid : undefined;
}

async function markerMissing(keychain: Keychain, tree: PrivateTree, sealed: { count: number; kids: Set<string> }): Promise<LatchkeyError> {
  const marker = tree.resolve(MARKER);
  const what =
    `The store in ${tree.root} holds ${sealed.count} encrypted secret file(s), but its key marker ${marker} is missing, ` +
    'so Latchkey cannot tell which OS keychain entry holds their key. Nothing was changed, and no new key was made (it could not open them). ';
  const kids = [...sealed.kids];
  for (const account of await keychain.findAccounts(KEYCHAIN_SERVICE)) {
    if (!markerSchema.shape.account.safeParse(account).success) continue;
    const stored = await keychain.getPassword(KEYCHAIN_SERVICE, account);
    const key = stored === null ? undefined : Buffer.from(stored, 'base64');
    const kid = key?.length === 32 ? keyId(key) : undefined;
    key?.fill(0);
    if (kid !== undefined && kids.includes(kid)) {
      return new LatchkeyError(
        'PermissionDenied',
        `${what}The keychain entry "${KEYCHAIN_SERVICE} / ${account}" holds their key. Restore the marker from a backup, or write it again ` +
          `(mode 600): umask 077 && printf '%s\\n' '${JSON.stringify({ account, kid })}' > '${marker}'`,
      );
    }
  }
  return new LatchkeyError(
    'PermissionDenied',
    `${what}No entry of the OS keychain (service "${KEYCHAIN_SERVICE}") holds their key${kids.length === 0 ? '' : ` (key id ${kids.join(', ')})`}. ` +
      `Restore ${marker} and that keychain entry from a backup, or move ${tree.root} aside to start an empty store.`,
  );
}

/** JSON.parse without its exception, whose message quotes the input. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
