import { invalidInput } from '../errors';
import type { LookupStrategy } from './bulk-revocation';
import type { SessionContext } from './context';
import type { SessionFilter } from './filter';
import { readIndexedSessions, type IndexKind } from './indexes';
import type { ScanOptions, ScanProgress, Session, SessionProblem } from './scan';
import { deviceIdSchema, parseInput, userIdSchema } from './session-input';
import { walkSessions } from './walk';

/**
 * What admins ask: the sessions of a user or a device (through the index, the keyspace walk, or both),
 * sessions matching metadata or expiring soon, and every session, streamed or page by page.
 */
export interface SessionList {
  sessions: Session[];
  problems: SessionProblem[];
}

/** Metadata fields the seed's clients send: the columns of result tables and the dashboard's groups. */
export const METADATA_FILTER_FIELDS = ['device_type', 'os', 'app_version'] as const;
export type MetadataFilterField = (typeof METADATA_FILTER_FIELDS)[number];

/** How a metadata value is shown and grouped: strings as they are, anything else as JSON. */
export function metadataText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface OwnerQueryOptions {
  strategy?: LookupStrategy;
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
}

export async function sessionsOfOwner(ctx: SessionContext, kind: IndexKind, owner: string, options: OwnerQueryOptions = {}): Promise<SessionList> {
  parseInput(kind === 'user' ? userIdSchema : deviceIdSchema, owner, `${kind} id`);
  const strategy = options.strategy ?? ctx.defaultStrategy;
  const byId = new Map<string, Session>();
  const problems = new Map<string, SessionProblem>();
  const add = (list: SessionList) => {
    for (const session of list.sessions) byId.set(session.id, session);
    for (const problem of list.problems) problems.set(problem.key, problem);
  };
  if (strategy !== 'scan') add(await readIndexedSessions(ctx, kind, owner));
  if (strategy !== 'index') add(await scanForOwner(ctx, kind, owner, options));
  return { sessions: sortSessions([...byId.values()]), problems: [...problems.values()] };
}

/** Keyspace walk for one owner: the owner is compared on the server, only its sessions come back. */
async function scanForOwner(ctx: SessionContext, kind: IndexKind, owner: string, options: ScanOptions): Promise<SessionList> {
  const list: SessionList = { sessions: [], problems: [] };
  const filter: SessionFilter = kind === 'user' ? { userId: owner } : { deviceId: owner };
  for await (const batch of walkSessions(ctx, { ...options, filter, unique: true, parallel: true })) {
    list.sessions.push(...batch.sessions);
    list.problems.push(...batch.problems);
  }
  return list;
}

export interface StreamBatch extends SessionList {
  progress: ScanProgress;
  /** Pass as `from` (or as a page cursor) to continue after this batch; null at the end. */
  resumeAt: string | null;
}

/** Every session matching `filter`, batch by batch, with progress and cancellation; resumable with `from`. */
export async function* streamSessions(ctx: SessionContext, options: ScanOptions & { filter?: SessionFilter; from?: string } = {}): AsyncGenerator<StreamBatch> {
  for await (const batch of walkSessions(ctx, { ...options, unique: true })) {
    yield { sessions: batch.sessions, problems: batch.problems, progress: batch.progress, resumeAt: batch.resumeAt };
  }
}

export interface SessionPage extends SessionList {
  /** null when there are no more sessions. */
  nextCursor: string | null;
}

const MAX_PAGE = 5_000;

/**
 * One page of sessions: at least `limit` sessions unless the keyspace ends first (a page can be a
 * little longer: SCAN returns keys in batches). The cursor is opaque; an outdated one (the cluster
 * changed shape) restarts from the beginning rather than skipping sessions. A page never repeats a
 * session, but SCAN's guarantee is "at least once": if Redis resizes its table between two page
 * calls, a session can appear on two pages, so a UI keys its rows by session id.
 */
export async function listSessionsPage(ctx: SessionContext, options: { cursor?: string | null; limit?: number; filter?: SessionFilter; signal?: AbortSignal } = {}): Promise<SessionPage> {
  const limit = options.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw invalidInput(`A page holds 1 to ${MAX_PAGE} sessions.`);
  const page: SessionPage = { sessions: [], problems: [], nextCursor: null };
  const stream = streamSessions(ctx, { filter: options.filter, signal: options.signal, from: options.cursor ?? undefined, count: Math.max(limit, 100) });
  for await (const batch of stream) {
    page.sessions.push(...batch.sessions);
    page.problems.push(...batch.problems);
    page.nextCursor = batch.resumeAt;
    if (page.sessions.length >= limit) break;
  }
  return page;
}

/** Sessions matching a filter, collected (bounded by `limit`); for large results use streamSessions. */
export async function findSessions(ctx: SessionContext, filter: SessionFilter, options: ScanOptions & { limit?: number } = {}): Promise<SessionList & { truncated: boolean }> {
  const limit = options.limit ?? 10_000;
  const found: SessionList & { truncated: boolean } = { sessions: [], problems: [], truncated: false };
  for await (const batch of streamSessions(ctx, { ...options, filter })) {
    found.sessions.push(...batch.sessions);
    found.problems.push(...batch.problems);
    if (found.sessions.length >= limit) {
      found.truncated = found.sessions.length > limit || batch.resumeAt !== null;
      found.sessions.length = Math.min(found.sessions.length, limit);
      break;
    }
  }
  found.sessions = sortSessions(found.sessions);
  return found;
}

/** Soonest-expiring first. */
export function sortSessions(sessions: Session[]): Session[] {
  return sessions.sort((a, b) => a.expiresAtMicros - b.expiresAtMicros || a.id.localeCompare(b.id));
}

