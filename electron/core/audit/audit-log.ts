import { z } from 'zod';
import { LatchkeyError } from '../errors';
import type { FileLocks } from '../fs/locks';
import { PrivateTree, sameStamp, type FileStamp } from '../fs/private-files';
import type { Logger } from '../log';
import { auditEntrySchema, auditEventSchema, entryHash, entryLine, GENESIS_HASH, type AuditAction, type AuditEntry, type AuditEvent, type AuditOutcome } from './entry';
import { currentOsUser } from './os-user';
import { readLogTail, type LogTail } from './log-tail';
import { readAuditPage, type AuditPage, type AuditPageQuery } from './audit-page';
import { verifyAuditText, type AuditHead, type AuditProblem, type AuditVerification } from './verify';

/**
 * The audit trail: `audit.jsonl` (0o600) in the state folder, one hash-chained entry per line, and its
 * anchor `audit-anchor.json` — the last entry's sequence number and hash — kept in another folder (the
 * config folder, in the app and the CLI), so that a log truncated, replaced or deleted on its own is
 * noticed by `verify`, and so that an append never extends a log that was tampered with.
 *
 * Appends are group-committed: events that arrive while a batch is written go out together in the next
 * one — one cross-process lock, one write, one fsync — each still its own line chained to the one before,
 * and none is acknowledged before its line is durable and the anchor names it. The anchor is written
 * after the log is fsynced (atomic rename, no fsync), so after a crash it may lag behind the log, never
 * run ahead of it; an append accepts log entries past the anchor only when they chain on from it.
 *
 * What the anchor cannot stop: anyone with the user's own rights can edit the log and the anchor
 * together, or delete both (the log then looks new). See SECURITY.md.
 */
export const AUDIT_FILE = 'audit.jsonl';
export const AUDIT_ANCHOR_FILE = 'audit-anchor.json';
/** Written next to the log by earlier versions; read as the anchor until the first append writes one. */
export const LEGACY_HEAD_FILE = 'audit.head.json';

/** Whatever records audit events: the real log, or (in a composition that has none) nothing. */
export interface AuditSink {
  append(event: AuditEvent): Promise<unknown>;
}

export interface AuditQuery {
  actions?: AuditAction[];
  outcomes?: AuditOutcome[];
  project?: string;
  environment?: string;
  /** Inclusive bounds on `time`. */
  since?: Date;
  until?: Date;
  /** The newest `limit` matching entries (default 500). */
  limit?: number;
}

export interface AuditReset {
  /** Where the old log was kept (undefined when there was none). */
  archived?: string;
  /** The first entry of the new log, which records the reset. */
  entry: AuditEntry;
}

export interface AuditLog extends AuditSink {
  readonly path: string;
  append(event: AuditEvent): Promise<AuditEntry>;
  verify(): Promise<AuditVerification>;
  /** The last `count` valid entries, oldest first. */
  tail(count: number): Promise<AuditEntry[]>;
  /** The newest `limit` (default 500) matching valid entries, oldest first. */
  query(filter?: AuditQuery): Promise<AuditEntry[]>;
  /** One page of the matching entries and how many match in all, reading the log as a stream (audit-page.ts). */
  page(query: AuditPageQuery): Promise<AuditPage>;
  /**
   * Keeps the current log aside (renamed `audit.<time>.jsonl`, never deleted) and starts a new one whose
   * first entry records that: the way out after tampering or damage, which `verify` and refused appends
   * point to.
   */
  reset(): Promise<AuditReset>;
}

export interface AuditLogOptions {
  stateDir: string;
  /** The folder of the anchor (the config folder in the app and the CLI); default: the state folder. */
  anchorDir?: string;
  locks: FileLocks;
  now?: () => Date;
  user?: string;
  logger?: Logger;
}

