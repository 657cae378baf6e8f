import type { PublicError } from '../../../shared/errors';
import { exitCodeForAll } from '../exit-codes';
import type { CommandOutput } from './command-output';
import { runBounded } from '../../core/async';
import { openRef, pinnedTo, type Confirmation, type EnvironmentView, type ResolveBackend } from '../../core/environments';
import { countItems, decodePolicy, isDueItem, listDue, markRotatedByHand, resumeIncident, rollbackSecret, rotateSecret, runIncident, type IncidentDeps, type IncidentProgress, type IncidentReport, type RotationClass, type RotationDeps, type RotationResult, type SessionRevocationPlan } from '../../core/rotation';

/**
 * The behaviour of the rotation commands of `latchkey`, without argument parsing or process exit; each
 * returns a CommandOutput (JSON for --json, readable text, exit code).
 */
/**
 * `latchkey rotate` prints one row per reference; values never appear. `class` is the rotation rule's
 * (rotate --due lists by-hand secrets that are due with `ok: false`, their reason, and no error: they are
 * a person's to rotate, not a failure of the run).
 */
export interface RotateRow {
  ref: string;
  ok: boolean;
  class?: RotationClass;
  version?: string;
  /** The service where the credential was changed (its name); null: the stored copy only. */
  changed_at: string | null;
  /** true: retired (and refused when tried); false: still valid where it is checked; an ISO time: retired then. */
  old_retired: boolean | string;
  error?: PublicError;
  warning?: string;
  reason?: string;
}

function row(result: RotationResult): RotateRow {
  return {
    ref: result.ref,
    ok: result.ok,
    ...(result.rule === undefined ? {} : { class: result.rule.class }),
    ...(result.version === undefined ? {} : { version: result.version }),
    changed_at: result.changedAt ?? null,
    old_retired: result.oldRetired ?? false,
    ...(result.error === undefined ? {} : { error: result.error }),
    ...(result.warning === undefined ? {} : { warning: result.warning }),
  };
}

/** Where a rotation took effect, in a few words: at the service (and the old credential's fate), or the stored copy only. */
function effect(item: RotateRow): string {
  if (item.changed_at === null) return '  (stored copy only: the old value still works wherever it is checked)';
  const old = item.old_retired === true ? 'old credential retired' : item.old_retired === false ? 'old credential still valid' : `old credential retired at ${item.old_retired}`;
  return `  at ${item.changed_at} (${old})`;
}

function rowText(item: RotateRow): string {
  if (item.ok) return `rotated  ${item.ref}${item.version === undefined ? '' : `  → version ${item.version}`}${effect(item)}${item.warning === undefined ? '' : `\n  ! ${item.warning}`}`;
  if (item.error === undefined) return `BY HAND  ${item.ref}\n  ${item.reason ?? ''}`;
  return `${item.class === 'by-hand' ? 'BY HAND' : 'FAILED '}  ${item.ref}\n  ${item.error.message}`;
}

function rowsText(rows: RotateRow[]): string {
  return rows.map(rowText).join('\n');
}

/** `latchkey rotate <ref>... [--policy <policy>]`; the policy uses the stored grammar, e.g. password-40-p30. */
export async function rotateCommand(deps: RotationDeps, refs: string[], options: { policy?: string; concurrency?: number; connection?: string } = {}): Promise<CommandOutput<RotateRow[]>> {
  const policy = options.policy === undefined ? undefined : decodePolicy(options.policy);
  const rows: RotateRow[] = new Array<RotateRow>(refs.length);
  await runBounded(refs, options.concurrency ?? 4, async (ref, index) => {
    rows[index] = row(await rotateSecret(deps, ref, { ...(policy === undefined ? {} : { policy }), ...(options.connection === undefined ? {} : { connection: options.connection }) }));
  });
  return { json: rows, text: rowsText(rows), exitCode: exitCodeForAll(rows.map((item) => item.error)) };
}

/**
 * `latchkey rotate --due`: exactly the secrets the schedule shows as overdue or due soon, by the rotation
 * rule — generated ones are rotated, by-hand ones are listed for a person — plus every secret that could
 * not be read (a damaged file), as a failure: its schedule is unknown, and saying nothing would hide it.
 */
