import { describe, expect, it } from 'vitest';
import { incidentReportSchema, reportCountsSchema } from '../../../shared/incident-report';
import { incidentsContract } from '../../../shared/ipc/incidents.contract';
import { sessionsContract } from '../../../shared/ipc/sessions.contract';
import { rowSortSchema, sessionDetailSchema, sessionRowSchema } from '../../../shared/sessions';

/**
 * Shapes that core writes and the IPC contract checks are defined once, in shared/: the contract uses
 * those very schemas, so the two layers cannot drift apart.
 */
describe('one definition per shape, shared by core and the contract', () => {
  it('the incident report the contract returns is the report core saves', () => {
    expect(incidentsContract.open.result.shape.report).toBe(incidentReportSchema);
    expect(incidentsContract.markRotated.result.shape.report).toBe(incidentReportSchema);
    expect(incidentsContract.list.result.shape.reports.element.shape.counts).toBe(reportCountsSchema);
  });

  it('session rows, details and their sort are the shapes core builds', () => {
    expect(sessionsContract.rows.result.shape.rows.element).toBe(sessionRowSchema);
    expect(sessionsContract.session.result).toBe(sessionDetailSchema);
    expect(sessionsContract.rows.request.shape.sort.unwrap()).toBe(rowSortSchema);
  });

  it('a saved report from core passes the contract unchanged (version field and all)', () => {
    const report = {
      v: 1,
      id: '20260101T000000Z-0123abcd',
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:01.000Z',
      status: 'completed',
      environments: [{ project: 'shop', name: 'prod', protected: true }],
      concurrency: 4,
      items: [{ ref: 'file://shop/prod/API_KEY', project: 'shop', environment: 'prod', key: 'API_KEY', status: 'rotated', attempts: 1 }],
      runs: [{ started_at: '2026-01-01T00:00:00.000Z' }],
      counts: { total: 1, rotated: 1, failed: 0, skipped: 0, pending: 0, cancelled: 0 },
    };
    expect(incidentsContract.open.result.parse({ report, text: '', paths: { json: 'a', text: 'b' } }).report).toEqual(report);
  });
});
