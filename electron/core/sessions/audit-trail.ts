import { createHash } from 'node:crypto';
import type { AuditSink as AuditLogSink } from '../audit/audit-log';
import { auditRef } from '../audit/audited';
import type { AuditEvent } from '../audit/entry';
import type { AuditSink, SessionAuditEvent } from './audit';
import type { SessionServerConfig } from './connection';
import type { SessionFilter } from './filter';

/**
 * Session administration into the audit trail (electron/core/audit): every revocation as
 * `session.revoke` (scope session / user / device / filter; a bulk one as `started`, then ok, cancelled,
 * partial or failed with counts.revoked, and counts.unconfirmed for deletions Redis never confirmed),
 * and creates, extends and indexing runs under their own actions. Used by the app (core.sessions) and by
 * the CLI, so a revocation is recorded whichever of the two made it.
 */

/** What the audit schema accepts as a user or device id. */
const AUDIT_IDENTIFIER = /^[A-Za-z0-9_.:@/-]{1,200}$/;

/**
 * The server's ids are free text (up to 512 characters, spaces allowed); the audit schema takes a
 * narrower alphabet. An id outside it is recorded as a fingerprint, so the entry is still written and
 * still tells two owners apart (`sha256:` and the first 32 hex digits of the id's SHA-256).
 */
export function auditIdentifier(id: string): string {
  if (AUDIT_IDENTIFIER.test(id)) return id;
  return `sha256:${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 32)}`;
}

/** Which Redis, as a reference-shaped string for the entry's `ref` (never a password: configs hold none). */
export function auditTargetRef(config: SessionServerConfig): string {
  if (config.mode === 'cluster') {
    const first = config.nodes?.[0];
    return auditRef(`rediscluster://${first === undefined ? 'unknown' : `${first.host}:${first.port}`}`);
  }
  if (config.mode === 'sentinel') return auditRef(`redissentinel://${config.sentinel?.masterName ?? 'unknown'}`);
  const url = new URL(config.url ?? 'redis://unknown');
  const db = config.db ?? (url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined);
  return auditRef(`${url.protocol}//${url.host}${db === undefined ? '' : `/${db}`}`);
}

export function sessionAuditEntry(event: SessionAuditEvent, ref?: string): AuditEvent {
  const owner = {
    ...(event.userId === undefined ? {} : { user_id: auditIdentifier(event.userId) }),
    ...(event.deviceId === undefined ? {} : { device_id: auditIdentifier(event.deviceId) }),
  };
  const single = event.sessionIds[0];
  const where = ref === undefined ? {} : { ref };
  const revokedCounts = {
    revoked: event.count,
    ...(event.matched === undefined ? {} : { matched: event.matched }),
    ...(event.unconfirmed === undefined ? {} : { unconfirmed: event.unconfirmed }),
  };
  const base = { outcome: auditOutcome(event), ...where };
  switch (event.kind) {
    case 'session.revoke':
      return { action: 'session.revoke', ...base, sessions: { scope: 'session', ...owner, ...(single === undefined ? {} : { session_hash: single }) }, counts: revokedCounts };
    case 'session.revoke-user':
      return { action: 'session.revoke', ...base, sessions: { scope: 'user', ...owner }, ...(event.outcome === 'started' ? {} : { counts: revokedCounts }) };
    case 'session.revoke-device':
      return { action: 'session.revoke', ...base, sessions: { scope: 'device', ...owner }, ...(event.outcome === 'started' ? {} : { counts: revokedCounts }) };
    case 'session.revoke-filter':
      return {
        action: 'session.revoke',
        ...base,
        sessions: { scope: 'filter', filter: auditFilter(event.filter ?? {}) },
        ...(event.outcome === 'started' ? {} : { counts: revokedCounts }),
      };
    case 'session.create':
    case 'session.extend':
      return {
        action: event.kind,
        ...base,
        sessions: { scope: 'session', ...owner, ...(single === undefined ? {} : { session_hash: single }) },
        counts: { total: event.count },
      };
    case 'session.index':
      return { action: 'session.index', ...base, sessions: { scope: 'all' }, counts: { total: event.count } };
  }
}

function auditOutcome(event: SessionAuditEvent): AuditEvent['outcome'] {
  switch (event.outcome) {
    case 'started':
      return 'started';
    case 'complete':
      return 'ok';
    case 'cancelled':
      return 'cancelled';
    case 'partial':
      return event.count > 0 || (event.unconfirmed ?? 0) > 0 ? 'partial' : 'failed';
  }
}

/** A filter in the audit schema's alphabet: names and values as identifiers (or fingerprints), times as ISO 8601. */
export function auditFilter(filter: SessionFilter): NonNullable<NonNullable<AuditEvent['sessions']>['filter']> {
  const iso = (micros: number | undefined) => (micros === undefined ? undefined : new Date(Math.floor(micros / 1000)).toISOString());
  const pairs = [
    ...(filter.userId === undefined ? [] : [['user_id', filter.userId]]),
    ...(filter.deviceId === undefined ? [] : [['device_id', filter.deviceId]]),
    ...Object.entries(filter.metadata ?? {}),
  ].map(([field, value]) => ({ field: auditIdentifier(field!), value: auditIdentifier(value!) }));
  const out: NonNullable<NonNullable<AuditEvent['sessions']>['filter']> = {};
  if (pairs.length > 0) out.where = pairs;
  const times = { created_before: iso(filter.createdBefore), created_after: iso(filter.createdAfter), expires_before: iso(filter.expiresBefore), expires_after: iso(filter.expiresAfter) };
  for (const [name, value] of Object.entries(times)) if (value !== undefined) out[name as keyof typeof times] = value;
  if (filter.expiringWithinSeconds !== undefined) out.expiring_within_seconds = filter.expiringWithinSeconds;
  return out;
}

/** The store's audit sink, writing into the audit log. The store logs (never throws) a failed append. */
export function recordSessionAudit(audit: AuditLogSink, ref?: string): AuditSink {
  return async (event) => {
    await audit.append(sessionAuditEntry(event, ref));
  };
}