export async function rotateDueCommand(deps: RotationDeps, environments: EnvironmentView[], options: { concurrency?: number; now?: () => Date } = {}): Promise<CommandOutput<RotateRow[]>> {
  const due = (await listDue({ ...deps, ...(options.now === undefined ? {} : { now: options.now }) }, environments)).filter((item) => isDueItem(item) || item.class === 'unreadable');
  const willRotate = (item: (typeof due)[number]) => item.rotatable && item.class !== 'by-hand' && item.class !== 'unreadable';
  const changing = environments.filter((environment) => due.some((item) => willRotate(item) && item.project === environment.project && item.environment === environment.name));
  const before = changing.length === 0 ? undefined : await deps.snapshots?.before(changing, 'rotate.due');
  const backends = new Map(environments.map((environment) => [`${environment.project}/${environment.name}`, environment.backend]));
  const rows: RotateRow[] = new Array<RotateRow>(due.length);
  await runBounded(due, options.concurrency ?? 4, async (item, index) => {
    const backend = backends.get(`${item.project}/${item.environment}`);
    const onItsBackend = backend === undefined ? deps : { ...deps, resolveBackend: pinnedTo(backend) };
    if (item.class === 'unreadable') {
      rows[index] = { ref: item.ref, ok: false, changed_at: null, old_retired: false, error: item.error ?? { kind: 'Internal', message: `${item.ref} could not be read.` } };
    } else if (item.class === 'by-hand') {
      rows[index] = { ref: item.ref, ok: false, class: 'by-hand', changed_at: null, old_retired: false, reason: `Due ${item.status === 'overdue' ? '(overdue)' : 'soon'} for a person to rotate: ${item.reason ?? ''}` };
    } else if (!item.rotatable) {
      rows[index] = { ref: item.ref, ok: false, class: item.class, changed_at: null, old_retired: false, error: { kind: 'InvalidInput', message: `${item.ref} is due but Latchkey cannot rotate it: ${item.reason ?? 'not rotatable'}` } };
    } else {
      rows[index] = row(await rotateSecret(onItsBackend, item.ref, { project: item.project, environment: item.environment, key: item.key }));
    }
  });
  const warnings = (before?.warnings ?? []).map((warning) => `! ${warning}`);
  return { json: rows, text: [rows.length === 0 ? 'Nothing is due.' : rowsText(rows), ...warnings].join('\n'), exitCode: exitCodeForAll(rows.map((item) => item.error)) };
}

export interface RollbackRow extends Omit<RotateRow, 'changed_at' | 'old_retired'> {
  restored_from?: string;
}

/** `latchkey rollback <ref>` */
export async function rollbackCommand(deps: RotationDeps, ref: string): Promise<CommandOutput<RollbackRow>> {
  const result = await rollbackSecret(deps, ref);
  const { changed_at: _changedAt, old_retired: _oldRetired, ...rest } = row(result);
  const json: RollbackRow = { ...rest, ...(result.restoredFrom === undefined ? {} : { restored_from: result.restoredFrom }) };
  const text = result.ok
    ? `rolled back  ${ref}${result.restoredFrom === undefined ? '' : `  (value of version ${result.restoredFrom})`}${result.version === undefined ? '' : `  → version ${result.version}`}`
    : `FAILED  ${ref}\n  ${result.error?.message ?? ''}`;
  return { json, text, exitCode: exitCodeForAll([json.error]) };
}

export interface HistoryJson {
  ref: string;
  versions: { version: string; created_at?: string; state: string; current: boolean; stages?: string[] }[];
}

/** `latchkey secrets history <ref>`: versions with times, newest first as the backend lists them; no values. */
export async function historyCommand(deps: { resolveBackend: ResolveBackend }, ref: string): Promise<CommandOutput<HistoryJson>> {
  const { backend, path } = await openRef(deps.resolveBackend, ref);
  const description = await backend.describe(path);
  const versions = description.versions.map((version) => ({
    version: version.version,
    ...(version.createdAt === undefined ? {} : { created_at: version.createdAt }),
    state: version.state,
    current: version.current,
    ...(version.stages === undefined || version.stages.length === 0 ? {} : { stages: version.stages }),
  }));
  const text =
    versions.length === 0
      ? `${ref} keeps no version history in its backend.`
      : versions.map((version) => `${version.current ? '*' : ' '} ${version.version.padEnd(12)} ${version.created_at ?? '-'}  ${version.state}${version.stages === undefined ? '' : `  [${version.stages.join(', ')}]`}`).join('\n');
  return { json: { ref, versions }, text, exitCode: 0 };
}

/** Each item of `incident … --json` carries the rotation rule's `class` (by-hand items their `provider` and `marked`). */
export interface IncidentJson {
  report_id: string;
  status: IncidentReport['status'];
  counts: IncidentReport['counts'];
  sessions?: IncidentReport['sessions'];
  items: {
    ref: string;
    environment: string;
    status: string;
    class?: RotationClass;
    version?: string;
    /** As in `rotate --json`: the service where the credential was changed (null: the stored copy only)… */
    changed_at: string | null;
    /** …and whether the old credential was retired there (true, false, or the ISO time its grace ends). */
    old_retired: boolean | string;
    error?: PublicError;
    reason?: string;
    provider?: string;
    marked?: { at: string; by: string };
  }[];
  report: { json: string; text: string };
  warnings: string[];
}

