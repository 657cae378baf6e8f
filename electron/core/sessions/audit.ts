import type { SessionFilter } from './filter';

/**
 * What session administration reports to the audit trail. Never a token: sessions are named by their
 * id (the hex SHA-256 of the token), users and devices by the ids the server gave them.
 */
export type SessionAuditKind =
  | 'session.create'
  | 'session.revoke'
  | 'session.revoke-user'
  | 'session.revoke-device'
  | 'session.revoke-filter'
  | 'session.extend'
  | 'session.index';

/** A bulk revocation lists at most this many ids; `count` is always the full number. */
export const AUDIT_MAX_IDS = 1_000;

export interface SessionAuditEvent {
  kind: SessionAuditKind;
  /** ISO 8601 time of the action (from the store's clock). */
  at: string;
  /** The Redis the action ran on (host:port, cluster seed nodes or Sentinel master name) and the key prefix. */
  target: string;
  prefix: string;
  userId?: string;
  deviceId?: string;
  /** What a revocation by filter (or of a search result) was about. */
  filter?: SessionFilter;
  sessionIds: string[];
  /** True when sessionIds was cut at AUDIT_MAX_IDS. */
  sessionIdsTruncated: boolean;
  /** Sessions the action affected (revoked, created, extended, indexed) for certain. */
  count: number;
  /** Revocations: sessions that matched (a revocation by filter). */
  matched?: number;
  /**
   * Revocations that stopped on a lost reply: deletions sent to Redis whose answer never came. They may
   * have happened (or happen when a paused server resumes): between `count` and `count + unconfirmed`.
   */
  unconfirmed?: number;
  /**
   * 'started' before a revocation deletes anything; then 'complete', 'cancelled' (stopped by the person),
   * or 'partial' (stopped by a failure: running it again finishes it).
   */
  outcome: 'started' | 'complete' | 'partial' | 'cancelled';
}

/** May be async (an append to the audit log); the store waits for it and logs, never throws, its failure. */
export type AuditSink = (event: SessionAuditEvent) => void | Promise<void>;
