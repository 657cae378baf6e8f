import { conflict, notFound } from '../errors';
import type { Logger } from '../log';
import { collectSessionStats, type SessionStats } from './analytics';
import type { AuditSink } from './audit';
import { revokeOwnerSessions, type BulkRevocationOptions, type BulkRevocationResult, type LookupStrategy } from './bulk-revocation';
import type { RedisClient, SessionRedis } from './connection';
import { createSessionContext, type SessionContext, type WalkMode } from './context';
import { parseSessionFilter, type SessionFilter } from './filter';
import { previewFilter, revokeByIds, revokeMatching, type FilterPreview, type FilterRevocationOptions, type FilterRevocationResult } from './filter-revocation';
import { countFailedValidation } from './failed-validations';
import { dropIndexEntries, indexExistingSessions, putIndexEntries, type IndexingResult } from './indexes';
import {
  findSessions,
  listSessionsPage,
  sessionsOfOwner,
  streamSessions,
  type OwnerQueryOptions,
  type SessionList,
  type SessionPage,
  type StreamBatch,
} from './queries';
import { parseSessionFields, SESSION_FIELDS, sessionHashFields, type SessionRecord } from './record';
import { createSharedStats, type SharedStats, type SharedStatsOptions } from './shared-stats';
import { DEFAULT_SAMPLE_ABOVE_KEYS, estimateSessionStats, type EstimateOptions, type SampledStats } from './sampled-stats';
import { readSessions, sumDbSize, type ScanOptions, type Session } from './scan';
import { createSessionSchema, hoursSchema, parseInput, selectedId, type CreateSessionInput, type SessionSelector } from './session-input';
import { formatIsoTimestamp } from './timestamps';
import { generateToken, sessionIdOf } from './tokens';

/**
 * The session store: the HandsFree server's operations (create, validate, revoke, revoke all of a user
 * or device, extend) on its Redis data as it is, plus Latchkey's indexes. A token is returned once, by
 * create, and is otherwise only ever hashed: it is never stored, logged or put in an error.
 */
export const DEFAULT_TTL_HOURS = 24;
const HOUR_MICROS = 3_600_000_000;
const EXTEND_ATTEMPTS = 5;

export interface SessionStoreOptions {
  redis: SessionRedis;
  logger: Logger;
  now?: () => Date;
  defaultTtlHours?: number;
  /** Receives one event per revocation (and per create, extend, indexing run); never a token. */
  onAudit?: AuditSink;
  /** Sessions per pipelined batch for bulk work. */
  batchSize?: number;
  /**
   * How owner lookups and bulk revocations find sessions by default: 'both' (index, then keyspace walk;
   * the default) is right unless every writer of this Redis maintains Latchkey's indexes, in which
   * case 'index' makes them O(the owner's sessions).
   */
  defaultStrategy?: LookupStrategy;
  /** 'server' (the default) walks with scripts on Redis where it allows them; 'client' reads every key. */
  walk?: WalkMode;
  /** Above this many keys (DBSIZE over all masters) the dashboard shows a sampled estimate first. */
  sampleAboveKeys?: number;
}

export interface CreatedSession extends Session {
  /** Shown once. Not stored anywhere by Latchkey. */
  token: string;
}

export type InvalidReason = 'unknown' | 'expired' | 'malformed';
export type ValidationResult = { valid: true; session: Session } | { valid: false; reason: InvalidReason };

export interface RevokeResult {
  revoked: boolean;
  id: string;
  userId?: string;
  deviceId?: string;
}

export type ExtendResult = { extended: true; session: Session } | { extended: false; reason: InvalidReason };

export class SessionStore {
  private readonly ctx: SessionContext;
  private readonly defaultTtlHours: number;
  private readonly shared: ReturnType<typeof createSharedStats>;
  private readonly sampleAboveKeys: number;

  constructor(options: SessionStoreOptions) {
    this.ctx = createSessionContext(options);
    this.defaultTtlHours = options.defaultTtlHours ?? DEFAULT_TTL_HOURS;
    this.shared = createSharedStats(this.ctx);
    this.sampleAboveKeys = options.sampleAboveKeys ?? DEFAULT_SAMPLE_ABOVE_KEYS;
  }

  /** The key prefix and Redis this store works on. */
  get prefix(): string {
    return this.ctx.keys.prefix;
  }

