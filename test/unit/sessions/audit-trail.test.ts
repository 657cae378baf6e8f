import { describe, expect, it } from 'vitest';
import { auditEventSchema } from '../../../electron/core/audit/entry';
import type { SessionAuditEvent } from '../../../electron/core/sessions/audit';
import { auditIdentifier, auditTargetRef, sessionAuditEntry } from '../../../electron/core/sessions/audit-trail';
import { parseSessionServer } from '../../../electron/core/sessions/connection';

const ID = 'a'.repeat(64);
const base: Omit<SessionAuditEvent, 'kind' | 'count' | 'outcome'> = {
  at: '2025-01-01T00:00:00.000Z',
  target: '127.0.0.1:6379',
  prefix: 'session:',
  sessionIds: [ID],
  sessionIdsTruncated: false,
};

describe('session events in the audit trail', () => {
  it('records every revocation as session.revoke with its scope, owner and count', () => {
    expect(sessionAuditEntry({ ...base, kind: 'session.revoke', userId: 'alice', deviceId: 'watch-1', count: 1, outcome: 'complete' })).toEqual({
      action: 'session.revoke',
      outcome: 'ok',
      sessions: { scope: 'session', user_id: 'alice', device_id: 'watch-1', session_hash: ID },
      counts: { revoked: 1 },
    });
    expect(sessionAuditEntry({ ...base, kind: 'session.revoke-device', deviceId: 'watch-1', count: 3, outcome: 'complete' }, 'redis://127.0.0.1:6379')).toEqual({
      action: 'session.revoke',
      outcome: 'ok',
      ref: 'redis://127.0.0.1:6379',
      sessions: { scope: 'device', device_id: 'watch-1' },
      counts: { revoked: 3 },
    });
    expect(sessionAuditEntry({ ...base, kind: 'session.revoke-user', userId: 'alice', count: 2, outcome: 'partial' })).toMatchObject({ outcome: 'partial', sessions: { scope: 'user', user_id: 'alice' } });
    expect(sessionAuditEntry({ ...base, kind: 'session.revoke-user', userId: 'alice', count: 0, outcome: 'partial' })).toMatchObject({ outcome: 'failed' });
  });

  it('records create, extend and indexing under their own actions', () => {
    expect(sessionAuditEntry({ ...base, kind: 'session.create', userId: 'u', deviceId: 'd', count: 1, outcome: 'complete' })).toMatchObject({ action: 'session.create', counts: { total: 1 } });
    expect(sessionAuditEntry({ ...base, kind: 'session.extend', userId: 'u', deviceId: 'd', count: 1, outcome: 'complete' })).toMatchObject({ action: 'session.extend' });
    expect(sessionAuditEntry({ ...base, kind: 'session.index', sessionIds: [], count: 40, outcome: 'complete' })).toEqual({
      action: 'session.index',
      outcome: 'ok',
      sessions: { scope: 'all' },
      counts: { total: 40 },
    });
  });

  it('fingerprints ids the audit schema cannot hold, so the entry is still written and owners stay apart', () => {
    const odd = 'Alice Smith+watch (left at the gym)';
    const recorded = auditIdentifier(odd);
    expect(recorded).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(auditIdentifier('Alice Smith+phone')).not.toBe(recorded);
    expect(auditIdentifier('x'.repeat(201))).toMatch(/^sha256:/);
    const entry = sessionAuditEntry({ ...base, kind: 'session.revoke-user', userId: odd, count: 1, outcome: 'complete' });
    expect(auditEventSchema.safeParse(entry).success).toBe(true);
    expect(JSON.stringify(entry)).not.toContain('gym');
  });

  it('names the Redis in a form the audit schema accepts, for every mode', () => {
    const refs = [
      auditTargetRef(parseSessionServer({ url: 'rediss://user@cache.internal:6380/2' })),
      auditTargetRef(parseSessionServer({ mode: 'cluster', nodes: [{ host: '10.0.0.1', port: 7000 }] })),
      auditTargetRef(parseSessionServer({ mode: 'sentinel', sentinel: { masterName: 'main sessions', sentinels: [{ host: 'h', port: 26379 }] } })),
    ];
    expect(refs).toEqual(['rediss://cache.internal:6380/2', 'rediscluster://10.0.0.1:7000', 'redissentinel://main%20sessions']);
    for (const ref of refs) expect(auditEventSchema.safeParse({ action: 'session.revoke', outcome: 'ok', ref }).success).toBe(true);
  });
});