const anchorSchema = z.object({ seq: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
const TAIL_CHUNK = 16 * 1024;
/** How far back an append looks for the anchored entry before calling the log damaged. */
const TAIL_LIMIT = 4 * 1024 * 1024;

type AnchorRead = { state: 'none' } | { state: 'damaged'; path: string } | { state: 'ok'; anchor: AuditHead; legacy: boolean };

export const RESET_ADVICE = 'To keep this log as evidence and start a new one, run: latchkey audit reset --yes';

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const tree = new PrivateTree(options.stateDir);
  const anchorTree = new PrivateTree(options.anchorDir ?? options.stateDir);
  const now = options.now ?? (() => new Date());
  const user = options.user ?? currentOsUser();
  const path = tree.resolve(AUDIT_FILE);
  const anchorPath = anchorTree.resolve(AUDIT_ANCHOR_FILE);

  const readAnchor = async (): Promise<AnchorRead> => {
    const parse = async (source: PrivateTree, name: string): Promise<AnchorRead | undefined> => {
      if (!(await source.exists(name))) return undefined;
      const parsed = anchorSchema.safeParse(parseJson((await source.read([name])).toString('utf8')));
      return parsed.success ? { state: 'ok', anchor: parsed.data, legacy: source === tree && name === LEGACY_HEAD_FILE } : { state: 'damaged', path: source.resolve(name) };
    };
    return (await parse(anchorTree, AUDIT_ANCHOR_FILE)) ?? (await parse(tree, LEGACY_HEAD_FILE)) ?? { state: 'none' };
  };

  // The anchor's folder is made (and checked level by level) by the first batch; each write still checks
  // every level. A folder removed later is not made again: its anchor is gone, which the next append
  // reports as it reports any removed anchor. Each step of a batch is awaited under the lock, so a step
  // saved here shortens every rotation's wait for its entries when the event loop is busy.
  let anchorDirReady = false;
  const writeAnchor = async (head: AuditHead): Promise<FileStamp | undefined> => {
    if (!anchorDirReady) await anchorTree.ensureDir();
    anchorDirReady = true;
    // Lagging after a crash is allowed (the log is fsynced first, so the anchor is never ahead): no fsync.
    await anchorTree.write([AUDIT_ANCHOR_FILE], `${JSON.stringify(head)}\n`, { fsync: false });
    return anchorTree.stamp([AUDIT_ANCHOR_FILE]);
  };

  // What this process wrote last: while neither file changed since (same stamps), the log still ends at
  // that entry and the anchor still names it, so the next batch skips reading them back.
  let written: { head: AuditHead; log: FileStamp; anchor: FileStamp | undefined } | undefined;
  const unchangedSinceWritten = async (): Promise<AuditHead | undefined> => {
    if (written === undefined) return undefined;
    const [log, anchor] = await Promise.all([tree.stamp([AUDIT_FILE]), anchorTree.stamp([AUDIT_ANCHOR_FILE])]);
    return sameStamp(log, written.log) && sameStamp(anchor, written.anchor) ? written.head : undefined;
  };

  const tampered = (what: string) =>
    new LatchkeyError(
      'PermissionDenied',
      `The audit log ${path} was changed outside Latchkey: ${what} Latchkey does not add entries to a log it cannot vouch for, ` +
        `so changes that need a record are refused. Run "latchkey audit verify" to see what is wrong. ${RESET_ADVICE}`,
    );

  /** The entry the next batch chains on, after checking that the log still ends where the anchor says. */
  const checkedBase = async (): Promise<{ base?: AuditHead; dropFragmentFrom?: number; legacyAnchor: boolean }> => {
    const anchorRead = await readAnchor();
    if (anchorRead.state === 'damaged') throw tampered(`its anchor ${anchorRead.path} is damaged, so lines removed from its end could not be noticed.`);
    const anchor = anchorRead.state === 'ok' ? anchorRead.anchor : undefined;
    const tail = (await tree.exists(AUDIT_FILE)) ? await readLogTail(tree, [AUDIT_FILE], { from: anchor?.seq, chunk: TAIL_CHUNK, limit: TAIL_LIMIT }) : undefined;
    const problem = tailProblem(tail, anchor);
    if (problem !== undefined) throw tampered(problem);
    const last = tail?.entries.at(-1);
    return {
      legacyAnchor: anchorRead.state === 'ok' && anchorRead.legacy,
      ...(last === undefined ? {} : { base: { seq: last.seq, hash: last.hash } }),
      ...(tail?.fragmentBytes === undefined ? {} : { dropFragmentFrom: tail.size - tail.fragmentBytes }),
    };
  };

  const writeBatch = async (events: AuditEvent[]): Promise<AuditEntry[]> => {
    if (written === undefined) await tree.ensureDir();
    return options.locks.withLock(path, async () => {
      const cached = await unchangedSinceWritten();
      const { base, dropFragmentFrom, legacyAnchor } = cached === undefined ? await checkedBase() : { base: cached, legacyAnchor: false };
      if (dropFragmentFrom !== undefined) {
        // An append interrupted mid-line (a crash): that batch was never acknowledged, so its fragment goes.
        options.logger?.warn('audit log ends with an interrupted write; removing the unfinished line', { path });
        await tree.truncate([AUDIT_FILE], dropFragmentFrom);
      }
      let seq = base?.seq ?? 0;
      let prev = base?.hash ?? GENESIS_HASH;
      const entries = events.map((event) => {
        seq += 1;
        const body = { ...event, v: 1 as const, seq, time: now().toISOString(), user, prev };
        const entry = auditEntrySchema.parse({ ...body, hash: entryHash(body) });
        prev = entry.hash;
        return entry;
      });
      written = undefined;
      const log = await tree.append([AUDIT_FILE], entries.map((entry) => entryLine(entry)).join(''));
      const last = entries[entries.length - 1] as AuditEntry;
      const head = { seq: last.seq, hash: last.hash };
      const anchor = await writeAnchor(head);
      if (legacyAnchor) await tree.remove([LEGACY_HEAD_FILE]);
      written = { head, log, anchor };
      return entries;
    });
  };

  let queue: { event: AuditEvent; resolve: (entry: AuditEntry) => void; reject: (error: unknown) => void }[] = [];
  let flushing = false;

  const flush = async (): Promise<void> => {
    if (flushing) return;
    flushing = true;
    try {
      while (queue.length > 0) {
        const batch = queue;
        queue = [];
        try {
          const entries = await writeBatch(batch.map((item) => item.event));
          batch.forEach((item, index) => item.resolve(entries[index] as AuditEntry));
        } catch (error) {
          for (const item of batch) item.reject(error);
        }
      }
    } finally {
      flushing = false;
    }
  };

  const append = (event: AuditEvent): Promise<AuditEntry> => {
    const parsedEvent = auditEventSchema.safeParse(event);
    if (!parsedEvent.success) {
      // A programming error in core, not user input: the event never reaches the file.
      return Promise.reject(new LatchkeyError('Internal', 'An audit entry was refused because it does not match the audit schema.', { cause: parsedEvent.error }));
    }
    return new Promise<AuditEntry>((resolve, reject) => {
      queue.push({ event: parsedEvent.data, resolve, reject });
      void flush();
    });
  };

  const readText = async (): Promise<string> => ((await tree.exists(AUDIT_FILE)) ? (await tree.read([AUDIT_FILE])).toString('utf8') : '');

  const page = async (query: AuditPageQuery): Promise<AuditPage> => ((await tree.exists(AUDIT_FILE)) ? readAuditPage(tree.lines([AUDIT_FILE]), query) : { entries: [], total: 0 });

  return {
    path,
    append,
    async verify() {
      const anchorRead = await readAnchor();
      const result = verifyAuditText(await readText(), anchorRead.state === 'ok' ? anchorRead.anchor : undefined);
      const extra: AuditProblem[] = [];
      if (anchorRead.state === 'damaged') {
        extra.push({ line: result.lines + 1, kind: 'edited', message: `${anchorRead.path} (the log's anchor) is damaged, so lines removed from the end of the log cannot be detected.` });
      } else if (anchorRead.state === 'none' && result.entries > 0) {
        extra.push({
          line: result.lines + 1,
          kind: 'removed',
          message: `The log holds ${result.entries} entries but its anchor ${anchorPath} is missing: it was deleted, or the log was copied here from elsewhere.`,
        });
      }
      if (extra.length === 0) return result;
      return { ...result, intact: false, problems: [...result.problems, ...extra] };
    },
    async tail(count) {
      if (count <= 0 || !(await tree.exists(AUDIT_FILE))) return [];
      // Read backwards in growing windows: the UI asks for the last few entries of a long log.
      for (let window = TAIL_CHUNK; ; window *= 4) {
        const { size, data } = await tree.readTail([AUDIT_FILE], window);
        const lines = data.toString('utf8').split('\n');
        const whole = data.length < size ? lines.slice(1) : lines;
        const entries = whole.flatMap((line) => {
          const entry = parseEntry(line);
          return entry === undefined ? [] : [entry];
        });
        if (entries.length >= count || data.length >= size) return entries.slice(-count);
      }
    },
    async query(filter = {}) {
      return (await page({ ...filter, limit: filter.limit ?? 500 })).entries;
    },
    page,
    async reset() {
      await tree.ensureDir();
      return options.locks.withLock(path, async () => {
        const anchorRead = await readAnchor();
        const previous = anchorRead.state === 'ok' ? anchorRead.anchor : undefined;
        let archived: string | undefined;
        let archivedName: string | undefined;
        if (await tree.exists(AUDIT_FILE)) {
          const stamp = now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
          for (let attempt = 0; archived === undefined; attempt += 1) {
            const name = attempt === 0 ? `audit.${stamp}.jsonl` : `audit.${stamp}-${attempt}.jsonl`;
            if (await tree.exists(name)) continue;
            archived = await tree.rename([AUDIT_FILE], name);
            archivedName = name;
          }
        }
        const body = {
          action: 'audit.reset' as const,
          outcome: 'ok' as const,
          previous_log: { ...(archivedName === undefined ? {} : { file: archivedName }), seq: previous?.seq ?? 0, ...(previous === undefined ? {} : { hash: previous.hash }) },
          v: 1 as const,
          seq: 1,
          time: now().toISOString(),
          user,
          prev: GENESIS_HASH,
        };
        const entry = auditEntrySchema.parse({ ...body, hash: entryHash(body) });
        written = undefined;
        await tree.append([AUDIT_FILE], entryLine(entry));
        await writeAnchor({ seq: entry.seq, hash: entry.hash });
        // The head file of earlier versions would otherwise be read as this log's anchor again.
        await tree.remove([LEGACY_HEAD_FILE]);
        return { ...(archived === undefined ? {} : { archived }), entry };
      });
    },
  };
}

/** Why the log's end does not match its anchor (undefined when it does): what an append must not paper over. */
function tailProblem(tail: LogTail | undefined, anchor: AuditHead | undefined): string | undefined {
  if (tail?.garbageAfterLastEntry === true) return 'lines after its last entry are not audit entries (they were added or damaged).';
  const entries = tail?.entries ?? [];
  const last = entries.at(-1);
  if (anchor === undefined) {
    return last === undefined ? undefined : `it holds entries, but its anchor (the record of its last entry, kept apart from it) is missing.`;
  }
  if (last === undefined) return `it is ${tail === undefined ? 'gone' : 'empty or unreadable at its end'}, but Latchkey recorded ${anchor.seq} entries.`;
  if (last.seq < anchor.seq) return `it ends at entry #${last.seq}, but Latchkey recorded entry #${anchor.seq}: lines were removed from its end.`;
  const at = entries.findIndex((entry) => entry.seq === anchor.seq);
  if (at < 0 || entries[at]!.hash !== anchor.hash) return `its entry #${anchor.seq} is not the one Latchkey recorded: the log was replaced or rewritten.`;
  for (let index = at + 1; index < entries.length; index += 1) {
    const entry = entries[index]!;
    const before = entries[index - 1]!;
    if (entry.seq !== before.seq + 1 || entry.prev !== before.hash || entryHash(entry) !== entry.hash) return `its entries after #${anchor.seq} do not chain on from it.`;
  }
  return undefined;
}

function parseEntry(line: string): AuditEntry | undefined {
  if (line === '') return undefined;
  const parsed = auditEntrySchema.safeParse(parseJson(line));
  return parsed.success ? parsed.data : undefined;
}

/** JSON.parse without its exception, whose message quotes the input. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