  async create(input: CreateSessionInput): Promise<CreatedSession> {
    const { userId, deviceId, ttlHours, metadata } = parseInput(createSessionSchema, input, 'new session');
    const client = await this.ctx.client();
    const createdMicros = this.ctx.now().getTime() * 1000;
    const expiresMicros = createdMicros + Math.round((ttlHours ?? this.defaultTtlHours) * HOUR_MICROS);
    const token = generateToken();
    const record: SessionRecord = {
      id: sessionIdOf(token),
      userId,
      deviceId,
      createdAt: formatIsoTimestamp(createdMicros),
      expiresAt: formatIsoTimestamp(expiresMicros),
      createdAtMicros: createdMicros,
      expiresAtMicros: expiresMicros,
      metadata: metadata ?? {},
    };
    const fields = sessionHashFields(record).filter((_, i) => i % 2 === 1);
    const expireAtMs = String(Math.floor(expiresMicros / 1000));
    // The session and its two index entries go out in one pipelined batch. If any part fails, the
    // rest is undone, so a failed create leaves nothing behind (the token was never returned anyway).
    const key = this.ctx.keys.session(record.id);
    const [written, indexed] = await Promise.allSettled([client.latchkeyCreateSession(key, ...fields, expireAtMs), putIndexEntries(this.ctx, client, record, '')]);
    if (written.status === 'rejected' || indexed.status === 'rejected') {
      const failure = written.status === 'rejected' ? written.reason : (indexed as PromiseRejectedResult).reason;
      await Promise.allSettled([written.status === 'fulfilled' && written.value === 1 ? client.del(key) : undefined, dropIndexEntries(this.ctx, client, [record])]);
      throw this.ctx.redis.failure(failure);
    }
    if (written.value !== 1) throw conflict('A session with the same id already exists. Create the session again.');
    await this.ctx.audit({ kind: 'session.create', userId, deviceId, sessionIds: [record.id], count: 1, outcome: 'complete' });
    return { ...record, token, ttlSeconds: Math.floor((expiresMicros - createdMicros) / 1_000_000) };
  }

  /**
   * The seed's check: hash the token, read the hash, parse it, compare expires_at with now. Unknown,
   * expired and malformed sessions are invalid, and each failure is counted for analytics.
   */
  async validate(token: string): Promise<ValidationResult> {
    const read = await this.readRaw(selectedId({ token }));
    if (!read.valid) {
      await countFailedValidation(this.ctx);
      return read;
    }
    return { valid: true, session: read.session };
  }

  /** One session by id, with its key's real TTL; NotFound (saying why) when there is no live session. */
  async get(id: string): Promise<Session> {
    const read = await readSessions(this.ctx, [this.ctx.keys.session(selectedId({ id }))]);
    const [session] = read.sessions;
    if (session !== undefined) return session;
    const [problem] = read.problems;
    if (problem !== undefined) throw notFound(`There is no usable session with this id: ${problem.problem}.`);
    throw notFound(missingMessage('unknown'));
  }

  async revoke(selector: SessionSelector): Promise<RevokeResult> {
    const id = selectedId(selector);
    const client = await this.ctx.client();
    let reply: Awaited<ReturnType<typeof client.latchkeyRevokeSession>>;
    try {
      reply = await client.latchkeyRevokeSession(this.ctx.keys.session(id));
    } catch (error) {
      throw this.ctx.redis.failure(error);
    }
    if (reply === null || reply[0] !== 'ok') {
      if (reply !== null) this.ctx.logger.warn('refused to revoke a key that is not a session hash', { id, type: reply[1] });
      await this.ctx.audit({ kind: 'session.revoke', sessionIds: [id], count: 0, outcome: 'complete' });
      return { revoked: false, id };
    }
    const [, userId, deviceId] = reply;
    try {
      await dropIndexEntries(this.ctx, client, [{ id, userId, deviceId }]);
    } catch (error) {
      this.ctx.logger.warn('revoked a session but could not clean its index entries; reads will drop them', { error });
    }
    await this.ctx.audit({ kind: 'session.revoke', userId, deviceId, sessionIds: [id], count: 1, outcome: 'complete' });
    return { revoked: true, id, userId, deviceId };
  }

  revokeUser(userId: string, options?: BulkRevocationOptions): Promise<BulkRevocationResult> {
    return revokeOwnerSessions(this.ctx, 'user', userId, options);
  }

