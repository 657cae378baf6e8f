import type { SessionContext } from './context';
import type { SessionRecord } from './record';
import { readSessions, type ScanOptions, type Session, type SessionProblem } from './scan';
import type { withScripts } from './scripts';
import { walkSessions } from './walk';

/**
 * Per-user and per-device indexes: one sorted set per user and per device, members
 * `<session id>:<device id>` (user index) or `<session id>:<user id>` (device index), scored by the
 * session's expiry in epoch milliseconds. Carrying the other owner in the member lets a bulk revocation
 * clean the other index without reading the session first.
 *
 * An index is a hint, never the truth: every read cross-checks its entries against the session keys,
 * drops entries whose session expired or was deleted by someone else, and fixes scores of sessions
 * extended by a writer that keeps no index. So no ghost ever reaches a listing or a count.
 */
export type IndexKind = 'user' | 'device';

type ScriptClient = ReturnType<typeof withScripts>;

const ID_LENGTH = 64;

export function indexMember(sessionId: string, otherOwner: string): string {
  return `${sessionId}:${otherOwner}`;
}

export function parseIndexMember(member: string): { id: string; other: string } | undefined {
  if (member.length <= ID_LENGTH || member[ID_LENGTH] !== ':') return undefined;
  return { id: member.slice(0, ID_LENGTH), other: member.slice(ID_LENGTH + 1) };
}

export function indexKeyOf(ctx: SessionContext, kind: IndexKind, owner: string): string {
  return kind === 'user' ? ctx.keys.userIndex(owner) : ctx.keys.deviceIndex(owner);
}

/** Adds (mode '') or refreshes only if present (mode 'XX') both index entries of a session. */
export function putIndexEntries(ctx: SessionContext, client: ScriptClient, record: SessionRecord, mode: '' | 'XX'): Promise<[number, number]> {
  const score = String(Math.floor(record.expiresAtMicros / 1000));
  return Promise.all([
    client.latchkeyIndexPut(ctx.keys.userIndex(record.userId), score, indexMember(record.id, record.deviceId), mode),
    client.latchkeyIndexPut(ctx.keys.deviceIndex(record.deviceId), score, indexMember(record.id, record.userId), mode),
  ]);
}

/** Removes both index entries of sessions that are gone. */
export function dropIndexEntries(ctx: SessionContext, client: ScriptClient, gone: { id: string; userId: string; deviceId: string }[]): Promise<unknown> {
  return Promise.all(
    gone.flatMap((session) => [
      client.zrem(ctx.keys.userIndex(session.userId), indexMember(session.id, session.deviceId)),
      client.zrem(ctx.keys.deviceIndex(session.deviceId), indexMember(session.id, session.userId)),
    ]),
  );
}

/** Index entries of revoked sessions: housekeeping (reads drop ghosts), so a failure is logged, not thrown. */
export async function forgetRevoked(ctx: SessionContext, gone: { id: string; userId: string; deviceId: string }[]): Promise<void> {
  if (gone.length === 0) return;
  try {
    await dropIndexEntries(ctx, await ctx.client(), gone);
  } catch (error) {
    ctx.logger.warn('revoked sessions but could not clean their index entries; reads will drop them', { error });
  }
}

export interface IndexEntry {
  id: string;
  userId: string;
  deviceId: string;
  scoreMs: number;
}

/** The raw entries of one index, without cross-checking (for revocation, which checks by deleting). */
export async function indexEntries(ctx: SessionContext, kind: IndexKind, owner: string): Promise<IndexEntry[]> {
  const client = await ctx.client();
  let flat: string[];
  try {
    flat = await client.zrange(indexKeyOf(ctx, kind, owner), '0', '-1', 'WITHSCORES');
  } catch (error) {
    throw ctx.redis.failure(error);
  }
  const entries: IndexEntry[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const parsed = parseIndexMember(flat[i]!);
    if (parsed === undefined) continue; // not ours; never written by Latchkey
    entries.push({
      id: parsed.id,
      userId: kind === 'user' ? owner : parsed.other,
      deviceId: kind === 'device' ? owner : parsed.other,
      scoreMs: Number(flat[i + 1]),
    });
  }
  return entries;
}

/** The live sessions an index names, cross-checked; ghosts are removed from the index as they are met. */
export async function readIndexedSessions(ctx: SessionContext, kind: IndexKind, owner: string): Promise<{ sessions: Session[]; problems: SessionProblem[] }> {
  const entries = await indexEntries(ctx, kind, owner);
  const client = await ctx.client();
  const sessions: Session[] = [];
  const problems: SessionProblem[] = [];
  for (let start = 0; start < entries.length; start += ctx.batchSize) {
    const chunk = entries.slice(start, start + ctx.batchSize);
    const byKey = new Map(chunk.map((entry) => [ctx.keys.session(entry.id), entry]));
    const read = await readSessions(ctx, [...byKey.keys()]);
    const ghosts = read.missing.map((key) => byKey.get(key)!);
    const repairs: Promise<unknown>[] = [];
    for (const session of read.sessions) {
      const entry = byKey.get(ctx.keys.session(session.id))!;
      if (session.userId !== entry.userId || session.deviceId !== entry.deviceId) {
        ghosts.push(entry); // an entry that does not describe this session is wrong, whatever wrote it
        continue;
      }
      sessions.push(session);
      if (entry.scoreMs !== Math.floor(session.expiresAtMicros / 1000)) repairs.push(putIndexEntries(ctx, client, session, 'XX'));
    }
    problems.push(...read.problems);
    if (ghosts.length > 0) repairs.push(dropIndexEntries(ctx, client, ghosts));
    try {
      await Promise.all(repairs);
    } catch (error) {
      // Repairs are housekeeping: a read-only ACL user still gets a correct listing.
      ctx.logger.warn('could not repair a session index', { error });
    }
  }
  return { sessions, problems };
}

export interface IndexingResult {
  /** Sessions whose index entries are now present. */
  indexed: number;
  problems: SessionProblem[];
  scannedKeys: number;
}

/** Walks the keyspace and indexes every live session: for sessions written by servers that keep no index. */
export async function indexExistingSessions(ctx: SessionContext, options: ScanOptions = {}): Promise<IndexingResult> {
  const result: IndexingResult = { indexed: 0, problems: [], scannedKeys: 0 };
  let outcome: 'complete' | 'partial' = 'partial';
  try {
    for await (const batch of walkSessions(ctx, { ...options, unique: true })) {
      result.scannedKeys = batch.progress.scannedKeys;
      result.problems.push(...batch.problems);
      const client = await ctx.client();
      try {
        await Promise.all(batch.sessions.map((session) => putIndexEntries(ctx, client, session, '')));
      } catch (error) {
        throw ctx.redis.failure(error);
      }
      result.indexed += batch.sessions.length;
    }
    outcome = 'complete';
    return result;
  } finally {
    await ctx.audit({ kind: 'session.index', sessionIds: [], count: result.indexed, outcome });
  }
}
