import type { IncidentReport, ItemStatus, ReportCounts, ReportItem, ReportStatus } from '../../../shared/incident-report';
import { describeSessionPlan } from './session-revocation';

/**
 * What core does with an incident's report: count its items, decide its status, and write it for people.
 * The report's shape is defined once, in shared/incident-report.ts (the IPC contract returns it as it is).
 */
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
    const on = sessions.server === undefined ? '' : ` on ${sessions.server}`;
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