  revokeDevice(deviceId: string, options?: BulkRevocationOptions): Promise<BulkRevocationResult> {
    return revokeOwnerSessions(this.ctx, 'device', deviceId, options);
  }

  /**
   * Moves expires_at (and the key's TTL) `hours` later than it is now, as the seed's
   * extend_session(token, additional_hours) does. Fails for a session that is unknown, expired,
   * malformed or revoked, including one revoked while this runs: the write is conditional on the
   * session still existing with the expires_at that was read.
   */
  async extend(selector: SessionSelector, hours: number): Promise<ExtendResult> {
    const added = parseInput(hoursSchema, hours, 'number of hours');
    const id = selectedId(selector);
    const key = this.ctx.keys.session(id);
    const client = await this.ctx.client();
    for (let attempt = 0; attempt < EXTEND_ATTEMPTS; attempt += 1) {
      const read = await this.readRaw(id);
      if (!read.valid) return { extended: false, reason: read.reason };
      const nextMicros = read.session.expiresAtMicros + Math.round(added * HOUR_MICROS);
      const next = formatIsoTimestamp(nextMicros);
      let outcome: number;
      try {
        outcome = await client.latchkeyExtendSession(key, read.rawExpiresAt, next, String(Math.floor(nextMicros / 1000)));
      } catch (error) {
        throw this.ctx.redis.failure(error);
      }
      if (outcome === 0) return { extended: false, reason: 'unknown' };
      if (outcome === 1) {
        const session: Session = { ...read.session, expiresAt: next, expiresAtMicros: nextMicros, ttlSeconds: Math.floor((nextMicros - this.ctx.now().getTime() * 1000) / 1_000_000) };
        try {
          await putIndexEntries(this.ctx, client, session, 'XX');
        } catch (error) {
          this.ctx.logger.warn('extended a session but could not update its index score; reads will repair it', { error });
        }
        await this.ctx.audit({ kind: 'session.extend', userId: session.userId, deviceId: session.deviceId, sessionIds: [id], count: 1, outcome: 'complete' });
        return { extended: true, session };
      }
      // -1: someone changed expires_at between our read and our write; read again.
    }
    throw conflict('The session kept changing while Latchkey tried to extend it. Try again.');
  }

  listByUser(userId: string, options?: OwnerQueryOptions): Promise<SessionList> {
    return sessionsOfOwner(this.ctx, 'user', userId, options);
  }

  listByDevice(deviceId: string, options?: OwnerQueryOptions): Promise<SessionList> {
    return sessionsOfOwner(this.ctx, 'device', deviceId, options);
  }

  /** Every session matching `filter`, streamed batch by batch (progress, AbortSignal, resumable). */
  stream(options?: ScanOptions & { filter?: SessionFilter; from?: string }): AsyncGenerator<StreamBatch> {
    return streamSessions(this.ctx, options);
  }

  page(options?: { cursor?: string | null; limit?: number; filter?: SessionFilter; signal?: AbortSignal }): Promise<SessionPage> {
    return listSessionsPage(this.ctx, options);
  }

  /** Sessions matching metadata and other filters (a keyspace walk), at most `limit` of them. */
  find(filter: SessionFilter, options?: ScanOptions & { limit?: number }): Promise<SessionList & { truncated: boolean }> {
    return findSessions(this.ctx, filter, options);
  }

  expiringSoon(withinSeconds: number, options?: ScanOptions & { limit?: number }): Promise<SessionList & { truncated: boolean }> {
    return findSessions(this.ctx, { expiringWithinSeconds: withinSeconds }, options);
  }

  /** How many sessions match `filter`, of how many users and devices (a keyspace walk; nothing changes). */
  async previewMatching(filter: SessionFilter, options?: { signal?: AbortSignal; onProgress?: FilterRevocationOptions['onProgress'] }): Promise<FilterPreview> {
    return previewFilter(this.ctx, parseSessionFilter(filter), options);
  }

  /** Revokes every session matching `filter` (at least one criterion), audited with the filter and counts. */
  async revokeMatching(filter: SessionFilter, options?: FilterRevocationOptions): Promise<FilterRevocationResult> {
    return revokeMatching(this.ctx, parseSessionFilter(filter), options);
  }

