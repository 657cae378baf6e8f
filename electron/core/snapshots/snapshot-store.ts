import { join } from 'node:path';
import { z } from 'zod';
import type { DataKeyProvider } from '../crypto/data-key';
import { open, seal } from '../crypto/sealed-box';
import { invalidInput, isLatchkeyError, LatchkeyError, notFound } from '../errors';
import type { FileLocks } from '../fs/locks';
import { PrivateTree } from '../fs/private-files';
import { SNAPSHOT_ID } from '../audit/entry';
import { restoreJournalSchema, type RestoreJournal } from './restore-journal';
import { snapshotFileSchema, snapshotReasons, SNAPSHOT_NOTE, type SnapshotFile } from './snapshot-record';

/**
 * Snapshots on disk: `<state>/snapshots/<environment id>/` holds one `<id>.json` per snapshot, the
 * list of pruned ones (`pruned.json`) and, while a restore runs, its journal (`restore-journal.json`).
 * Every file is private (0600) and written atomically; the escrowed values are one AES-256-GCM box
 * sealed with the local store's data key, bound to the environment and the snapshot.
 */
export const SNAPSHOTS_DIR = 'snapshots';
const PRUNED_FILE = 'pruned.json';
const JOURNAL_FILE = 'restore-journal.json';
/** Pruned snapshots stay named in the list this long (the newest this many). */
const PRUNED_KEPT = 200;

const escrowSchema = z.object({ values: z.record(z.string(), z.string()) }).strict();

export const prunedSnapshotSchema = z
  .object({
    id: z.string().regex(SNAPSHOT_ID),
    created_at: z.string().max(64),
    reason: z.enum(snapshotReasons),
    note: z.string().regex(SNAPSHOT_NOTE).optional(),
    pruned_at: z.string().max(64),
    why: z.enum(['count', 'age']),
  })
  .strict();
export type PrunedSnapshot = z.infer<typeof prunedSnapshotSchema>;
const prunedFileSchema = z.object({ v: z.literal(1), pruned: z.array(prunedSnapshotSchema).max(PRUNED_KEPT) }).strict();

export interface OpenedSnapshot {
  file: SnapshotFile;
  /** The escrowed values, decrypted with the store's data key (empty when nothing is escrowed). */
  values(): Promise<Map<string, string>>;
}

export interface SnapshotStore {
  save(file: Omit<SnapshotFile, 'escrow'>, escrowed: ReadonlyMap<string, string>): Promise<void>;
  open(environmentId: string, id: string): Promise<OpenedSnapshot>;
  /** Every snapshot of the environment, oldest first, and the file names that could not be read. */
  list(environmentId: string): Promise<{ snapshots: SnapshotFile[]; damaged: string[] }>;
  remove(environmentId: string, id: string): Promise<void>;
  pruned(environmentId: string): Promise<PrunedSnapshot[]>;
  recordPruned(environmentId: string, entries: PrunedSnapshot[]): Promise<void>;
  journal(environmentId: string): Promise<RestoreJournal | undefined>;
  writeJournal(environmentId: string, journal: RestoreJournal): Promise<void>;
  clearJournal(environmentId: string): Promise<void>;
  /**
   * Serialises work on one environment across processes: `snapshots` guards its list (save, prune),
   * `restore` lets one restore of it run at a time.
   */
  withLock<T>(environmentId: string, what: 'snapshots' | 'restore', work: () => Promise<T>): Promise<T>;
  removeEnvironment(environmentId: string): Promise<void>;
}

