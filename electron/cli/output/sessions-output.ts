import { invalidInput, notFound } from '../../core/errors';
import type { Keychain } from '../../core/keychain';
import type { Logger } from '../../core/log';
import {
  sessionServerFromUrl,
  DEFAULT_PREFIX,
  matchesFilter,
  missingMessage,
  openSessionRedis,
  SessionStore,
  type AuditSink,
  type BulkRevocationProgress,
  type CreatedSession,
  type FilterRevocationProgress,
  type LookupStrategy,
  type ScanProgress,
  type Session,
  type SessionFilter,
  type SessionOutput,
  type SessionProblem,
  type SampledStats,
  type SharedStats,
} from '../../core/sessions';

/**
 * The `latchkey sessions …` commands, minus argv parsing and process exit: each returns the plain,
 * JSON-able object the command prints, in the exact shape scripts depend on, or throws a LatchkeyError
 * (NotFound means exit 3: invalid, expired, nothing to revoke). Tokens arrive as arguments of these
 * functions only from standard input, and leave only in `sessionsCreate`'s result.
 */

/** `{token, id, user_id, device_id, created_at, expires_at, metadata}` */
export interface CreatedSessionOutput {
  token: string;
  id: string;
  user_id: string;
  device_id: string;
  created_at: string;
  expires_at: string;
  metadata: Record<string, unknown>;
}

export interface RevokedOutput {
  revoked: number;
}

/** `latchkey sessions revoke --where …`: `{matched, revoked}`; with --dry-run also whose sessions they are. */
export interface RevokeMatchingOutput {
  matched: number;
  revoked: number;
  users?: number;
  devices?: number;
}

export interface StatsOutput {
  generated_at: string;
  /** When the walk behind these counts finished, how long it took, its longest call, when a refresh is due. */
  computed_at: string;
  took_ms: number;
  longest_call_ms: number;
  next_refresh_at: string;
  /** 'server': counted by scripts on Redis; 'client': read and counted by Latchkey (scripts refused). */
  counted_on: 'server' | 'client';
  /** The counts came from a walk another caller ran (at the same time, or recently enough with --max-age). */
  shared: boolean;
  active_sessions: number;
  problems: number;
  by_device_type: Record<string, number>;
  by_os: Record<string, number>;
  by_app_version: Record<string, number>;
  created_per_hour: { hour: string; count: number }[];
  failed_validations_per_hour: { hour: string; count: number }[];
  expiring_within_hour: number;
  scanned_keys: number;
}

export function sessionOutput(session: Session): SessionOutput {
  return {
    id: session.id,
    user_id: session.userId,
    device_id: session.deviceId,
    created_at: session.createdAt,
    expires_at: session.expiresAt,
    ttl_seconds: session.ttlSeconds,
    metadata: session.metadata,
  };
}

function createdOutput(session: CreatedSession): CreatedSessionOutput {
  return {
    token: session.token,
    id: session.id,
    user_id: session.userId,
    device_id: session.deviceId,
    created_at: session.createdAt,
    expires_at: session.expiresAt,
    metadata: session.metadata,
  };
}

