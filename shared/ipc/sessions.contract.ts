import { z } from 'zod';
import { rowSortSchema as rowSort, sessionDetailSchema as sessionDetail, sessionIdSchema as sessionId, sessionRowSchema as sessionRow } from '../sessions';
import { call } from './entry';
import { empty, operationId, timestamp } from './fields';

/**
 * Session administration on the API server's Redis (issue 4): session servers, search with results paged
 * for a virtualized table, a device's or user's sessions, revocation, extend, create, check a token,
 * analytics. Only ids, counts and metadata cross — except `create`'s token (once, shown by the
 * renderer from component state) and the tokens the person pastes or copies.
 */

/** A session server's name: same rule as config-file.ts CONNECTION_NAME (core is not importable here). */
const serverName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, 'not a valid session server name');
/** The server's user and device ids: free text, bounded, no control characters. */
const ownerId = z
  .string()
  .min(1, 'is empty')
  .max(512, 'is longer than 512 characters')
  // eslint-disable-next-line no-control-regex
  .refine((text) => !/[\x00-\x1f\x7f]/.test(text), 'contains control characters');
/** A pasted token: trimmed by core; bounded here. */
const pastedToken = z.string().min(1).max(512);
/** What `create` returns: 32 bytes, URL-safe base64 without padding. Copy accepts only this shape. */
const sessionToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a session token');
const hours = z.number().positive().max(24 * 366);
/** How owner lookups and bulk revocations find sessions: 'both' (the default) also walks the keyspace. */
const strategy = z.enum(['index', 'scan', 'both']).optional();
const metadataValue = z.string().min(1).max(200);

const hostPort = z.strictObject({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) });
const path = z.string().min(1).max(4096);

/** A session server's settings (its passwords are separate fields, stored in the keychain by main). */
export const sessionServerSettings = z.strictObject({
  mode: z.enum(['standalone', 'sentinel', 'cluster']).optional(),
  url: z.string().max(2048).optional(),
  nodes: z.array(hostPort).max(64).optional(),
  sentinel: z.strictObject({ masterName: z.string().max(256), sentinels: z.array(hostPort).max(16), username: z.string().max(256).optional() }).optional(),
  db: z.number().int().min(0).max(1023).optional(),
  prefix: z.string().max(64).optional(),
  username: z.string().max(256).optional(),
  tls: z.strictObject({ caFile: path.optional(), certFile: path.optional(), keyFile: path.optional(), serverName: z.string().max(253).optional() }).optional(),
  connectTimeoutMs: z.number().int().optional(),
  commandTimeoutMs: z.number().int().optional(),
  maxReconnectAttempts: z.number().int().optional(),
  /** Above this many keys the dashboard shows a sampled estimate first (default 2,000,000). */
  sampleAboveKeys: z.number().int().min(0).max(1e12).optional(),
});

export const sessionServerView = z.object({
  name: z.string(),
  settings: sessionServerSettings,
  hasPassword: z.boolean(),
  hasSentinelPassword: z.boolean(),
  target: z.string(),
});

/** A new password, null to remove the stored one, absent to keep it. */
const password = z.string().min(1).max(1024).nullable().optional();

export const serverTestResult = z.object({
  target: z.string(),
  mode: z.enum(['standalone', 'sentinel', 'cluster']),
  serverVersion: z.string().optional(),
  masters: z.number().int().nonnegative(),
  keys: z.number().int().nonnegative(),
  sampleSessions: z.number().int().nonnegative(),
});

/** A metadata key (or user_id, device_id) and the value it must have. */
const condition = z.strictObject({
  field: z.string().min(1).max(128).regex(/^[^\p{Cc}]+$/u, 'contains control characters'),
  value: z.string().min(1).max(512).regex(/^[^\p{Cc}]+$/u, 'contains control characters'),
});
/** ISO 8601 with an offset or Z, as the renderer's date inputs give them. */
const moment = z.iso.datetime({ offset: true });

/** Revocation and search by criteria: every condition must hold; times are half-open (before: earlier; after: at or later). */
export const sessionFilterInput = z
  .strictObject({
    where: z.array(condition).max(16).optional(),
    createdBefore: moment.optional(),
    createdAfter: moment.optional(),
    expiresBefore: moment.optional(),
    expiresAfter: moment.optional(),
  })
  .refine((filter) => (filter.where?.length ?? 0) > 0 || [filter.createdBefore, filter.createdAfter, filter.expiresBefore, filter.expiresAfter].some((time) => time !== undefined), 'name at least one condition or time');

export const sessionQuery = z.discriminatedUnion('by', [
  z.strictObject({ by: z.literal('user'), userId: ownerId }),
  z.strictObject({ by: z.literal('device'), deviceId: ownerId }),
  z.strictObject({
    by: z.literal('metadata'),
    metadata: z
      .strictObject({ device_type: metadataValue.optional(), os: metadataValue.optional(), app_version: metadataValue.optional() })
      .refine((fields) => Object.values(fields).some((value) => value !== undefined), 'name at least one of device_type, os, app_version'),
  }),
  z.strictObject({ by: z.literal('filter'), filter: sessionFilterInput }),
  z.strictObject({ by: z.literal('expiring'), withinSeconds: z.number().int().positive().max(366 * 86_400) }),
  z.strictObject({ by: z.literal('all') }),
]);