export function createSnapshotStore(options: { stateDir: string; locks: FileLocks; dataKey: DataKeyProvider }): SnapshotStore {
  const tree = new PrivateTree(join(options.stateDir, SNAPSHOTS_DIR), { ownedFrom: options.stateDir });
  const aad = (environmentId: string, id: string) => `latchkey-snapshot:v1:${environmentId}:${id}`;
  const checkId = (id: string) => {
    if (!SNAPSHOT_ID.test(id)) throw invalidInput(`"${id.slice(0, 40)}" is not a snapshot id (they look like 20260306T100000Z-1a2b3c4d).`);
  };
  const fileOf = (environmentId: string, id: string) => [environmentId, `${id}.json`];

  const readJson = async (parts: string[]): Promise<unknown> => {
    const bytes = await tree.read(parts);
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch {
      return undefined;
    }
  };

  const parseSnapshot = async (environmentId: string, id: string): Promise<SnapshotFile> => {
    let json: unknown;
    try {
      json = await readJson(fileOf(environmentId, id));
    } catch (error) {
      if (isLatchkeyError(error) && error.kind === 'NotFound') throw notFound(`There is no snapshot ${id} of this environment. "latchkey env snapshots" lists them.`);
      throw error;
    }
    const parsed = snapshotFileSchema.safeParse(json);
    if (!parsed.success || parsed.data.id !== id || parsed.data.environment_id !== environmentId) {
      throw invalidInput(`The snapshot ${tree.resolve(...fileOf(environmentId, id))} is damaged or was edited, so it cannot be used. Choose another snapshot.`);
    }
    return parsed.data;
  };

  return {
    async save(file, escrowed) {
      checkId(file.id);
      let escrow: SnapshotFile['escrow'];
      if (escrowed.size > 0) {
        const plaintext = Buffer.from(JSON.stringify({ values: Object.fromEntries(escrowed) }), 'utf8');
        escrow = seal(await options.dataKey.get(), plaintext, aad(file.environment_id, file.id));
        plaintext.fill(0);
      }
      const complete = snapshotFileSchema.parse({ ...file, ...(escrow === undefined ? {} : { escrow }) });
      await tree.ensureDir(file.environment_id);
      await tree.write(fileOf(file.environment_id, file.id), `${JSON.stringify(complete)}\n`);
    },

    async open(environmentId, id) {
      checkId(id);
      const file = await parseSnapshot(environmentId, id);
      return {
        file,
        async values() {
          if (file.escrow === undefined) return new Map();
          const where = `The escrowed values of snapshot ${id}`;
          const plaintext = open(await options.dataKey.get(), file.escrow, aad(environmentId, id), where);
          let parsed;
          try {
            parsed = escrowSchema.safeParse(JSON.parse(plaintext.toString('utf8')));
          } catch {
            parsed = undefined;
          } finally {
            plaintext.fill(0);
          }
          if (parsed?.success !== true) throw new LatchkeyError('InvalidInput', `${where} are damaged and cannot be read. Choose another snapshot.`);
          return new Map(Object.entries(parsed.data.values));
        },
      };
    },

    async list(environmentId) {
      const names = (await tree.list(environmentId)).filter((entry) => !entry.isDirectory && entry.name.endsWith('.json')).map((entry) => entry.name.slice(0, -'.json'.length));
      const snapshots: SnapshotFile[] = [];
      const damaged: string[] = [];
      for (const id of names.filter((name) => SNAPSHOT_ID.test(name))) {
        try {
          snapshots.push(await parseSnapshot(environmentId, id));
        } catch {
          damaged.push(`${id}.json`);
        }
      }
      snapshots.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || (a.id < b.id ? -1 : 1));
      return { snapshots, damaged };
    },

    async remove(environmentId, id) {
      checkId(id);
      await tree.remove(fileOf(environmentId, id));
    },

    async pruned(environmentId) {
      if (!(await tree.exists(environmentId, PRUNED_FILE))) return [];
      const parsed = prunedFileSchema.safeParse(await readJson([environmentId, PRUNED_FILE]));
      return parsed.success ? parsed.data.pruned : [];
    },

    async recordPruned(environmentId, entries) {
      if (entries.length === 0) return;
      const kept = [...(await this.pruned(environmentId)), ...entries].slice(-PRUNED_KEPT);
      await tree.ensureDir(environmentId);
      await tree.write([environmentId, PRUNED_FILE], `${JSON.stringify({ v: 1, pruned: kept })}\n`);
    },

    async journal(environmentId) {
      if (!(await tree.exists(environmentId, JOURNAL_FILE))) return undefined;
      const parsed = restoreJournalSchema.safeParse(await readJson([environmentId, JOURNAL_FILE]));
      if (!parsed.success) {
        throw invalidInput(`The restore journal ${tree.resolve(environmentId, JOURNAL_FILE)} is damaged or was edited. Delete it and run the restore again.`);
      }
      return parsed.data;
    },

    async writeJournal(environmentId, journal) {
      await tree.ensureDir(environmentId);
      await tree.write([environmentId, JOURNAL_FILE], `${JSON.stringify(restoreJournalSchema.parse(journal))}\n`);
    },

    async clearJournal(environmentId) {
      await tree.remove([environmentId, JOURNAL_FILE]);
    },

    async withLock(environmentId, what, work) {
      await tree.ensureDir(environmentId);
      return options.locks.withLock(tree.resolve(environmentId, what), work);
    },

    async removeEnvironment(environmentId) {
      await tree.remove([environmentId]);
    },
  };
}
