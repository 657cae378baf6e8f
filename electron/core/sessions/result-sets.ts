import type { RowSort, SessionDetail, SessionRow } from '../../../shared/sessions';
import { conflict, invalidInput, notFound } from '../errors';
import type { SessionOutput } from './export-format';
import type { SessionFilter } from './filter';
import { metadataText } from './queries';
import type { Session } from './scan';

/**
 * Search results held in the main process for a virtualized table: a search fills a result set batch
 * by batch while the renderer asks for the rows it is about to show, a page at a time. So 100,000
 * matches cost the renderer a few pages, not one giant message, and the table can show the first rows
 * while the walk is still running. Rows carry ids and metadata only — there is no token to carry.
 */
export interface RowPage {
  rows: SessionRow[];
  total: number;
  complete: boolean;
  truncated: boolean;
}

export interface ResultSummary {
  resultId: string;
  total: number;
  complete: boolean;
  /** The search stopped at the row limit; narrow it to see the rest. */
  truncated: boolean;
  /** Keys under the prefix that were not usable sessions (malformed, wrong type). */
  problems: number;
  /** How many users and devices the rows belong to (a revocation's preview). */
  users: number;
  devices: number;
}

export const MAX_PAGE_ROWS = 500;

export function sessionRow(session: Session): SessionRow {
  const row: SessionRow = {
    id: session.id,
    userId: session.userId,
    deviceId: session.deviceId,
    createdAt: session.createdAt,
    expiresAt: session.expiresAt,
    ttlSeconds: session.ttlSeconds,
  };
  const deviceType = metadataText(session.metadata.device_type);
  const os = metadataText(session.metadata.os);
  const appVersion = metadataText(session.metadata.app_version);
  if (deviceType !== undefined) row.deviceType = deviceType.slice(0, 200);
  if (os !== undefined) row.os = os.slice(0, 200);
  if (appVersion !== undefined) row.appVersion = appVersion.slice(0, 200);
  return row;
}

export function sessionDetail(session: Session): SessionDetail {
  return { ...sessionRow(session), metadata: session.metadata };
}

/**
 * One search's rows, in the order they were found; sessions are keyed by id (SCAN may repeat keys).
 * It remembers where it came from (the session server and the search's filter), for a revocation of these
 * sessions and its audit entry, and each row's whole metadata, for an export.
 */
export class ResultSet {
  readonly rows: SessionRow[] = [];
  private readonly metadata: Record<string, unknown>[] = [];
  private readonly ids = new Set<string>();
  private readonly users = new Set<string>();
  private readonly devices = new Set<string>();
  complete = false;
  truncated = false;
  problems = 0;
  private sorted: { key: string; length: number; order: SessionRow[] } | undefined;

  constructor(
    readonly id: string,
    private readonly maxRows: number,
    readonly origin: { server: string; filter: SessionFilter },
  ) {}

  /** Adds sessions not seen before; false once the row limit is reached (the search should stop). */
  add(sessions: Session[]): boolean {
    for (const session of sessions) {
      if (this.ids.has(session.id)) continue;
      if (this.rows.length >= this.maxRows) {
        this.truncated = true;
        return false;
      }
      this.ids.add(session.id);
      this.users.add(session.userId);
      this.devices.add(session.deviceId);
      this.rows.push(sessionRow(session));
      this.metadata.push(session.metadata);
    }
    return true;
  }

  /** The ids of a finished, complete search: what "revoke these sessions" acts on. */
  finishedIds(): string[] {
    if (!this.complete) throw conflict('The search is still running. Wait for it to finish (or cancel it), then revoke what it found.');
    if (this.truncated) throw conflict('The search stopped at its row limit, so it does not show every matching session. Narrow the search, or revoke by filter with latchkey sessions revoke --where ….');
    return this.rows.map((row) => row.id);
  }

  /** The rows as the CLI prints them (ids, owners, times, whole metadata), in the order found. */
  *exportRows(): Generator<SessionOutput> {
    for (const [i, row] of this.rows.entries()) {
      yield { id: row.id, user_id: row.userId, device_id: row.deviceId, created_at: row.createdAt, expires_at: row.expiresAt, ttl_seconds: row.ttlSeconds, metadata: this.metadata[i] ?? {} };
    }
  }

  page(offset: number, limit: number, sort?: RowSort): RowPage {
    const rows = sort === undefined ? this.rows : this.sortedBy(sort);
    return { rows: rows.slice(offset, offset + limit), total: this.rows.length, complete: this.complete, truncated: this.truncated };
  }

  summary(): ResultSummary {
    return { resultId: this.id, total: this.rows.length, complete: this.complete, truncated: this.truncated, problems: this.problems, users: this.users.size, devices: this.devices.size };
  }

  /** Sorted once per (sort, number of rows): scrolling a sorted table does not sort again per page. */
  private sortedBy(sort: RowSort): SessionRow[] {
    const key = `${sort.by}:${sort.direction}`;
    if (this.sorted?.key === key && this.sorted.length === this.rows.length) return this.sorted.order;
    const sign = sort.direction === 'asc' ? 1 : -1;
    const field = sort.by;
    const order = [...this.rows].sort((a, b) => sign * (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0) || (a.id < b.id ? -1 : 1));
    this.sorted = { key, length: this.rows.length, order };
    return order;
  }
}

/**
 * The result sets of recent searches, the oldest dropped beyond `maxSets`: a person looks at one
 * search at a time, and each set can hold `maxRows` rows (about 200 bytes each).
 */
export function createResultSets(options: { maxSets?: number; maxRows?: number } = {}) {
  const maxSets = options.maxSets ?? 4;
  const maxRows = options.maxRows ?? 250_000;
  const sets = new Map<string, ResultSet>();

  const find = (id: string): ResultSet => {
    const set = sets.get(id);
    if (set === undefined) throw notFound('These search results are no longer kept. Search again.');
    // Most recently used last, so the oldest is dropped first.
    sets.delete(id);
    sets.set(id, set);
    return set;
  };

  return {
    maxRows,
    open(id: string, origin: ResultSet['origin']): ResultSet {
      const set = new ResultSet(id, maxRows, origin);
      sets.delete(id);
      sets.set(id, set);
      while (sets.size > maxSets) sets.delete(sets.keys().next().value!);
      return set;
    },
    page(id: string, offset: number, limit: number, sort?: RowSort): RowPage {
      if (!Number.isInteger(offset) || offset < 0) throw invalidInput('A row offset is a whole number from 0.');
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_ROWS) throw invalidInput(`A page holds 1 to ${MAX_PAGE_ROWS} rows.`);
      return find(id).page(offset, limit, sort);
    },
    /** The result set itself (revoke, export); NotFound once it was dropped. */
    get: (id: string): ResultSet => find(id),
    release(id: string): boolean {
      return sets.delete(id);
    },
    clear(): void {
      sets.clear();
    },
  };
}

export type ResultSets = ReturnType<typeof createResultSets>;
