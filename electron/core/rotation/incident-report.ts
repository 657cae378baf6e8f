import { z } from 'zod';
import { publicErrorSchema } from '../../../shared/errors';
import { REPORT_ID } from '../audit/entry';
import { rotationClasses } from './rotation-rule';
import { describeSessionPlan, sessionRevocationPlanSchema } from './session-revocation';

/**
 * The record of one incident: every target with its status, the session revocation, and each run. It is
 * saved while the incident runs (JSON for machines, text for people) and drives a re-run, which picks up
 * exactly the items that are not yet rotated. Values are never part of it.
 *
 * Item statuses: pending (not done yet), rotated, failed (including a secret that could not be read, e.g.
 * a damaged file), skipped (left out, or no way to keep its previous value), cancelled, and by-hand: the
 * rotation rule says a person rotates it where it was issued — Latchkey lists it and never overwrites it,
 * and `marked` records that the person said it was done.
 */
export const itemStatuses = ['pending', 'rotated', 'failed', 'skipped', 'cancelled', 'by-hand'] as const;
export type ItemStatus = (typeof itemStatuses)[number];

export const reportItemSchema = z
  .object({
    ref: z.string().min(1).max(1024),
    project: z.string(),
    environment: z.string(),
    key: z.string(),
    status: z.enum(itemStatuses),
    /** The rotation rule's class when the incident started (or when the item was rotated). */
    class: z.enum(rotationClasses).optional(),
    /** Who issued the value, when its prefix said so (by-hand items). */
    provider: z.string().max(100).optional(),
    /** A person said this by-hand item was rotated where it was issued (audited as secret.mark-rotated). */
    marked: z.object({ at: z.string(), by: z.string().max(128) }).strict().optional(),
    /** class service: the service its rotator changes the credential at. */
    service: z.string().max(200).optional(),
    /** Where the rotation changed the credential (the service's name); absent: the stored copy only. */
    changed_at: z.string().max(200).optional(),
    /** The old credential at the service: retired (true), still valid (false), or retired at that ISO time. */
    old_retired: z.union([z.boolean(), z.string().max(40)]).optional(),
    /** After retiring it, the old credential was tried once more: true when the service refused it. */
    old_refused: z.boolean().optional(),
    state: z.enum(['rotated', 'unchanged', 'restored', 'superseded', 'unknown']).optional(),
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
    /** Items a person rotates by hand, and how many of them were marked done (absent in reports from before the rule). */
    by_hand: z.number().int().nonnegative().optional(),
    marked: z.number().int().nonnegative().optional(),
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

export function countItems(items: ReportItem[]): Required<ReportCounts> {
  const counts: Required<ReportCounts> = { total: items.length, rotated: 0, failed: 0, skipped: 0, pending: 0, cancelled: 0, by_hand: 0, marked: 0 };
  for (const item of items) {
    if (item.status === 'by-hand') {
      counts.by_hand += 1;
      if (item.marked !== undefined) counts.marked += 1;
    } else counts[item.status] += 1;
  }
  return counts;
}

/**
 * completed: nothing left for Latchkey to do (by-hand items are a person's, listed apart); cancelled:
 * stopped by the person with work left; partial: work left after failures.
 */
export function reportStatusOf(report: Pick<IncidentReport, 'items' | 'sessions'>, cancelled: boolean): Exclude<ReportStatus, 'running'> {
  const sessionsLeft = report.sessions !== undefined && report.sessions.status !== 'revoked';
  const itemsLeft = report.items.some((item) => item.status !== 'rotated' && item.status !== 'skipped' && item.status !== 'by-hand');
  if (!sessionsLeft && !itemsLeft) return 'completed';
  return cancelled ? 'cancelled' : 'partial';
}

/** What happened to the old credential of an item rotated at its service. */
function oldCredentialText(item: ReportItem): string {
  if (item.old_retired === true) return item.old_refused === true ? 'old credential retired, and refused when tried again' : 'old credential retired (not confirmed by a second try)';
  if (item.old_retired === false || item.old_retired === undefined) return 'old credential NOT retired: it still works there';
  return `old credential valid until ${item.old_retired} (grace period)`;
}

/** The readable form, saved next to the JSON (and rendered from it again whenever it is read). */
export function renderReportText(report: IncidentReport): string {
  const lines: string[] = [];
  const counts = countItems(report.items);
  lines.push(`Latchkey incident report ${report.id}`);
  lines.push(`Environments: ${report.environments.map((environment) => `${environment.project}/${environment.name}${environment.protected ? ' (protected)' : ''}`).join(', ')}`);
  const left = counts.pending + counts.cancelled + counts.failed;
  const byHand = counts.by_hand === 0 ? '' : `, ${counts.by_hand} to rotate by hand (${counts.marked} marked done)`;
  lines.push(
    `Status: ${report.status.toUpperCase()} — ${counts.rotated} rotated, ${counts.failed} failed, ${counts.skipped} skipped${byHand}, ${left} left to do` +
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
  const section = (title: string, status: ItemStatus, detail: (item: ReportItem) => string, note?: string) => {
    const items = report.items.filter((item) => item.status === status);
    if (items.length === 0) return;
    lines.push('', `${title} (${items.length})`);
    if (note !== undefined) lines.push(`  ${note}`);
    for (const item of items) lines.push(`  ${item.project}/${item.environment}  ${item.key}  ${item.ref}${detail(item)}`);
  };
  section('FAILED', 'failed', (item) => (item.error === undefined ? '' : `\n      ${item.error.message}`));
  section('NOT STARTED', 'pending', () => '');
  section('CANCELLED', 'cancelled', () => '');
  section(
    'ROTATE BY HAND',
    'by-hand',
    (item) =>
      `${item.provider === undefined ? '' : `  [${item.provider}]`}${item.reason === undefined ? '' : `\n      ${item.reason}`}` +
      (item.marked === undefined ? '\n      not yet marked done' : `\n      done: marked rotated by hand at ${item.marked.at} by ${item.marked.by}`),
    `Latchkey did not change these. Rotate each where it was issued, store the new value, then: latchkey incident mark-rotated ${report.id} <ref>`,
  );
  const rotated = report.items.filter((item) => item.status === 'rotated');
  const atServices = rotated.filter((item) => item.changed_at !== undefined);
  const storedOnly = rotated.filter((item) => item.changed_at === undefined);
  const list = (title: string, items: ReportItem[], detail: (item: ReportItem) => string, note: string) => {
    if (items.length === 0) return;
    lines.push('', `${title} (${items.length})`, `  ${note}`);
    for (const item of items) lines.push(`  ${item.project}/${item.environment}  ${item.key}  ${item.ref}${detail(item)}`);
  };
  list(
    'CHANGED AT SERVICES',
    atServices,
    (item) => `${item.version === undefined ? '' : `  → version ${item.version}`}  at ${item.changed_at ?? '?'}\n      ${oldCredentialText(item)}`,
    'The credential was changed where it is checked, the new one logged in, and the old one was retired.',
  );
  list(
    'STORED COPY ONLY',
    storedOnly,
    (item) => (item.version === undefined ? '' : `  → version ${item.version}`),
    'WARNING: only the stored copy changed — the old value still works wherever it is checked. Change it there too, or attach a rotator (latchkey rotators set).',
  );
  section('SKIPPED', 'skipped', (item) => (item.reason === undefined ? '' : `\n      ${item.reason}`));
  return `${lines.join('\n')}\n`;
}
