import { z } from 'zod';
import { ENVIRONMENT_NAME, PROJECT_NAME, SECRET_KEY, nameRules } from '../../../shared/names';
import { sealedBoxSchema, open, seal, type DataKey } from '../crypto/sealed-box';
import type { DataKeyProvider } from '../crypto/data-key';
import { conflict, invalidInput, LatchkeyError, notFound } from '../errors';
import type { FileLocks } from '../fs/locks';
import type { PrivateTree } from '../fs/private-files';
import { MAX_VALUE_BYTES } from './value-limits';
import { createVersionMarks, rolledBack, type VersionMark } from './version-marks';
import type {
  BackendCapabilities,
  ListOptions,
  ListPage,
  ReadResult,
  SecretBackend,
  SecretDescription,
  SecretMetadata,
  SecretSummary,
  WriteOptions,
  WriteResult,
} from './backend';

/**
 * Latchkey's local encrypted store: `file://<project>/<environment>/<KEY>`.
 *
 * Each secret is one file `<environment id>/<KEY>.secret` under `$XDG_STATE_HOME/latchkey/store`,
 * holding an AES-256-GCM box of its record (value history, metadata, times). The environment's
 * directory is named by its stable id, so renaming a project or environment is a config change; the
 * box's authenticated data names the environment id and key, so a file copied onto another secret does
 * not open. Writes are atomic and serialised per secret across processes. Each secret's version mark
 * (version-marks.ts) makes an older copy of its file put back show as a rollback instead of answering.
 */

/** Maps `<project>/<environment>` to the environment's stable id (from config). */
export interface EnvironmentLocator {
  /** The id of an existing environment; NotFound when the project or environment does not exist. */
  find(project: string, environment: string): Promise<string>;
  /** As find(), creating the project and environment (file-bound) when missing. */
  findOrCreate(project: string, environment: string): Promise<string>;
  /** Every environment id with its `<project>/<environment>` name, for listing. */
  all(): Promise<{ id: string; project: string; environment: string }[]>;
}

export const FILE_VALUE_LIMIT_BYTES = MAX_VALUE_BYTES;
const FILE_SUFFIX = '.secret';

const recordSchema = z.object({
  createdAt: z.string(),
  updatedAt: z.string(),
  metadata: z.record(z.string(), z.string()),
  versions: z
    .array(z.object({ version: z.number().int().positive(), value: z.string(), createdAt: z.string() }))
    .min(1),
});
type SecretRecord = z.infer<typeof recordSchema>;

const fileSchema = z.object({ format: z.literal('latchkey-secret'), box: sealedBoxSchema });

export interface FilePath {
  project: string;
  environment: string;
  key: string;
}

export function parseFilePath(path: string): FilePath {
  const parts = path.split('/');
  if (parts.length !== 3) {
    throw invalidInput(`"file://${path.slice(0, 80)}" must have the form file://<project>/<environment>/<KEY>.`);
  }
  const [project, environment, key] = parts as [string, string, string];
  if (!PROJECT_NAME.test(project)) throw invalidInput(`Project name "${project.slice(0, 80)}" is not allowed: use ${nameRules.project}.`);
  if (!ENVIRONMENT_NAME.test(environment)) {
    throw invalidInput(`Environment name "${environment.slice(0, 80)}" is not allowed: use ${nameRules.environment}.`);
  }
  if (!SECRET_KEY.test(key)) throw invalidInput(`Secret key "${key.slice(0, 80)}" is not allowed: use ${nameRules.key}.`);
  return { project, environment, key };
}

export interface FileBackendOptions {
  tree: PrivateTree;
  locks: FileLocks;
  dataKey: DataKeyProvider;
  environments: EnvironmentLocator;
  now?: () => Date;
  /** Versions kept per secret (the current one included). */
  historyLimit?: number;
}

