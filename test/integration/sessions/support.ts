import { Redis } from 'ioredis';
import { createLogger, type Logger } from '../../../electron/core/log';
import type { SessionAuditEvent } from '../../../electron/core/sessions/audit';
import { openSessionRedis, type RedisConnectionInput, type SessionRedis } from '../../../electron/core/sessions/connection';
import { createSessionStore, type SessionStore, type SessionStoreOptions } from '../../../electron/core/sessions/store';

/** A store on a real Redis with every log line and audit event captured (for canary checks). */
export interface TestStore {
  store: SessionStore;
  redis: SessionRedis;
  raw: Redis;
  logs: string[];
  audit: SessionAuditEvent[];
  logger: Logger;
  close(): Promise<void>;
}

export async function openTestStore(connection: RedisConnectionInput, options: Partial<SessionStoreOptions> = {}): Promise<TestStore> {
  const logs: string[] = [];
  const audit: SessionAuditEvent[] = [];
  const logger = createLogger({ sink: (line) => logs.push(line), level: 'debug' });
  const redis = await openSessionRedis(connection, { logger });
  const store = createSessionStore({ redis, logger, onAudit: (event) => void audit.push(event), ...options });
  // A plain client for looking behind the store's back (not for TLS or cluster set-ups).
  const raw = connection.url?.startsWith('redis://') === true ? new Redis(connection.url, { lazyConnect: true }) : undefined;
  raw?.on('error', () => undefined);
  return {
    store,
    redis,
    raw: raw!,
    logs,
    audit,
    logger,
    async close() {
      await redis.close();
      raw?.disconnect();
    },
  };
}
