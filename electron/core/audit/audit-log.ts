import { z } from 'zod';
import { LatchkeyError } from '../errors';
import type { FileLocks } from '../fs/locks';
import { PrivateTree } from '../fs/private-files';
import type { Logger } from '../log';
import { auditEntrySchema, auditEventSchema, entryHash, entryLine, GENESIS_HASH, type AuditAction, type AuditEntry, type AuditEvent, type AuditOutcome } from './entry';
import { currentOsUser } from './os-user';
import { parseAuditLines, verifyAuditText, type AuditHead, type AuditVerification } from './verify';

/**
 * The audit trail: `audit.jsonl` (0o600) in the state directory, one hash-chained entry per line, plus
 * `audit.head.json`, the last entry's sequence number and hash, so that lines removed from the end are
 * noticed. The app and the CLI append under one FileLocks lock; each line is written with one O_APPEND
 * write and fsynced before the call returns.
 */
export const AUDIT_FILE = 'audit.jsonl';
export const AUDIT_HEAD_FILE = 'audit.head.json';

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

export interface AuditLog extends AuditSink {
  readonly path: string;
  append(event: AuditEvent): Promise<AuditEntry>;
  verify(): Promise<AuditVerification>;
  /** The last `count` valid entries, oldest first. */
  tail(count: number): Promise<AuditEntry[]>;
  /** Matching valid entries, oldest first. */
  query(filter?: AuditQuery): Promise<AuditEntry[]>;
}

export interface AuditLogOptions {
  stateDir: string;
  locks: FileLocks;
  now?: () => Date;
  user?: string;
  logger?: Logger;
}