/** `--meta key=value`, repeatable; the last value of a key wins. */
export function parseMetaPairs(pairs: readonly string[]): Record<string, string> {
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw invalidInput(`--meta takes key=value, as in --meta device_type=wearable; "${pair.slice(0, 40)}" has no key.`);
    metadata[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { ...metadata };
}

export interface CliStore {
  store: SessionStore;
  close(): Promise<void>;
}

/**
 * The store for one CLI run: `--redis URL` or LATCHKEY_REDIS_URL (a password in that URL is used for
 * this connection only), `--prefix` (default `session:`).
 */
export async function openCliSessionStore(options: {
  redisUrl: string | undefined;
  prefix?: string;
  logger: Logger;
  keychain?: Keychain;
  onAudit?: AuditSink;
  /** Default lookup for list/revoke-user/revoke-device: 'both' unless every writer keeps the indexes. */
  defaultStrategy?: LookupStrategy;
}): Promise<CliStore> {
  if (options.redisUrl === undefined || options.redisUrl === '') {
    throw invalidInput('No Redis to work on: pass --redis redis://host:6379 or set LATCHKEY_REDIS_URL.');
  }
  const { config, password } = sessionServerFromUrl(options.redisUrl, { prefix: options.prefix ?? DEFAULT_PREFIX });
  const redis = await openSessionRedis(config, { logger: options.logger, keychain: options.keychain, password });
  const store = new SessionStore({ redis, logger: options.logger, onAudit: options.onAudit, defaultStrategy: options.defaultStrategy });
  return { store, close: () => redis.close() };
}

/** `latchkey sessions create --user U --device D [--ttl-hours N] [--meta key=value]...` */
export async function sessionsCreate(store: SessionStore, args: { user: string; device: string; ttlHours?: number; meta?: readonly string[] }): Promise<CreatedSessionOutput> {
  const created = await store.create({ userId: args.user, deviceId: args.device, ttlHours: args.ttlHours, metadata: parseMetaPairs(args.meta ?? []) });
  return createdOutput(created);
}

/** `latchkey sessions validate --token-stdin`: the session, or NotFound (exit 3) when invalid or expired. */
export async function sessionsValidate(store: SessionStore, token: string): Promise<SessionOutput> {
  const result = await store.validate(token);
  if (!result.valid) throw notFound(`The token is not valid. ${missingMessage(result.reason)}`);
  return sessionOutput(result.session);
}

export interface ListArgs {
  user?: string;
  device?: string;
  /** Further criteria (metadata, times); with --user/--device they narrow that owner's sessions. */
  filter?: SessionFilter;
  strategy?: LookupStrategy;
  /** Keys under the prefix that are not usable sessions: the CLI prints these as warnings on stderr. */
  onProblem?: (problem: SessionProblem) => void;
  onProgress?: (progress: ScanProgress) => void;
  signal?: AbortSignal;
}

/**
 * `latchkey sessions list [--user U] [--device D] [--where k=v …] [--created-before T …]`, item by
 * item: print `[`, the items, `]` to stream a keyspace of millions without holding it. With --user or
 * --device the owner's sessions come through the index (and the keyspace walk, per `strategy`), other
 * criteria narrowing them; otherwise the keyspace is walked with the filter applied on the server.
 */
export async function* sessionsListItems(store: SessionStore, args: ListArgs = {}): AsyncGenerator<SessionOutput> {
  const report = (problems: SessionProblem[]) => problems.forEach((problem) => args.onProblem?.(problem));
  const filter: SessionFilter = { ...args.filter, ...(args.user === undefined ? {} : { userId: args.user }), ...(args.device === undefined ? {} : { deviceId: args.device }) };
  if (args.user !== undefined || args.device !== undefined) {
    const owner = args.user !== undefined ? { kind: 'user' as const, id: args.user } : { kind: 'device' as const, id: args.device! };
    const options = { strategy: args.strategy, signal: args.signal, onProgress: args.onProgress };
    const list = owner.kind === 'user' ? await store.listByUser(owner.id, options) : await store.listByDevice(owner.id, options);
    report(list.problems);
    for (const session of list.sessions) {
      if (matchesFilter(session, filter)) yield sessionOutput(session);
    }
    return;
  }
  for await (const batch of store.stream({ filter, signal: args.signal, onProgress: args.onProgress })) {
    report(batch.problems);
    for (const session of batch.sessions) yield sessionOutput(session);
  }
}

/** `latchkey sessions list …` collected into the array it prints. */
export async function sessionsList(store: SessionStore, args: ListArgs = {}): Promise<SessionOutput[]> {
  const items: SessionOutput[] = [];
  for await (const item of sessionsListItems(store, args)) items.push(item);
  return items;
}

/** `latchkey sessions show <id>` */
export async function sessionsShow(store: SessionStore, id: string): Promise<SessionOutput> {
  return sessionOutput(await store.get(id));
}

/** `latchkey sessions revoke (--token-stdin | --id <id>)`: `{revoked: 1}`, or NotFound (exit 3). */
export async function sessionsRevoke(store: SessionStore, selector: { token: string } | { id: string }): Promise<RevokedOutput> {
  const result = await store.revoke(selector);
  if (!result.revoked) throw notFound('There was no such session to revoke: it was already revoked, has expired, or never existed.');
  return { revoked: 1 };
}

export interface BulkArgs {
  strategy?: LookupStrategy;
  signal?: AbortSignal;
  onProgress?: (progress: BulkRevocationProgress) => void;
}

/** `latchkey sessions revoke-user <user>` → `{revoked: N}` (N may be 0). */
export async function sessionsRevokeUser(store: SessionStore, user: string, args: BulkArgs = {}): Promise<RevokedOutput> {
  return { revoked: (await store.revokeUser(user, args)).revoked };
}

/** `latchkey sessions revoke-device <device>` → `{revoked: N}` (N may be 0). */
export async function sessionsRevokeDevice(store: SessionStore, device: string, args: BulkArgs = {}): Promise<RevokedOutput> {
  return { revoked: (await store.revokeDevice(device, args)).revoked };
}

/** `latchkey sessions extend --token-stdin --hours N`: the extended session, or NotFound (exit 3). */
export async function sessionsExtend(store: SessionStore, token: string, hours: number): Promise<SessionOutput> {
  const result = await store.extend({ token }, hours);
  if (!result.extended) throw notFound(`The session cannot be extended. ${missingMessage(result.reason)}`);
  return sessionOutput(result.session);
}

/** `latchkey sessions revoke --where … --dry-run`: how many sessions match, of how many users and devices. */
export async function sessionsPreviewMatching(store: SessionStore, filter: SessionFilter, args: { signal?: AbortSignal; onProgress?: (progress: FilterRevocationProgress) => void } = {}): Promise<Required<RevokeMatchingOutput>> {
  const preview = await store.previewMatching(filter, args);
  return { matched: preview.matched, revoked: 0, users: preview.users, devices: preview.devices };
}

/** `latchkey sessions revoke --where … --yes` → `{matched, revoked}`. */
export async function sessionsRevokeMatching(store: SessionStore, filter: SessionFilter, args: { signal?: AbortSignal; onProgress?: (progress: FilterRevocationProgress) => void } = {}): Promise<RevokeMatchingOutput> {
  const result = await store.revokeMatching(filter, args);
  return { matched: result.matched, revoked: result.revoked };
}

/** `latchkey sessions stats`: a walk now (or the one running, or counts at most `maxAgeSeconds` old). */
export async function sessionsStats(
  store: SessionStore,
  args: { hours?: number; maxAgeSeconds?: number; signal?: AbortSignal; onProgress?: (progress: ScanProgress) => void; onWaiting?: () => void } = {},
): Promise<StatsOutput> {
  const { maxAgeSeconds, ...options } = args;
  return statsOutput(await store.dashboard({ ...options, reuse: maxAgeSeconds === undefined ? 'now' : { maxAgeMs: maxAgeSeconds * 1000 } }));
}

export function statsOutput(stats: SharedStats): StatsOutput {
  return {
    generated_at: stats.generatedAt,
    computed_at: stats.computedAt,
    took_ms: stats.tookMs,
    longest_call_ms: stats.longestCallMs,
    next_refresh_at: stats.nextRefreshAt,
    counted_on: stats.countedOn,
    shared: stats.shared,
    active_sessions: stats.activeSessions,
    problems: stats.problems,
    by_device_type: stats.byDeviceType,
    by_os: stats.byOs,
    by_app_version: stats.byAppVersion,
    created_per_hour: stats.createdPerHour,
    failed_validations_per_hour: stats.failedValidationsPerHour,
    expiring_within_hour: stats.expiringWithinHour,
    scanned_keys: stats.scannedKeys,
  };
}

export interface EstimateOutput {
  value: number;
  /** The 95 % interval. */
  low: number;
  high: number;
}

/** `latchkey sessions stats --sample [N]`: the dashboard's numbers estimated from N random keys. */
export interface SampledStatsOutput {
  generated_at: string;
  took_ms: number;
  counted_on: 'server' | 'client';
  /** Keys drawn (RANDOMKEY, over all masters), of them under the prefix, and the live keys the estimate scales to. */
  sampled: number;
  sampled_session_keys: number;
  keyspace_keys: number;
  confidence: 0.95;
  active_sessions: EstimateOutput;
  expiring_within_hour: EstimateOutput;
  problems: EstimateOutput;
  by_device_type: Record<string, EstimateOutput>;
  by_os: Record<string, EstimateOutput>;
  by_app_version: Record<string, EstimateOutput>;
  /** Not estimated (too few draws per hour to say anything honest): always null here; use the exact count. */
  created_per_hour: null;
  /** Latchkey's own counters: exact. */
  failed_validations_per_hour: { hour: string; count: number }[];
}

export async function sessionsEstimate(store: SessionStore, args: { sample?: number; hours?: number; signal?: AbortSignal } = {}): Promise<SampledStatsOutput> {
  const stats = await store.estimate(args);
  // Without onlyWhenLarge the store always samples.
  return sampledStatsOutput(stats!);
}

export function sampledStatsOutput(stats: SampledStats): SampledStatsOutput {
  return {
    generated_at: stats.generatedAt,
    took_ms: stats.tookMs,
    counted_on: stats.countedOn,
    sampled: stats.sampled,
    sampled_session_keys: stats.sampledSessionKeys,
    keyspace_keys: stats.keyspaceKeys,
    confidence: 0.95,
    active_sessions: stats.activeSessions,
    expiring_within_hour: stats.expiringWithinHour,
    problems: stats.problems,
    by_device_type: stats.byDeviceType,
    by_os: stats.byOs,
    by_app_version: stats.byAppVersion,
    created_per_hour: null,
    failed_validations_per_hour: stats.failedValidationsPerHour,
  };
}
