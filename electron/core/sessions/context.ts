import type { Logger } from '../log';
import type { LookupStrategy } from './bulk-revocation';
import { AUDIT_MAX_IDS, type AuditSink, type SessionAuditEvent } from './audit';
import type { RedisClient, SessionRedis } from './connection';
import { SessionKeys } from './keys';
import { isScriptingRefused } from './redis-errors';
import { withScripts } from './scripts';

/**
 * How keyspace walks run: 'server' filters (and counts) in Lua on each master and falls back to the
 * client by itself where scripts are refused; 'client' always reads every key's fields and filters
 * here (the pipelined walk: for comparisons, and what the fallback does).
 */
export type WalkMode = 'server' | 'client';

/** What every session operation needs; built once by createSessionStore. */
export interface SessionContext {
  redis: SessionRedis;
  keys: SessionKeys;
  logger: Logger;
  now: () => Date;
  /** Keys read or sessions revoked per pipelined batch. */
  batchSize: number;
  /** How owner lookups and bulk revocations find sessions when the caller does not say. */
  defaultStrategy: LookupStrategy;
  audit(event: Omit<SessionAuditEvent, 'at' | 'target' | 'prefix' | 'sessionIdsTruncated'>): Promise<void>;
  /**
   * The `started` entry of a revocation, written before anything is deleted. Unlike outcomes, a failure
   * here stops the revocation: nothing is revoked without a record.
   */
  auditStarted(event: Omit<SessionAuditEvent, 'at' | 'target' | 'prefix' | 'sessionIdsTruncated' | 'sessionIds' | 'count' | 'outcome'>): Promise<void>;
  client(): Promise<ReturnType<typeof withScripts>>;
  /**
   * The client when it is connected, without waiting (undefined otherwise: use client()). Validate sends
   * its read in the same tick as the caller asked, so that concurrent validations share one
   * auto-pipelined write as concurrent raw commands would.
   */
  connectedClient(): ReturnType<typeof withScripts> | undefined;
  /** True while walks may use Latchkey's scripts (until the server refuses one, or 'client' was chosen). */
  scriptsAllowed(): boolean;
  /**
   * Runs `scripted`; if the server refuses scripts, remembers it (the walks of this store stop trying)
   * and runs `plain` instead. Any other failure is thrown as it came.
   */
  withScriptFallback<T>(scripted: () => Promise<T>, plain: () => Promise<T>): Promise<T>;
}

export function createSessionContext(options: {
  redis: SessionRedis;
  logger: Logger;
  now?: () => Date;
  batchSize?: number;
  defaultStrategy?: LookupStrategy;
  onAudit?: AuditSink;
  walk?: WalkMode;
}): SessionContext {
  const now = options.now ?? (() => new Date());
  const logger = options.logger.child({ component: 'sessions' });
  let scriptsRefused = options.walk === 'client';
  const stamp = <E extends object>(event: E) => ({ ...event, at: now().toISOString(), target: options.redis.target, prefix: options.redis.prefix });
  return {
    redis: options.redis,
    keys: new SessionKeys(options.redis.prefix),
    logger,
    now,
    batchSize: options.batchSize ?? 1_000,
    defaultStrategy: options.defaultStrategy ?? 'both',
    async auditStarted(event) {
      const full: SessionAuditEvent = { ...stamp(event), sessionIds: [], sessionIdsTruncated: false, count: 0, outcome: 'started' };
      logger.info('session audit event', { kind: full.kind, outcome: full.outcome });
      await options.onAudit?.(full);
    },
    async audit(event) {
      const full: SessionAuditEvent = {
        ...stamp(event),
        sessionIds: event.sessionIds.slice(0, AUDIT_MAX_IDS),
        sessionIdsTruncated: event.sessionIds.length > AUDIT_MAX_IDS,
      };
      logger.info('session audit event', { kind: full.kind, count: full.count, outcome: full.outcome });
      try {
        await options.onAudit?.(full);
      } catch (error) {
        // The action already happened in Redis; a failing sink must not make it look as if it had not.
        logger.error('session audit sink failed', { error, kind: full.kind });
      }
    },
    async client() {
      let client: RedisClient;
      try {
        client = await options.redis.ready();
      } catch (error) {
        throw options.redis.failure(error);
      }
      return withScripts(client);
    },
    connectedClient() {
      const client = options.redis.connected();
      return client === undefined ? undefined : withScripts(client);
    },
    scriptsAllowed: () => !scriptsRefused,
    async withScriptFallback(scripted, plain) {
      if (!scriptsRefused) {
        try {
          return await scripted();
        } catch (error) {
          if (!isScriptingRefused(error)) throw error;
          scriptsRefused = true;
          // Said once per store: the admin may want to grant +@scripting for faster walks.
          logger.warn('Redis refused Latchkey\'s scripts; keyspace walks read every key on the client instead (slower). Grant the user +@scripting to walk on the server.', {
            target: options.redis.target,
          });
        }
      }
      return plain();
    },
  };
}