const headSchema = z.object({ seq: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
const TAIL_CHUNK = 16 * 1024;
/** How far back append() looks for the last valid entry before giving up. */
const TAIL_LIMIT = 1024 * 1024;

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const tree = new PrivateTree(options.stateDir);
  const now = options.now ?? (() => new Date());
  const user = options.user ?? currentOsUser();
  const path = tree.resolve(AUDIT_FILE);
  // What this process appended last; reused while the file size shows nobody else appended since.
  let cached: { size: number; head: AuditHead } | undefined;

  const readLastEntry = async (): Promise<{ size: number; head?: AuditHead; terminated: boolean; fromCache?: true }> => {
    if (!(await tree.exists(AUDIT_FILE))) return { size: 0, terminated: true };
    let window = TAIL_CHUNK;
    for (;;) {
      const { size, data } = await tree.readTail([AUDIT_FILE], window);
      if (cached !== undefined && cached.size === size) return { size, head: cached.head, terminated: true, fromCache: true };
      const text = data.toString('utf8');
      const terminated = text === '' || text.endsWith('\n');
      const lines = text.split('\n');
      // The first piece of a partial window may be the tail end of a longer line: only trust whole lines.
      const whole = data.length < size ? lines.slice(1) : lines;
      for (let index = whole.length - 1; index >= 0; index -= 1) {
        const entry = parseEntry(whole[index] ?? '');
        if (entry !== undefined) return { size, head: { seq: entry.seq, hash: entry.hash }, terminated };
      }
      if (data.length >= size) return { size, terminated };
      if (window >= TAIL_LIMIT) {
        throw new LatchkeyError(
          'Internal',
          `The end of the audit log ${path} holds no valid entry. Run "latchkey audit verify" to see what is wrong, ` +
            'then move the file aside (keep it as evidence) so that Latchkey starts a new log.',
        );
      }
      window *= 4;
    }
  };

  // Group commit: events that arrive while a batch is being written go out together in the next one —
  // one lock, one write, one fsync — each still its own line chained to the one before.
  let queue: { event: AuditEvent; resolve: (entry: AuditEntry) => void; reject: (error: unknown) => void }[] = [];
  let flushing = false;

  const writeBatch = async (events: AuditEvent[]): Promise<AuditEntry[]> => {
    await tree.ensureDir();
    return options.locks.withLock(path, async () => {
      const tail = await readLastEntry();
      let prefix = '';
      if (!tail.terminated) {
        // An interrupted write left half a line. It stays (verify reports it); the next entry starts on a
        // new line and chains to the last whole entry.
        options.logger?.warn('audit log ends with a partial line; starting a new line', { path });
        prefix = '\n';
      }
      // If the recorded head is ahead of the log, lines were removed from its end (or it was emptied):
      // chain on from the head, so the gap stays visible to verify instead of being papered over.
      const recorded = tail.fromCache === true ? undefined : (await readHead()).head;
      const base = recorded !== undefined && (tail.head === undefined || recorded.seq > tail.head.seq) ? recorded : tail.head;
      if (base !== tail.head) options.logger?.warn('audit log is shorter than its recorded head; continuing the chain from the head', { path });
      let seq = base?.seq ?? 0;
      let prev = base?.hash ?? GENESIS_HASH;
      const entries = events.map((event) => {
        seq += 1;
        const body = { ...event, v: 1 as const, seq, time: now().toISOString(), user, prev };
        const entry = auditEntrySchema.parse({ ...body, hash: entryHash(body) });
        prev = entry.hash;
        return entry;
      });
      const text = prefix + entries.map((entry) => entryLine(entry)).join('');
      await tree.append([AUDIT_FILE], text);
      const last = entries[entries.length - 1] as AuditEntry;
      const head: AuditHead = { seq: last.seq, hash: last.hash };
      // The head may lag after a crash (the log is fsynced first, so it is never ahead): no fsync needed.
      await tree.write([AUDIT_HEAD_FILE], `${JSON.stringify(head)}\n`, { fsync: false });
      cached = { size: tail.size + Buffer.byteLength(text, 'utf8'), head };
      return entries;
    });
  };

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

  /** The recorded head; `damaged` when the head file exists but does not hold one. */
  const readHead = async (): Promise<{ head?: AuditHead; damaged: boolean }> => {
    if (!(await tree.exists(AUDIT_HEAD_FILE))) return { damaged: false };
    const raw = (await tree.read([AUDIT_HEAD_FILE])).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return { damaged: true };
    }
    const parsed = headSchema.safeParse(json);
    return parsed.success ? { head: parsed.data, damaged: false } : { damaged: true };
  };

  const readText = async (): Promise<string> => ((await tree.exists(AUDIT_FILE)) ? (await tree.read([AUDIT_FILE])).toString('utf8') : '');

  const validEntries = async (): Promise<AuditEntry[]> =>
    parseAuditLines(await readText()).flatMap((item) => (item.entry === undefined ? [] : [item.entry]));

  return {
    path,
    append,
    async verify() {
      const { head, damaged } = await readHead();
      const result = verifyAuditText(await readText(), head);
      if (!damaged) return result;
      const problem = {
        line: result.lines + 1,
        kind: 'edited' as const,
        message: `${tree.resolve(AUDIT_HEAD_FILE)} is damaged, so lines removed from the end of the log cannot be detected.`,
      };
      return { ...result, intact: false, problems: [...result.problems, problem] };
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
      const limit = filter.limit ?? 500;
      const matches = (await validEntries()).filter((entry) => {
        if (filter.actions !== undefined && !filter.actions.includes(entry.action)) return false;
        if (filter.outcomes !== undefined && !filter.outcomes.includes(entry.outcome)) return false;
        if (filter.project !== undefined && entry.project !== filter.project) return false;
        if (filter.environment !== undefined && entry.environment !== filter.environment) return false;
        const time = Date.parse(entry.time);
        if (filter.since !== undefined && time < filter.since.getTime()) return false;
        if (filter.until !== undefined && time > filter.until.getTime()) return false;
        return true;
      });
      return limit <= 0 ? [] : matches.slice(-limit);
    },
  };
}

function parseEntry(line: string): AuditEntry | undefined {
  if (line === '') return undefined;
  try {
    const parsed = auditEntrySchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
