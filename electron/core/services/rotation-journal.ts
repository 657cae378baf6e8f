import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import type { DataKeyProvider } from '../crypto/data-key';
import { open, seal, sealedBoxSchema } from '../crypto/sealed-box';
import { invalidInput } from '../errors';
import type { FileLocks } from '../fs/locks';
import type { PrivateTree } from '../fs/private-files';
import { serviceUserName, storedRotatorSchema } from './service-config';

/**
 * The journal of rotations at services: one file per secret being rotated, in
 * `$XDG_STATE_HOME/latchkey/rotations/` (0700, files 0600, written atomically). It records each step
 * before and after it happens, so a rotation killed at any point (SIGKILL) is found by the next run and
 * finished or undone. Values are never in plain text: the new value and the old one are sealed with the
 * store's data key (AES-256-GCM, bound to the reference and their role). A rotation whose old credential
 * waits for its grace period stays here (`retire-pending`) until it is retired.
 */
export const journalSteps = [
  /** The new value is generated and sealed here, and `set` may have begun: the service may hold the new credential (or part of it, on a cluster). */
  'setting',
  /** The service took the new credential (and, where it made it, the journal knows it). */
  'set',
  /** The store holds the new value as current. */
  'stored',
  /** Only the old credential's retirement is left (a grace period, or a retirement that failed). */
  'retire-pending',
] as const;
export type JournalStep = (typeof journalSteps)[number];

const entrySchema = z.strictObject({
  v: z.literal(1),
  id: z.string().uuid(),
  ref: z.string().min(1).max(1024),
  project: z.string().max(64).optional(),
  environment: z.string().max(64).optional(),
  key: z.string().max(200).optional(),
  /** The saved connection the reference was resolved on (`rotate --connection`). */
  connection: z.string().max(64).optional(),
  /** The service's name as the result names it (`pg-prod`, `command:rotate.sh`). */
  service: z.string().min(1).max(200),
  /** The rotator as it was when the rotation started (it may be changed or removed before recovery). */
  rotator: storedRotatorSchema,
  step: z.enum(journalSteps),
  incident: z.boolean(),
  report_id: z.string().max(64).optional(),
  /** The store's version before the rotation (check-and-set of the finish step). */
  current_version: z.string().max(200).optional(),
  /** The user of the old and of the new credential (alternating users, access key ids). */
  old_user: serviceUserName.optional(),
  next_user: serviceUserName.optional(),
  /** When the old credential is due to be retired. */
  retire_after: z.iso.datetime().optional(),
  /** The new value (whole, as it will be stored) and the old one, sealed. */
  staged: sealedBoxSchema,
  old: sealedBoxSchema,
  started_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  pid: z.number().int().positive(),
  host: z.string().max(255),
});
export type JournalEntry = z.infer<typeof entrySchema>;

export type NewJournalEntry = Omit<JournalEntry, 'v' | 'id' | 'staged' | 'old' | 'started_at' | 'updated_at' | 'pid' | 'host'>;

export interface RotationJournal {
  /** Serialises everything done to one reference's rotation, across processes. */
  withLock<T>(ref: string, work: () => Promise<T>): Promise<T>;
  begin(entry: NewJournalEntry, values: { staged: string; old: string }): Promise<JournalEntry>;
  /** Moves an entry to its next step (and, where the service made the credential, a new staged value). */
  advance(entry: JournalEntry, changes: Partial<Pick<JournalEntry, 'step' | 'next_user' | 'retire_after'>>, staged?: string): Promise<JournalEntry>;
  read(ref: string): Promise<JournalEntry | undefined>;
  /** The sealed values of an entry. */
  values(entry: JournalEntry): Promise<{ staged: string; old: string }>;
  remove(ref: string): Promise<void>;
  list(): Promise<JournalEntry[]>;
}

const fileOf = (ref: string) => `${createHash('sha256').update(ref, 'utf8').digest('hex').slice(0, 40)}.json`;
const aad = (entry: Pick<JournalEntry, 'id' | 'ref'>, role: 'staged' | 'old') => `latchkey-rotation-journal\0${entry.id}\0${entry.ref}\0${role}`;

export function createRotationJournal(deps: { tree: PrivateTree; locks: FileLocks; dataKey: DataKeyProvider; now?: () => Date }): RotationJournal {
  const { tree, locks, dataKey } = deps;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();

  const write = async (entry: JournalEntry) => {
    await tree.ensureDir();
    await tree.write([fileOf(entry.ref)], `${JSON.stringify(entry, null, 2)}\n`);
  };
  const readFile = async (name: string): Promise<JournalEntry> => {
    let json: unknown;
    try {
      json = JSON.parse((await tree.read([name])).toString('utf8'));
    } catch {
      json = undefined;
    }
    const parsed = entrySchema.safeParse(json);
    if (!parsed.success) {
      throw invalidInput(`The rotation journal entry ${tree.resolve(name)} is damaged. Check the secret it belongs to and its service by hand, then remove the file.`);
    }
    return parsed.data;
  };

  return {
    async withLock(ref, work) {
      await tree.ensureDir();
      return locks.withLock(tree.resolve(fileOf(ref)), work);
    },

    async begin(fields, values) {
      const key = await dataKey.get();
      const id = randomUUID();
      const time = now();
      const entry: JournalEntry = {
        v: 1,
        id,
        ...fields,
        staged: seal(key, Buffer.from(values.staged, 'utf8'), aad({ id, ref: fields.ref }, 'staged')),
        old: seal(key, Buffer.from(values.old, 'utf8'), aad({ id, ref: fields.ref }, 'old')),
        started_at: time,
        updated_at: time,
        pid: process.pid,
        host: hostname().slice(0, 255),
      };
      await write(entry);
      return entry;
    },

    async advance(entry, changes, staged) {
      const next: JournalEntry = {
        ...entry,
        ...changes,
        ...(staged === undefined ? {} : { staged: seal(await dataKey.get(), Buffer.from(staged, 'utf8'), aad(entry, 'staged')) }),
        updated_at: now(),
      };
      await write(next);
      return next;
    },

    async read(ref) {
      const name = fileOf(ref);
      if (!(await tree.exists(name))) return undefined;
      const entry = await readFile(name);
      return entry.ref === ref ? entry : undefined;
    },

    async values(entry) {
      const key = await dataKey.get();
      const where = `The rotation journal entry of ${entry.ref}`;
      return {
        staged: open(key, entry.staged, aad(entry, 'staged'), where).toString('utf8'),
        old: open(key, entry.old, aad(entry, 'old'), where).toString('utf8'),
      };
    },

    async remove(ref) {
      await tree.remove([fileOf(ref)]);
    },

    async list() {
      if (!(await tree.exists())) return [];
      const names = (await tree.list()).filter((item) => !item.isDirectory && /^[0-9a-f]{40}\.json$/.test(item.name)).map((item) => item.name);
      return Promise.all(names.map(readFile));
    },
  };
}
