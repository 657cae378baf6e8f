import { afterAll, beforeAll } from 'vitest';
import { Redis } from 'ioredis';
import { createLogger, type Logger } from '../../../electron/core/log';
import type { SessionAuditEvent } from '../../../electron/core/sessions/audit';
import { openSessionRedis, type SessionServerInput, type SessionRedis } from '../../../electron/core/sessions/connection';
import { createSessionStore, type SessionStore, type SessionStoreOptions } from '../../../electron/core/sessions/store';
import { startRedis, type RedisServer } from '../../harness/redis';

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

export async function openTestStore(server: SessionServerInput, options: Partial<SessionStoreOptions> = {}, password?: string): Promise<TestStore> {
  const logs: string[] = [];
  const audit: SessionAuditEvent[] = [];
  const logger = createLogger({ sink: (line) => logs.push(line), level: 'debug' });
  const redis = await openSessionRedis(server, { logger, password });
  const store = createSessionStore({ redis, logger, onAudit: (event) => void audit.push(event), ...options });
  // A plain client for looking behind the store's back (not for TLS or cluster set-ups).
  const raw = server.url?.startsWith('redis://') === true ? new Redis(server.url, { lazyConnect: true }) : undefined;
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

/**
 * A redis-server and a TestStore on it for one `describe` block: started before its tests, stopped after.
 * Read `suite.server` and `suite.t` inside tests and hooks (they are set by then).
 */
export function redisStoreSuite(options: Partial<SessionStoreOptions> = {}): { readonly server: RedisServer; readonly t: TestStore } {
  let server: RedisServer | undefined;
  let t: TestStore | undefined;
  beforeAll(async () => {
    server = await startRedis();
    t = await openTestStore({ url: server.url }, options);
  });
  afterAll(async () => {
    await t?.close();
    await server?.stop();
  });
  return {
    get server() {
      if (server === undefined) throw new Error('redisStoreSuite: the server is started in beforeAll; read it inside a test or hook');
      return server;
    },
    get t() {
      if (t === undefined) throw new Error('redisStoreSuite: the store is opened in beforeAll; read it inside a test or hook');
      return t;
    },
  };
}