export function createFileBackend(options: FileBackendOptions): SecretBackend & {
  setMetadata(path: string, metadata: SecretMetadata): Promise<void>;
  deleteEnvironment(environmentId: string): Promise<void>;
} {
  const { tree, locks, dataKey, environments } = options;
  const now = options.now ?? (() => new Date());
  const historyLimit = options.historyLimit ?? 10;

  const aad = (environmentId: string, key: string) => `latchkey-secret:v1:${environmentId}:${key}`;
  const fileParts = (environmentId: string, key: string) => [environmentId, `${key}${FILE_SUFFIX}`];

  const marks = createVersionMarks(tree);

  /** The secret's record (undefined when it has none) checked against its version mark; `withMark` reads the mark also without a file. */
  const readState = async (environmentId: string, key: string, where: string, withMark = false): Promise<{ record?: SecretRecord; mark?: VersionMark }> => {
    let raw: Buffer | undefined;
    try {
      raw = await tree.read(fileParts(environmentId, key));
    } catch (error) {
      if (!(error instanceof LatchkeyError && error.kind === 'NotFound')) throw error;
    }
    if (raw === undefined && !withMark) return {};
    const storeKey = await dataKey.get();
    const mark = await marks.read(storeKey, environmentId, key, where);
    if (raw === undefined) return mark === undefined ? {} : { mark };
    const record = checkedAgainst(mark, decodeRecord(raw, storeKey, environmentId, key, where), where);
    return { record, ...(mark === undefined ? {} : { mark }) };
  };

  /** The record in a secret file's bytes; a file that does not parse or open is damaged (that file only). */
  const decodeRecord = (raw: Buffer, storeKey: DataKey, environmentId: string, key: string, where: string): SecretRecord => {
    const file = fileSchema.safeParse(safeJson(raw));
    if (!file.success) throw damaged(where);
    const plaintext = open(storeKey, file.data.box, aad(environmentId, key), where);
    const record = recordSchema.safeParse(safeJson(plaintext));
    plaintext.fill(0);
    if (!record.success) throw damaged(where);
    return record.data;
  };

  /** A record older than its secret's mark is an old copy put back: refused. */
  const checkedAgainst = (mark: VersionMark | undefined, record: SecretRecord, where: string): SecretRecord => {
    const fileVersion = record.versions.at(-1)!.version;
    if (mark !== undefined && (mark.deleted ? fileVersion <= mark.version : fileVersion < mark.version)) throw rolledBack(where, fileVersion, mark);
    return record;
  };

  const readRecord = async (environmentId: string, key: string, where: string): Promise<SecretRecord | undefined> => (await readState(environmentId, key, where)).record;

  const writeRecord = async (environmentId: string, key: string, record: SecretRecord) => {
    const keyNow = await dataKey.get();
    const plaintext = Buffer.from(JSON.stringify(record), 'utf8');
    const box = seal(keyNow, plaintext, aad(environmentId, key));
    plaintext.fill(0);
    await tree.ensureDir(environmentId);
    await tree.write(fileParts(environmentId, key), JSON.stringify({ format: 'latchkey-secret', box }));
    // After the file: a crash in between leaves the mark behind the file, which reads as valid.
    await marks.write(keyNow, environmentId, key, { version: record.versions.at(-1)!.version, deleted: false });
  };

  /**
   * Read-modify-write of one secret, serialised across processes. `floor` is the highest version the
   * secret ever had (its mark survives a delete), so version numbers never repeat.
   */
  const update = async <T>(environmentId: string, key: string, change: (current: SecretRecord | undefined, floor: number) => { record: SecretRecord; result: T }) => {
    await tree.ensureDir(environmentId);
    return locks.withLock(tree.resolve(...fileParts(environmentId, key)), async () => {
      const where = `Secret ${key}`;
      const { record: current, mark } = await readState(environmentId, key, where, true);
      const { record, result } = change(current, Math.max(current?.versions.at(-1)?.version ?? 0, mark?.version ?? 0));
      await writeRecord(environmentId, key, record);
      return result;
    });
  };

  const locate = async (path: string) => {
    const parsed = parseFilePath(path);
    return { ...parsed, environmentId: await environments.find(parsed.project, parsed.environment) };
  };

  const mustRead = async (path: string) => {
    const located = await locate(path);
    const record = await readRecord(located.environmentId, located.key, `Secret file://${path}`);
    if (record === undefined) throw notFound(`No secret file://${path}.`);
    return record;
  };

  const summary = (path: string, record: SecretRecord): SecretSummary => ({
    path,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    version: String(record.versions.at(-1)!.version),
    metadata: record.metadata,
  });

  /**
   * One secret of a listing. A file that cannot be read for what it holds (damaged, tampered, sealed with
   * another key) is listed as damaged rather than failing the listing; a file Latchkey must not read at
   * all (a symlink, loosened modes) still stops it, as it stops every other operation.
   */
  const listedSecret = async (environmentId: string, key: string, path: string): Promise<SecretSummary | undefined> => {
    let raw: Buffer;
    try {
      raw = await tree.read(fileParts(environmentId, key));
    } catch (error) {
      if (error instanceof LatchkeyError && error.kind === 'NotFound') return undefined;
      throw error;
    }
    // The store's key first: a key that cannot be had concerns every secret, not this file.
    const storeKey = await dataKey.get();
    const where = `Secret file://${path}`;
    try {
      return summary(path, checkedAgainst(await marks.read(storeKey, environmentId, key, where), decodeRecord(raw, storeKey, environmentId, key, where), where));
    } catch (error) {
      if (!(error instanceof LatchkeyError)) throw error;
      return { path, damaged: error.message };
    }
  };

  const capabilities: BackendCapabilities = { versions: true, softDelete: false, metadata: true, checkAndSet: true, maxValueBytes: FILE_VALUE_LIMIT_BYTES };

  return {
    scheme: 'file',
    capabilities,

    async get(path, getOptions = {}): Promise<ReadResult> {
      const record = await mustRead(path);
      const wanted =
        getOptions.version === undefined ? record.versions.at(-1) : record.versions.find((entry) => String(entry.version) === getOptions.version);
      if (wanted === undefined) throw notFound(`Version ${getOptions.version} of file://${path} is not kept (the last ${historyLimit} are).`);
      return { value: wanted.value, version: String(wanted.version), createdAt: wanted.createdAt };
    },

    async set(path, value, writeOptions: WriteOptions = {}): Promise<WriteResult> {
      if (Buffer.byteLength(value, 'utf8') > FILE_VALUE_LIMIT_BYTES) {
        throw invalidInput(`The value is larger than the local store's limit of ${FILE_VALUE_LIMIT_BYTES} bytes.`);
      }
      const parsed = parseFilePath(path);
      const environmentId = await environments.findOrCreate(parsed.project, parsed.environment);
      return update(environmentId, parsed.key, (current, floor) => {
        const currentVersion = current?.versions.at(-1)?.version;
        if (writeOptions.expectedVersion !== undefined) {
          const expected = writeOptions.expectedVersion;
          if (expected === null ? current !== undefined : String(currentVersion) !== expected) {
            throw conflict(
              `file://${path} changed since it was read (now at version ${currentVersion ?? 'none'}). Reload it and apply your change again.`,
            );
          }
        }
        const at = now().toISOString();
        const version = floor + 1;
        const record: SecretRecord = {
          createdAt: current?.createdAt ?? at,
          updatedAt: at,
          metadata: writeOptions.metadata ?? current?.metadata ?? {},
          versions: [...(current?.versions ?? []), { version, value, createdAt: at }].slice(-historyLimit),
        };
        return { record, result: { version: String(version) } };
      });
    },

    async setMetadata(path, metadata) {
      const located = await locate(path);
      await update(located.environmentId, located.key, (current) => {
        if (current === undefined) throw notFound(`No secret file://${path}.`);
        return { record: { ...current, metadata, updatedAt: now().toISOString() }, result: undefined };
      });
    },

    async delete(path) {
      const located = await locate(path);
      // An environment without secrets has no folder yet; there is nothing to lock or delete.
      if (!(await tree.exists(...fileParts(located.environmentId, located.key)))) throw notFound(`No secret file://${path}.`);
      const removed = await locks.withLock(tree.resolve(...fileParts(located.environmentId, located.key)), async () => {
        // A damaged or rolled-back file can still be deleted; its version is then what its mark knew.
        const where = `Secret file://${path}`;
        const state: { record?: SecretRecord; mark?: VersionMark } = await readState(located.environmentId, located.key, where, true).catch(async () => {
          const mark = await marks.read(await dataKey.get(), located.environmentId, located.key, where).catch(() => undefined);
          return mark === undefined ? {} : { mark };
        });
        if (!(await tree.remove(fileParts(located.environmentId, located.key)))) return false;
        const last = Math.max(state.record?.versions.at(-1)?.version ?? 0, state.mark?.version ?? 0);
        // Deleted at `last`: the old file put back later reads as a rollback, and a new secret continues the numbering.
        if (last > 0) await marks.write(await dataKey.get(), located.environmentId, located.key, { version: last, deleted: true });
        return true;
      });
      if (!removed) throw notFound(`No secret file://${path}.`);
    },

    async list(prefix, listOptions: ListOptions = {}): Promise<ListPage> {
      const all = await environments.all();
      const items: SecretSummary[] = [];
      for (const environment of all) {
        const base = `${environment.project}/${environment.environment}/`;
        if (!base.startsWith(prefix) && !prefix.startsWith(base)) continue;
        for (const entry of await tree.list(environment.id)) {
          if (entry.isDirectory || !entry.name.endsWith(FILE_SUFFIX)) continue;
          const key = entry.name.slice(0, -FILE_SUFFIX.length);
          const path = `${base}${key}`;
          if (!path.startsWith(prefix) || !SECRET_KEY.test(key)) continue;
          listOptions.signal?.throwIfAborted();
          const listed = await listedSecret(environment.id, key, path);
          if (listed !== undefined) items.push(listed);
        }
      }
      items.sort((a, b) => a.path.localeCompare(b.path));
      const start = listOptions.pageToken === undefined ? 0 : Number(listOptions.pageToken);
      if (!Number.isInteger(start) || start < 0) throw invalidInput('The page token is not one this store issued.');
      const size = listOptions.pageSize ?? items.length;
      const end = start + size;
      return end < items.length ? { items: items.slice(start, end), nextPageToken: String(end) } : { items: items.slice(start) };
    },

    async describe(path): Promise<SecretDescription> {
      const record = await mustRead(path);
      const latest = record.versions.at(-1)!.version;
      return {
        ...summary(path, record),
        versions: record.versions
          .map((entry) => ({ version: String(entry.version), createdAt: entry.createdAt, state: 'enabled' as const, current: entry.version === latest }))
          .reverse(),
      };
    },

    async deleteEnvironment(environmentId) {
      await tree.remove([environmentId]);
    },
  };
}

function safeJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

function damaged(where: string): LatchkeyError {
  return new LatchkeyError('InvalidInput', `${where} is damaged and cannot be read. Restore it from a backup, or delete it and set the secret again.`);
}
