import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { DataKey } from '../crypto/sealed-box';
import { LatchkeyError } from '../errors';
import type { PrivateTree } from '../fs/private-files';

/**
 * Rollback detection for the local store. A secret file is self-consistent, so an older copy of it put
 * back (copied aside, the secret set again, copied back) would open and answer with the old value. Next
 * to each `<KEY>.secret` the store keeps `<KEY>.version`: the latest version written (or that the secret
 * was deleted at it), with an HMAC under a key derived from the store's data key and bound to the
 * environment and key — so a mark cannot be forged without the data key, nor copied onto another secret.
 * A file older than its mark is refused.
 *
 * The mark is written after the secret file (atomically, without fsync): after a crash it may lag behind
 * the file, never run ahead, so a file newer than its mark is accepted. What it does not catch: the file
 * and its mark put back together, or a mark deleted along with the rollback (a secret not written since
 * marks were introduced has none yet). See SECURITY.md.
 */
export interface VersionMark {
  version: number;
  deleted: boolean;
}

const MARK_SUFFIX = '.version';
const markSchema = z.object({ v: z.literal(1), version: z.number().int().positive(), deleted: z.boolean(), mac: z.string().regex(/^[0-9a-f]{64}$/) }).strict();

export function createVersionMarks(tree: PrivateTree) {
  const subkeys = new WeakMap<Buffer, Buffer>();
  const macOf = (dataKey: DataKey, environmentId: string, key: string, mark: VersionMark): string => {
    let subkey = subkeys.get(dataKey.key);
    if (subkey === undefined) {
      subkey = createHmac('sha256', dataKey.key).update('latchkey-version-mark-key:v1').digest();
      subkeys.set(dataKey.key, subkey);
    }
    return createHmac('sha256', subkey).update(['latchkey-version-mark:v1', environmentId, key, String(mark.version), mark.deleted ? 'deleted' : 'current'].join('\0')).digest('hex');
  };
  const parts = (environmentId: string, key: string) => [environmentId, `${key}${MARK_SUFFIX}`];

  return {
    /** The secret's mark; undefined when it has none. A mark that is not one, or not for this secret, is refused. */
    async read(dataKey: DataKey, environmentId: string, key: string, where: string): Promise<VersionMark | undefined> {
      let raw: Buffer;
      try {
        raw = await tree.read(parts(environmentId, key));
      } catch (error) {
        if (error instanceof LatchkeyError && error.kind === 'NotFound') return undefined;
        throw error;
      }
      const parsed = markSchema.safeParse(safeJson(raw));
      const mark = parsed.success ? { version: parsed.data.version, deleted: parsed.data.deleted } : undefined;
      const expected = mark === undefined ? undefined : Buffer.from(macOf(dataKey, environmentId, key, mark), 'hex');
      if (mark === undefined || expected === undefined || !timingSafeEqual(expected, Buffer.from(parsed.data!.mac, 'hex'))) {
        throw new LatchkeyError(
          'PermissionDenied',
          `${where} has a version mark (${tree.resolve(...parts(environmentId, key))}) that Latchkey did not write: it was edited or copied from another secret. ` +
            'Check who changed the store, then delete that .version file and set the secret again.',
        );
      }
      return mark;
    },

    async write(dataKey: DataKey, environmentId: string, key: string, mark: VersionMark): Promise<void> {
      const body = { v: 1, version: mark.version, deleted: mark.deleted, mac: macOf(dataKey, environmentId, key, mark) };
      // Lagging after a crash is allowed (the secret file is fsynced first): no fsync.
      await tree.write(parts(environmentId, key), JSON.stringify(body), { fsync: false });
    },
  };
}

export type VersionMarks = ReturnType<typeof createVersionMarks>;

/** The refusal of a secret file older than its mark. */
export function rolledBack(where: string, fileVersion: number, mark: VersionMark): LatchkeyError {
  const since = mark.deleted ? `the secret was deleted at version ${mark.version}` : `version ${mark.version} was written since`;
  return new LatchkeyError(
    'PermissionDenied',
    `${where} was rolled back: its file holds version ${fileVersion}, but ${since}. An older copy of the file was put back (by someone, ` +
      'a backup restore or a sync tool), so it is not read. Restore the current file, or delete the secret and set it again.',
  );
}

function safeJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
