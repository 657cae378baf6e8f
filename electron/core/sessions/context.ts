import type { Logger } from '../log';
import type { LookupStrategy } from './bulk-revocation';
import { AUDIT_MAX_IDS, type AuditSink, type SessionAuditEvent } from './audit';
import type { RedisClient, SessionRedis } from './connection';
import { SessionKeys } from './keys';
import { withScripts } from './scripts';

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
  client(): Promise<ReturnType<typeof withScripts>>;
}

export function createSessionContext(options: {
  redis: SessionRedis;
  logger: Logger;
  now?: () => Date;
  batchSize?: number;
  defaultStrategy?: LookupStrategy;
  onAudit?: AuditSink;
}): SessionContext {
  const now = options.now ?? (() => new Date());
  const logger = options.logger.child({ component: 'sessions' });
  return {
    redis: options.redis,
    keys: new SessionKeys(options.redis.prefix),
    logger,
    now,
    batchSize: options.batchSize ?? 1_000,
    defaultStrategy: options.defaultStrategy ?? 'both',
    async audit(event) {
      const full: SessionAuditEvent = {
        ...event,
        at: now().toISOString(),
        target: options.redis.target,
        prefix: options.redis.prefix,
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
  };
}