const resultSummary = z.object({
  resultId: z.string(),
  total: z.number().int().nonnegative(),
  complete: z.boolean(),
  truncated: z.boolean(),
  problems: z.number().int().nonnegative(),
  /** Whose sessions the rows are: a revocation's preview. */
  users: z.number().int().nonnegative(),
  devices: z.number().int().nonnegative(),
});

const ownerCount = z.object({ id: z.string(), sessions: z.number().int().nonnegative() });

export const ownerSummary = z.object({
  kind: z.enum(['user', 'device']),
  id: z.string(),
  count: z.number().int().nonnegative(),
  sessions: z.array(sessionRow),
  users: z.array(ownerCount),
  devices: z.array(ownerCount),
  metadata: z.record(z.string(), z.unknown()),
  newestCreatedAt: timestamp.optional(),
  oldestCreatedAt: timestamp.optional(),
  problems: z.number().int().nonnegative(),
});

export const bulkRevocation = z.object({
  revoked: z.number().int().nonnegative(),
  viaIndex: z.number().int().nonnegative(),
  viaScan: z.number().int().nonnegative(),
  strategy: z.enum(['index', 'scan', 'both']),
  /** Keys named for this owner that are not session hashes (left alone). */
  skipped: z.number().int().nonnegative(),
});

const hourCount = z.object({ hour: timestamp, count: z.number().int().nonnegative() });
const counts = z.record(z.string(), z.number().int().nonnegative());

export const sessionStats = z.object({
  generatedAt: timestamp,
  activeSessions: z.number().int().nonnegative(),
  problems: z.number().int().nonnegative(),
  byDeviceType: counts,
  byOs: counts,
  byAppVersion: counts,
  createdPerHour: z.array(hourCount),
  failedValidationsPerHour: z.array(hourCount),
  expiringWithinHour: z.number().int().nonnegative(),
  scannedKeys: z.number().int().nonnegative(),
  /** When the walk behind the counts finished, how long it took, and when a refresh is due (it grows with tookMs). */
  computedAt: timestamp,
  tookMs: z.number().nonnegative(),
  longestCallMs: z.number().nonnegative(),
  nextRefreshAt: timestamp,
  /** 'server': counted by scripts on Redis; 'client': read and counted by Latchkey (scripts refused). */
  countedOn: z.enum(['server', 'client']),
  /** The counts came from a walk another window, app or CLI ran. */
  shared: z.boolean(),
});

/** A count estimated from a sample: the estimate and its 95 % interval. */
const estimate = z.object({ value: z.number().int().nonnegative(), low: z.number().int().nonnegative(), high: z.number().int().nonnegative() });
const estimates = z.record(z.string(), estimate);

/** The dashboard's numbers estimated from random keys (very large keyspaces); no created-per-hour series. */
export const sampledSessionStats = z.object({
  generatedAt: timestamp,
  /** Keys drawn over all masters; of them, keys under the prefix; the live keys the estimate scales to. */
  sampled: z.number().int().nonnegative(),
  sampledSessionKeys: z.number().int().nonnegative(),
  keyspaceKeys: z.number().int().nonnegative(),
  activeSessions: estimate,
  expiringWithinHour: estimate,
  problems: estimate,
  byDeviceType: estimates,
  byOs: estimates,
  byAppVersion: estimates,
  /** Latchkey's own counters: exact. */
  failedValidationsPerHour: z.array(hourCount),
  tookMs: z.number().nonnegative(),
  countedOn: z.enum(['server', 'client']),
});

const onServer = { server: serverName };