  /** Revokes the sessions with these ids (a search result), audited with the search's filter. */
  async revokeIds(ids: readonly string[], filter: SessionFilter, options?: FilterRevocationOptions): Promise<FilterRevocationResult> {
    return revokeByIds(this.ctx, ids.map((id) => selectedId({ id })), parseSessionFilter(filter), options);
  }

  /** One walk of the keyspace for the dashboard's numbers (see dashboard() for what the app and CLI use). */
  stats(options?: ScanOptions & { hours?: number }): Promise<SessionStats> {
    return collectSessionStats(this.ctx, options);
  }

  /**
   * The dashboard's numbers, shared: at most one walk at a time per session server (across windows,
   * apps and the CLI), the last counts kept in Redis, refreshes spaced by how long a walk takes.
   */
  dashboard(options?: SharedStatsOptions): Promise<SharedStats> {
    return this.shared(options);
  }

  /**
   * The dashboard's numbers estimated from a random sample of keys, with 95 % intervals (sampled-stats.ts).
   * With `onlyWhenLarge`, undefined unless the keyspace holds more than `sampleAboveKeys` keys (the
   * dashboard then walks it exactly).
   */
  async estimate(options: EstimateOptions & { onlyWhenLarge?: boolean } = {}): Promise<SampledStats | undefined> {
    if (options.onlyWhenLarge === true) {
      const nodes = await this.ctx.redis.masters().catch((error: unknown) => {
        throw this.ctx.redis.failure(error);
      });
      if ((await sumDbSize(this.ctx, nodes)) <= this.sampleAboveKeys) return undefined;
    }
    return estimateSessionStats(this.ctx, options);
  }

  /** Indexes sessions written by servers that keep no index (a keyspace walk, with progress). */
  indexExisting(options?: ScanOptions): Promise<IndexingResult> {
    return indexExistingSessions(this.ctx, options);
  }

  /** The seed's validate (HGETALL there, HMGET of the five fields here), parse, compare expires_at with now. `rawExpiresAt` is the stored text, for extend's compare-and-set. */
  private async readRaw(id: string): Promise<{ valid: true; session: Session; rawExpiresAt: string } | { valid: false; reason: InvalidReason }> {
    const client = this.ctx.connectedClient() ?? (await this.ctx.client());
    const key = this.ctx.keys.session(id);
    let values: (string | null)[];
    try {
      // One HMGET of the five fields (the server does HGETALL): validate is the hot path, and a fixed
      // array of five costs the client less to decode than a hash of any size.
      values = await client.hmget(key, ...SESSION_FIELDS);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('WRONGTYPE')) return { valid: false, reason: 'malformed' };
      throw this.ctx.redis.failure(error);
    }
    const field = (i: number): string | undefined => {
      const value = values[i];
      return typeof value === 'string' ? value : undefined;
    };
    // None of the five: no session, or (rarely) a hash holding only other fields, which is malformed.
    if (values.every((value) => typeof value !== 'string')) return { valid: false, reason: (await this.keyExists(client, key)) ? 'malformed' : 'unknown' };
    const parsed = parseSessionFields(id, field(0), field(1), field(2), field(3), field(4));
    if (!parsed.ok) return { valid: false, reason: 'malformed' };
    const leftMicros = parsed.record.expiresAtMicros - this.ctx.now().getTime() * 1000;
    if (leftMicros <= 0) return { valid: false, reason: 'expired' };
    // The key's TTL is seconds until expires_at (the server sets it so); no second round trip for it.
    // parseSessionFields made this record for this call: the TTL is added in place, not in a copy (hot path).
    const session = parsed.record as Session;
    session.ttlSeconds = Math.floor(leftMicros / 1_000_000);
    return { valid: true, session, rawExpiresAt: field(3)! };
  }

  private async keyExists(client: RedisClient, key: string): Promise<boolean> {
    try {
      return (await client.exists(key)) === 1;
    } catch (error) {
      throw this.ctx.redis.failure(error);
    }
  }
}

export function missingMessage(reason: InvalidReason): string {
  switch (reason) {
    case 'unknown':
      return 'No such session: it was revoked, has expired, or never existed.';
    case 'expired':
      return 'The session has expired.';
    case 'malformed':
      return 'The session record in Redis is malformed, so the server treats it as invalid. Revoke it to clean up.';
  }
}

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  return new SessionStore(options);
}

