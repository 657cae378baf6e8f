import type { AuditQuery } from './audit-log';
import { parseEntryLine, type AuditEntry } from './entry';

/**
 * One page of the audit log's matching entries, read as a stream: the newest `limit` matches older than
 * entry `beforeSeq` (all matches without it), oldest first, and how many entries match in all. Only the
 * page is ever held — a ring of at most `limit` entries — however long the log is, so the Audit screen can
 * page back through any number of entries. (Verifying the chain is another, full pass: `verify`.)
 */
export interface AuditPageQuery extends AuditQuery {
  /** Only entries before this one (the oldest entry of the page already shown). */
  beforeSeq?: number;
  limit: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Every matching entry of the log, not only those before `beforeSeq`. */
  total: number;
}

export async function readAuditPage(lines: AsyncIterable<string>, query: AuditPageQuery): Promise<AuditPage> {
  const page = new NewestKept<AuditEntry>(query.limit);
  let total = 0;
  for await (const line of lines) {
    const entry = parseEntryLine(line);
    if (entry === undefined || !matchesQuery(entry, query)) continue;
    total += 1;
    if (query.beforeSeq === undefined || entry.seq < query.beforeSeq) page.add(entry);
  }
  return { entries: page.items(), total };
}

export function matchesQuery(entry: AuditEntry, query: AuditQuery): boolean {
  if (query.actions !== undefined && !query.actions.includes(entry.action)) return false;
  if (query.outcomes !== undefined && !query.outcomes.includes(entry.outcome)) return false;
  if (query.project !== undefined && entry.project !== query.project) return false;
  if (query.environment !== undefined && entry.environment !== query.environment) return false;
  const time = Date.parse(entry.time);
  if (query.since !== undefined && time < query.since.getTime()) return false;
  if (query.until !== undefined && time > query.until.getTime()) return false;
  return true;
}

/** The last `capacity` items added, in the order they were added, in a fixed ring. */
export class NewestKept<T> {
  private readonly ring: T[] = [];
  private next = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.ring.length;
  }

  add(item: T): void {
    if (this.capacity <= 0) return;
    if (this.ring.length < this.capacity) this.ring.push(item);
    else this.ring[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  items(): T[] {
    return this.ring.length < this.capacity ? [...this.ring] : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }
}
