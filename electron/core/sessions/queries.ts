import { invalidInput } from '../errors';
import type { LookupStrategy } from './bulk-revocation';
import type { SessionContext } from './context';
import { readIndexedSessions, type IndexKind } from './indexes';
import { keysWithField, readSessions, scanSessionKeys, type ScanOptions, type ScanProgress, type Session, type SessionProblem } from './scan';
import { deviceIdSchema, parseInput, userIdSchema } from './session-input';

/**
 * What admins ask: the sessions of a user or a device (through the index, the keyspace walk, or both),
 * sessions matching metadata or expiring soon, and every session, streamed or page by page.
 */
export interface SessionList {
  sessions: Session[];
  problems: SessionProblem[];
}

/** Metadata fields the seed's clients send and admins filter on. */
export const METADATA_FILTER_FIELDS = ['device_type', 'os', 'app_version'] as const;
export type MetadataFilterField = (typeof METADATA_FILTER_FIELDS)[number];

export interface SessionFilter {
  userId?: string;
  deviceId?: string;
  /** Exact matches on metadata values (compared as strings). */
  metadata?: Partial<Record<MetadataFilterField, string>>;
  /** Only sessions whose key expires within this many seconds. */
  expiringWithinSeconds?: number;
}

export function matchesFilter(session: Session, filter: SessionFilter): boolean {
  if (filter.userId !== undefined && session.userId !== filter.userId) return false;
  if (filter.deviceId !== undefined && session.deviceId !== filter.deviceId) return false;
  for (const [field, wanted] of Object.entries(filter.metadata ?? {})) {
    if (wanted !== undefined && metadataText(session.metadata[field]) !== wanted) return false;
  }
  if (filter.expiringWithinSeconds !== undefined) {
    const left = session.ttlSeconds ?? Number.POSITIVE_INFINITY;
    if (left > filter.expiringWithinSeconds) return false;
  }
  return true;
}

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

/** Keyspace walk for one owner: a cheap HGET of the owner field per key, a full read only of matches. */
async function scanForOwner(ctx: SessionContext, kind: IndexKind, owner: string, options: ScanOptions): Promise<SessionList> {
  const field = kind === 'user' ? 'user_id' : 'device_id';
  const list: SessionList = { sessions: [], problems: [] };
  for await (const batch of scanSessionKeys(ctx, { ...options, unique: true })) {
    const matches = await keysWithField(ctx, batch.keys, field, owner);
    if (matches.length === 0) continue;
    const read = await readSessions(ctx, matches);
    list.sessions.push(...read.sessions);
    list.problems.push(...read.problems);
  }
  return list;
}

export interface StreamBatch extends SessionList {
  progress: ScanProgress;
  /** Pass as `from` (or as a page cursor) to continue after this batch; null at the end. */
  resumeAt: string | null;
}

/** Every session matching `filter`, batch by batch, with progress and cancellation. */
export async function* streamSessions(ctx: SessionContext, options: ScanOptions & { filter?: SessionFilter; from?: string } = {}): AsyncGenerator<StreamBatch> {
  const filter = options.filter ?? {};
  for await (const batch of scanSessionKeys(ctx, { ...options, unique: true })) {
    const read = await readSessions(ctx, batch.keys);
    yield {
      sessions: read.sessions.filter((session) => matchesFilter(session, filter)),
      problems: read.problems,
      progress: batch.progress,
      resumeAt: batch.resumeAt,
    };
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

