import type { AuditSink as AuditLogSink } from '../audit/audit-log';
import type { ConfigFile } from '../config/config-file';
import type { OutputFiles } from '../envfiles/private-output-file';
import { conflict, isLatchkeyError } from '../errors';
import type { Keychain } from '../keychain';
import type { Logger } from '../log';
import { auditTargetRef, recordSessionAudit } from './audit-trail';
import { openSessionRedis, parseSessionServer, type SessionRedis } from './connection';
import { testSessionServer, type ServerTestResult } from './server-test';
import { ownerSummary, type OwnerSummary } from './owner-summary';
import type { OwnerQueryOptions } from './queries';
import { checkSettings, createSessionServers, type SessionServerSettings } from './session-servers';
import type { RowSort } from '../../../shared/sessions';
import { createResultSets, type ResultSummary, type RowPage } from './result-sets';
import { csvHeader, csvRow } from './export-format';
import type { FilterRevocationOptions, FilterRevocationResult } from './filter-revocation';
import { filterOfQuery, searchSessions, type SearchOptions, type SessionQuery } from './session-search';
import type { SharedStats, SharedStatsOptions } from './shared-stats';
import { SessionStore } from './store';

/**
 * `core.sessions`: the session servers of session administration and one SessionStore per server. A
 * store is opened on first use and kept; it is rebuilt when its server's settings change (here or in the
 * config file by another process), after it failed to open, and after Redis refused its credentials (so
 * a password fixed in the keychain is read again). Every event a store reports goes into the audit log.
 */
export interface SessionStoresDeps {
  config: ConfigFile;
  keychain: Keychain;
  audit: AuditLogSink;
  logger: Logger;
  /** Writes exports where the person chose, never inside Latchkey's own folders. */
  outputFiles: OutputFiles;
  now?: () => Date;
}

interface OpenStore {
  fingerprint: string;
  opening: Promise<{ redis: SessionRedis; store: SessionStore }>;
}

