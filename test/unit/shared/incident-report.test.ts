import { describe, expect, it } from 'vitest';
import { incidentReportSchema } from '../../../shared/incident-report';

const report = (sessions: Record<string, unknown>) => ({
  v: 1,
  id: '20260101T000000Z-0123abcd',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:01.000Z',
  status: 'partial',
  environments: [{ project: 'shop', name: 'prod', protected: true }],
  concurrency: 4,
  sessions: { plan: { scope: 'device', device_id: 'watch-1' }, status: 'failed', attempts: 1, ...sessions },
  items: [],
  runs: [{ started_at: '2026-01-01T00:00:00.000Z' }],
  counts: { total: 0, rotated: 0, failed: 0, skipped: 0, pending: 0, cancelled: 0 },
});

describe('the incident report: session server', () => {
  it('reads a report saved by an earlier version, which named the session server "connection", as "server"', () => {
    const parsed = incidentReportSchema.parse(report({ connection: 'prod sessions' }));
    expect(parsed.sessions).toEqual({ plan: { scope: 'device', device_id: 'watch-1' }, status: 'failed', attempts: 1, server: 'prod sessions' });
    expect(parsed.sessions).not.toHaveProperty('connection');
  });

  it('reads the current name, and refuses unknown fields as before', () => {
    expect(incidentReportSchema.parse(report({ server: 'prod sessions' })).sessions?.server).toBe('prod sessions');
    expect(incidentReportSchema.safeParse(report({ server: 'a', connection: 'b' })).success).toBe(false);
  });
});