export const sessionsContract = {
  servers: call(empty, z.object({ servers: z.array(sessionServerView) })),
  saveServer: call(
    z.strictObject({ name: serverName, previousName: serverName.optional(), settings: sessionServerSettings, password, sentinelPassword: password }),
    sessionServerView,
  ),
  removeServer: call(z.strictObject({ name: serverName }), empty),
  /** A saved session server by name, or settings being edited (their passwords used for this test only). */
  testServer: call(
    z.union([
      z.strictObject({ name: serverName }),
      z.strictObject({
        settings: sessionServerSettings,
        password: z.string().min(1).max(1024).optional(),
        sentinelPassword: z.string().min(1).max(1024).optional(),
        /** The server being edited: its stored passwords are used where none is typed. */
        storedPasswordsOf: serverName.optional(),
      }),
    ]),
    serverTestResult,
  ),

  /** Runs a search; its rows are read with `rows` (also while it runs) under resultId = operationId. */
  search: call(z.strictObject({ operationId, ...onServer, query: sessionQuery, strategy }), resultSummary),
  rows: call(
    z.strictObject({ resultId: operationId, offset: z.number().int().nonnegative(), limit: z.number().int().min(1).max(500), sort: rowSort.optional() }),
    z.object({ rows: z.array(sessionRow), total: z.number().int().nonnegative(), complete: z.boolean(), truncated: z.boolean() }),
  ),
  /** Forgets a search's rows (a new search replaced it). */
  release: call(z.strictObject({ resultId: operationId }), empty),
  /**
   * Revokes exactly the sessions of a finished search, on its session server; `expected` is the count the
   * person confirmed (a result holding another number is refused). Audited with the search's filter.
   */
  revokeResult: call(
    z.strictObject({ operationId, resultId: operationId, expected: z.number().int().positive(), confirmed: z.literal(true) }),
    z.object({ matched: z.number().int().nonnegative(), revoked: z.number().int().nonnegative() }),
  ),
  /** Asks where to save (the OS dialog, in main), then writes the search's rows there, 0600: ids, owners, times, metadata — never a token. */
  exportResult: call(
    z.strictObject({ resultId: operationId, format: z.enum(['csv', 'json']) }),
    z.object({ cancelled: z.boolean(), path: z.string().optional(), count: z.number().int().nonnegative().optional() }),
  ),

  session: call(z.strictObject({ ...onServer, id: sessionId }), sessionDetail),
  /** A device's (or user's) sessions, users and metadata: the drill-down, and the count a revocation confirms. */
  summary: call(z.strictObject({ operationId, ...onServer, kind: z.enum(['user', 'device']), id: ownerId, strategy }), ownerSummary),

  revoke: call(z.strictObject({ ...onServer, id: sessionId }), z.object({ revoked: z.boolean() })),
  /** `confirmed` is the person's answer to the confirmation that stated the count and the user. */
  revokeDevice: call(z.strictObject({ operationId, ...onServer, deviceId: ownerId, strategy, confirmed: z.literal(true) }), bulkRevocation),
  revokeUser: call(z.strictObject({ operationId, ...onServer, userId: ownerId, strategy, confirmed: z.literal(true) }), bulkRevocation),
  extend: call(z.strictObject({ ...onServer, id: sessionId, hours }), sessionDetail),

  /** The token is in this result once; the renderer keeps it in component state and hides it after a while. */
  create: call(
    z.strictObject({ ...onServer, userId: ownerId, deviceId: ownerId, ttlHours: hours.optional(), metadata: z.record(z.string().min(1).max(128), z.string().max(1024)).optional() }),
    z.object({ token: sessionToken, session: sessionDetail }),
  ),
  /** Main writes the token to the clipboard (cleared later) and keeps nothing of it but a keyed digest. */
  copyToken: call(z.strictObject({ token: sessionToken }), z.object({ clearAfterSeconds: z.number().int().positive() })),
  validate: call(
    z.strictObject({ ...onServer, token: pastedToken }),
    z.discriminatedUnion('valid', [z.object({ valid: z.literal(true), session: sessionDetail }), z.object({ valid: z.literal(false), reason: z.enum(['unknown', 'expired', 'malformed']) })]),
  ),

  /** reuse 'due' (the dashboard's timer): the last counts until a refresh is due; 'now' (default): walk, or join the walk running. */
  stats: call(z.strictObject({ operationId, ...onServer, hours: z.number().int().min(1).max(168).optional(), reuse: z.enum(['due', 'now']).optional() }), sessionStats),
  /**
   * The numbers estimated from `sample` random keys. With onlyWhenLarge (the dashboard), `stats` is null
   * unless the keyspace holds more keys than the session server's `sampleAboveKeys`: then walk (`stats`).
   */
  estimate: call(
    z.strictObject({ operationId, ...onServer, sample: z.number().int().min(100).max(1_000_000).optional(), onlyWhenLarge: z.boolean().optional() }),
    z.object({ stats: sampledSessionStats.nullable() }),
  ),
  indexExisting: call(
    z.strictObject({ operationId, ...onServer }),
    z.object({ indexed: z.number().int().nonnegative(), problems: z.number().int().nonnegative(), scannedKeys: z.number().int().nonnegative() }),
  ),
};

export type SessionServerSettings = z.infer<typeof sessionServerSettings>;
export type SessionServerView = z.infer<typeof sessionServerView>;
export type ServerTestResult = z.infer<typeof serverTestResult>;
export type SessionQuery = z.infer<typeof sessionQuery>;
export type SessionFilterInput = z.infer<typeof sessionFilterInput>;
export type { RowSort, SessionDetail, SessionRow } from '../sessions';
export type OwnerSummaryView = z.infer<typeof ownerSummary>;
export type BulkRevocationView = z.infer<typeof bulkRevocation>;
export type SessionStatsView = z.infer<typeof sessionStats>;
export type SampledSessionStatsView = z.infer<typeof sampledSessionStats>;
export type LookupStrategy = NonNullable<z.infer<typeof strategy>>;