export function incidentOutput(deps: Pick<IncidentDeps, 'reports'>, report: IncidentReport, warnings: string[]): CommandOutput<IncidentJson> {
  const json: IncidentJson = {
    report_id: report.id,
    status: report.status,
    counts: report.counts,
    ...(report.sessions === undefined ? {} : { sessions: report.sessions }),
    items: report.items.map((item) => ({
      ref: item.ref,
      environment: item.environment,
      status: item.status,
      ...(item.class === undefined ? {} : { class: item.class }),
      ...(item.version === undefined ? {} : { version: item.version }),
      changed_at: item.changed_at ?? null,
      old_retired: item.old_retired ?? false,
      ...(item.error === undefined ? {} : { error: item.error }),
      ...(item.reason === undefined ? {} : { reason: item.reason }),
      ...(item.provider === undefined ? {} : { provider: item.provider }),
      ...(item.marked === undefined ? {} : { marked: item.marked }),
    })),
    report: deps.reports.pathsOf(report.id),
    warnings,
  };
  const counts = countItems(report.items);
  const byHand = report.items.filter((item) => item.status === 'by-hand');
  const rotated = report.items.filter((item) => item.status === 'rotated');
  const atServices = rotated.filter((item) => item.changed_at !== undefined);
  const services = [...new Set(atServices.map((item) => item.changed_at))].join(', ');
  const storedOnly = rotated.length - atServices.length;
  const text = [
    `Incident ${report.id}: ${report.status.toUpperCase()} — ${counts.rotated} rotated, ${counts.failed} failed, ${counts.skipped} skipped, ${counts.pending + counts.cancelled} not done` +
      (byHand.length === 0 ? '.' : `, ${byHand.length} to rotate by hand (${counts.marked} marked done).`),
    ...(atServices.length === 0 ? [] : [`  Changed at services (${services}): ${atServices.length}; old credentials retired: ${atServices.filter((item) => item.old_retired === true).length}.`]),
    ...(storedOnly === 0 ? [] : [`  STORED COPY ONLY: ${storedOnly} — the old values still work wherever they are checked.`]),
    ...report.items.filter((item) => item.status === 'failed').map((item) => `  FAILED ${item.ref}: ${item.error?.message ?? ''}`),
    ...(byHand.length === 0
      ? []
      : [
          'Rotate these by hand — Latchkey did not change them (rotate each where it was issued, store the new value, then mark it done):',
          ...byHand.map((item) => `  ${item.marked === undefined ? 'TO DO' : 'DONE '}  ${item.ref}${item.provider === undefined ? '' : `  [${item.provider}]`}`),
          `  Mark them with: latchkey incident mark-rotated ${report.id} <ref>...`,
        ]),
    ...warnings.map((warning) => `  ! ${warning}`),
    `Report: ${json.report.text}`,
    ...(report.status === 'completed' ? [] : [`Finish what is left with: latchkey incident resume ${report.id}`]),
  ].join('\n');
  return { json, text, exitCode: report.status === 'completed' ? 0 : 1 };
}

export interface IncidentCommandOptions {
  /** --yes, or the names typed at the prompt. */
  confirmation?: Confirmation;
  sessions?: SessionRevocationPlan;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: IncidentProgress) => void;
}

/** `latchkey incident rotate --project P --env E [--env E2] [--yes]` */
export async function incidentRotateCommand(deps: IncidentDeps, environments: EnvironmentView[], options: IncidentCommandOptions = {}): Promise<CommandOutput<IncidentJson>> {
  const { report, warnings } = await runIncident(deps, { environments, ...(options.sessions === undefined ? {} : { sessions: options.sessions }) }, options);
  return incidentOutput(deps, report, warnings);
}

/** `latchkey incident mark-rotated <report-id> <ref>...`: by-hand items a person rotated where they were issued. */
export async function incidentMarkCommand(deps: Pick<IncidentDeps, 'reports' | 'audit' | 'now' | 'user'>, reportId: string, refs: string[]): Promise<CommandOutput<IncidentJson>> {
  const report = await markRotatedByHand(deps, reportId, refs);
  const output = incidentOutput(deps, report, []);
  return { ...output, exitCode: 0 };
}

/** `latchkey incident resume <report-id> [--yes]`: finishes only what the report says is left. */
export async function incidentResumeCommand(deps: IncidentDeps, reportId: string, options: IncidentCommandOptions = {}): Promise<CommandOutput<IncidentJson>> {
  const { report, warnings } = await resumeIncident(deps, reportId, options);
  return incidentOutput(deps, report, warnings);
}