export function createSessionStores(deps: SessionStoresDeps) {
  const logger = deps.logger.child({ component: 'sessions.stores' });
  const servers = createSessionServers({ config: deps.config, keychain: deps.keychain });
  const results = createResultSets();
  const open = new Map<string, OpenStore>();

  const drop = async (name: string): Promise<void> => {
    const entry = open.get(name);
    if (entry === undefined) return;
    open.delete(name);
    const opened = await entry.opening.catch(() => undefined);
    await opened?.redis.close().catch((error: unknown) => logger.debug('closing a session connection failed', { error }));
  };

  /** The store of a saved session server: opened once, rebuilt after a change or after it gave up. */
  const storeFor = async (name: string): Promise<SessionStore> => {
    const stored = await servers.find(name);
    const fingerprint = JSON.stringify(stored.redis);
    const entry = open.get(name);
    if (entry !== undefined && entry.fingerprint === fingerprint) return (await entry.opening).store;
    if (entry !== undefined) {
      // Settings changed: close the old connection, then look again (another call may have reopened it).
      await drop(name);
      return storeFor(name);
    }
    const opening = (async () => {
      const redis = await openSessionRedis(stored.redis, { logger: deps.logger, keychain: deps.keychain });
      const store = new SessionStore({
        redis,
        logger: deps.logger,
        now: deps.now,
        onAudit: recordSessionAudit(deps.audit, auditTargetRef(stored.redis)),
        ...(stored.redis.sampleAboveKeys === undefined ? {} : { sampleAboveKeys: stored.redis.sampleAboveKeys }),
      });
      return { redis, store };
    })();
    open.set(name, { fingerprint, opening });
    opening.catch(() => {
      if (open.get(name)?.opening === opening) open.delete(name);
    });
    return (await opening).store;
  };

  /** Runs `work` on a session server's store; after refused credentials the next call opens it afresh. */
  const withStore = async <T>(name: string, work: (store: SessionStore) => Promise<T>): Promise<T> => {
    try {
      return await work(await storeFor(name));
    } catch (error) {
      if (isLatchkeyError(error) && (error.kind === 'Unauthenticated' || error.kind === 'PermissionDenied')) await drop(name);
      throw error;
    }
  };

  return {
    /** Saved session servers, without passwords (only whether one is stored). */
    list: () => servers.views(),
    save: async (input: Parameters<typeof servers.save>[0]) => {
      const saved = await servers.save(input);
      await Promise.all([drop(input.name), input.previousName === undefined ? undefined : drop(input.previousName)]);
      return saved;
    },
    remove: async (name: string) => {
      await servers.remove(name);
      await drop(name);
    },
    /** Connects with a saved session server's settings (a fresh connection, not the cached one). */
    test: async (name: string): Promise<ServerTestResult> => {
      const stored = await servers.find(name);
      return testSessionServer(stored.redis, { logger: deps.logger, keychain: deps.keychain });
    },
    /**
     * Connects with settings not saved yet. Passwords given here are used for this test only; without
     * them, `storedPasswordsOf` (the server being edited) lends its stored passwords.
     */
    testSettings: async (
      settings: SessionServerSettings,
      options: { password?: string; sentinelPassword?: string; storedPasswordsOf?: string } = {},
    ): Promise<ServerTestResult> => {
      checkSettings(settings);
      const stored = options.storedPasswordsOf === undefined ? undefined : (await servers.find(options.storedPasswordsOf)).redis;
      const account = options.password === undefined ? stored?.passwordAccount : undefined;
      const sentinelAccount = options.sentinelPassword === undefined ? stored?.sentinel?.passwordAccount : undefined;
      const config = parseSessionServer({
        ...settings,
        ...(account === undefined ? {} : { passwordAccount: account }),
        ...(settings.sentinel === undefined ? {} : { sentinel: { ...settings.sentinel, ...(sentinelAccount === undefined ? {} : { passwordAccount: sentinelAccount }) } }),
      });
      return testSessionServer(config, { logger: deps.logger, keychain: deps.keychain, password: options.password, sentinelPassword: options.sentinelPassword });
    },
    storeFor,
    withStore,

    /** Runs a search into the result set `resultId` (readable with `rows` while it runs). */
    search: (name: string, query: SessionQuery, options: SearchOptions & { resultId: string }): Promise<ResultSummary> =>
      withStore(name, (store) => searchSessions(store, query, results.open(options.resultId, { server: name, filter: filterOfQuery(query) }), options)),
    /**
     * Revokes exactly the sessions of a finished search (on the session server it ran on), recorded with the
     * search's filter; `expected` is the count the person confirmed, and a result set that holds another
     * number is refused.
     */
    revokeResult: async (resultId: string, expected: number, options: FilterRevocationOptions = {}): Promise<FilterRevocationResult> => {
      const set = results.get(resultId);
      const ids = set.finishedIds();
      if (ids.length !== expected) throw conflict(`The search result holds ${ids.length} sessions, not the ${expected} that were confirmed. Look at the result again and confirm its count.`);
      return withStore(set.origin.server, (store) => store.revokeIds(ids, set.origin.filter, options));
    },
    /** Writes a search result to `path` (created 0600): CSV or JSON, ids, owners, times and metadata — never a token. */
    exportResult: async (resultId: string, format: 'csv' | 'json', path: string): Promise<{ count: number }> => {
      const set = results.get(resultId);
      const rows = [...set.exportRows()];
      const text = format === 'csv' ? `${csvHeader()}${rows.map(csvRow).join('')}` : `${JSON.stringify(rows, null, 2)}\n`;
      await deps.outputFiles.write(path, text);
      return { count: rows.length };
    },
    /** The dashboard's counts, one walk at a time per session server (shared-stats.ts). */
    dashboard: (name: string, options?: SharedStatsOptions): Promise<SharedStats> => withStore(name, (store) => store.dashboard(options)),
    rows: (resultId: string, offset: number, limit: number, sort?: RowSort): RowPage => results.page(resultId, offset, limit, sort),
    release: (resultId: string): boolean => results.release(resultId),
    /** A device's or user's sessions, users, devices and latest metadata (drill-down and revoke preview). */
    summary: (name: string, kind: 'user' | 'device', id: string, options?: OwnerQueryOptions): Promise<OwnerSummary> =>
      withStore(name, (store) => ownerSummary(store, kind, id, options)),

    async close(): Promise<void> {
      results.clear();
      await Promise.all([...open.keys()].map((name) => drop(name)));
    },
  };
}

export type SessionStores = ReturnType<typeof createSessionStores>;
