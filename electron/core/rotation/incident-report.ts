import { z } from 'zod';
import { publicErrorSchema } from '../../../shared/errors';
import { REPORT_ID } from '../audit/entry';
import { describeSessionPlan, sessionRevocationPlanSchema } from './session-revocation';

/**
 * The record of one incident: every target with its status, the session revocation, and each run. It is
 * saved while the incident runs (JSON for machines, text for people) and drives a re-run, which picks up
 * exactly the items that are not yet rotated. Values are never part of it.
 */
export const itemStatuses = ['pending', 'rotated', 'failed', 'skipped', 'cancelled'] as const;
export type ItemStatus = (typeof itemStatuses)[number];

export const reportItemSchema = z
  .object({
    ref: z.string().min(1).max(1024),
    project: z.string(),
    environment: z.string(),
    key: z.string(),
    status: z.enum(itemStatuses),
    state: z.enum(['rotated', 'unchanged', 'restored', 'unknown']).optional(),
    version: z.string().optional(),
    previous_version: z.string().optional(),
    /** Why the item is skipped (not rotatable). */
    reason: z.string().optional(),
    error: publicErrorSchema.optional(),
    attempts: z.number().int().nonnegative(),
    finished_at: z.string().optional(),
  })
  .strict();
export type ReportItem = z.infer<typeof reportItemSchema>;

export const reportSessionsSchema = z
  .object({
    plan: sessionRevocationPlanSchema,
    /** The named Redis connection they are revoked on. */
    connection: z.string().min(1).max(200).optional(),
    status: z.enum(['pending', 'revoked', 'failed', 'cancelled']),
    revoked: z.number().int().nonnegative().optional(),
    error: publicErrorSchema.optional(),
    attempts: z.number().int().nonnegative(),
  })
  .strict();
export type ReportSessions = z.infer<typeof reportSessionsSchema>;

export const reportStatuses = ['running', 'completed', 'partial', 'cancelled'] as const;
export type ReportStatus = (typeof reportStatuses)[number];

export const reportCountsSchema = z
  .object({
    total: z.number().int().nonnegative(),
    rotated: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
    pending: z.number().int().nonnegative(),
    cancelled: z.number().int().nonnegative(),
  })
  .strict();
export type ReportCounts = z.infer<typeof reportCountsSchema>;

export const incidentReportSchema = z
  .object({
    v: z.literal(1),
    id: z.string().regex(REPORT_ID),
    created_at: z.string(),
    updated_at: z.string(),
    status: z.enum(reportStatuses),
    environments: z.array(z.object({ project: z.string(), name: z.string(), protected: z.boolean() }).strict()),
    concurrency: z.number().int().positive(),
    sessions: reportSessionsSchema.optional(),
    items: z.array(reportItemSchema),
    runs: z.array(
      z
        .object({
          started_at: z.string(),
          finished_at: z.string().optional(),
          outcome: z.enum(['completed', 'partial', 'cancelled']).optional(),
          user: z.string().optional(),
        })
        .strict(),
    ),
    counts: reportCountsSchema,
  })
  .strict();
export type IncidentReport = z.infer<typeof incidentReportSchema>;

export function countItems(items: ReportItem[]): ReportCounts {
  const counts: ReportCounts = { total: items.length, rotated: 0, failed: 0, skipped: 0, pending: 0, cancelled: 0 };
  for (const item of items) counts[item.status] += 1;
  return counts;
}

/** completed: nothing left to do; cancelled: stopped by the person with work left; partial: work left after failures. */
export function reportStatusOf(report: Pick<IncidentReport, 'items' | 'sessions'>, cancelled: boolean): Exclude<ReportStatus, 'running'> {
  const sessionsLeft = report.sessions !== undefined && report.sessions.status !== 'revoked';
  const itemsLeft = report.items.some((item) => item.status !== 'rotated' && item.status !== 'skipped');
  if (!sessionsLeft && !itemsLeft) return 'completed';
  return cancelled ? 'cancelled' : 'partial';
}

/** The readable form, saved next to the JSON. */
export function renderReportText(report: IncidentReport): string {
  const lines: string[] = [];
  const { counts } = report;
  lines.push(`Latchkey incident report ${report.id}`);
  lines.push(`Environments: ${report.environments.map((environment) => `${environment.project}/${environment.name}${environment.protected ? ' (protected)' : ''}`).join(', ')}`);
  const left = counts.pending + counts.cancelled + counts.failed;
  lines.push(
    `Status: ${report.status.toUpperCase()} — ${counts.rotated} rotated, ${counts.failed} failed, ${counts.skipped} skipped, ${left} left to do` +
      (left > 0 ? ` (re-run with: latchkey incident resume ${report.id})` : ''),
  );
  for (const [index, run] of report.runs.entries()) {
    lines.push(`Run ${index + 1}: ${run.started_at} → ${run.finished_at ?? 'not finished'}${run.outcome === undefined ? '' : ` (${run.outcome})`}${run.user === undefined ? '' : ` by ${run.user}`}`);
  }
  if (report.sessions !== undefined) {
    const { sessions } = report;
    const what = describeSessionPlan(sessions.plan);
    const on = sessions.connection === undefined ? '' : ` on ${sessions.connection}`;
    lines.push(
      sessions.status === 'revoked'
        ? `Sessions: revoked ${sessions.revoked ?? 0} (${what}${on})`
        : `Sessions: ${sessions.status.toUpperCase()} (${what}${on})${sessions.error === undefined ? '' : ` — ${sessions.error.message}`}`,
    );
  }
  const section = (title: string, status: ItemStatus, detail: (item: ReportItem) => string) => {
    const items = report.items.filter((item) => item.status === status);
    if (items.length === 0) return;
    lines.push('', `${title} (${items.length})`);
    for (const item of items) lines.push(`  ${item.project}/${item.environment}  ${item.key}  ${item.ref}${detail(item)}`);
  };
  section('FAILED', 'failed', (item) => (item.error === undefined ? '' : `\n      ${item.error.message}`));
  section('NOT STARTED', 'pending', () => '');
  section('CANCELLED', 'cancelled', () => '');
  section('ROTATED', 'rotated', (item) => (item.version === undefined ? '' : `  → version ${item.version}`));
  section('SKIPPED', 'skipped', (item) => (item.reason === undefined ? '' : `\n      ${item.reason}`));
  return `${lines.join('\n')}\n`;
}
