import { runBounded } from '../async/bounded-pool';
import { Slots } from '../async/slots';
import { currentOsUser } from '../audit/os-user';
import { requireConfirmation, type Confirmation } from '../environments/confirmation';
import type { EnvironmentView } from '../environments/environment-view';
import { pinnedTo, type ResolveBackend } from '../environments/resolve-backend';
import type { PublicError } from '../../../shared/errors';
import { invalidInput, LatchkeyError, toPublicError } from '../errors';
import { describeError } from '../log';
import type { IncidentReport, ReportItem } from '../../../shared/incident-report';
import { countItems, reportStatusOf } from './incident-report';
import type { IncidentReportStore } from './incident-store';
import { coalescingSaver } from './report-saver';
import { inspectEnvironments, type InspectDeps, type InspectedRead, type TargetInfo } from './inspect-targets';
import { rotateSecret, type RotationDeps } from './rotate-secret';
import type { RotationClass } from './rotation-rule';
import type { SessionRevocationPlan, SessionRevoker } from './session-revocation';

/**
 * Incident mode: preview every secret of some environments by the rotation rule — what Latchkey rotates,
 * what a person must rotate by hand where it was issued (never overwritten), what could not be read —
 * and the sessions to revoke; confirm (typing the name of each protected environment), then rotate with
 * bounded concurrency, reporting progress per item. Cancel stops new items; the ones in flight finish, so
 * none is half-done. The report is saved as the run goes, one run at a time holds it, and it drives a
 * re-run that does only what is left; by-hand items are marked done there by the person.
 */
export interface IncidentDeps extends RotationDeps, Omit<InspectDeps, 'escrow' | 'logger' | 'origins' | 'services'> {
  reports: IncidentReportStore;
  sessions?: SessionRevoker;
  /**
   * Opens an environment of a saved report (for a re-run), so its secrets are rotated on the
   * environment's own backend. Without it, a re-run resolves each reference with resolveBackend.
   */
  openEnvironment?: (project: string, name: string) => Promise<EnvironmentView>;
  now?: () => Date;
  /** The OS user recorded in each run (default: the current one). */
  user?: string;
}

export interface IncidentPreview {
  environments: { project: string; name: string; protected: boolean }[];
  items: {
    ref: string;
    project: string;
    environment: string;
    key: string;
    /** The rotation rule's class, or unreadable (a damaged file, a refused read: it fails, the rest go on). */
    class: RotationClass | 'unreadable';
    rotatable: boolean;
    policy?: string;
    /** Why the rule applies, or why it cannot be rotated now. */
    reason?: string;
    /** Who issued the value, when its prefix says so (by-hand items). */
    provider?: string;
    /** class service: the service where its rotator changes the credential. Class generate changes the stored copy only. */
    service?: string;
    error?: PublicError;
  }[];
  rotatable: number;
  sessions?: { plan: SessionRevocationPlan; count: number; server?: string };
  /** Names that must be typed to confirm (the protected environments). */
  typeToConfirm: string[];
}

export interface IncidentRequest {
  environments: EnvironmentView[];
  sessions?: SessionRevocationPlan;
  /** The session server the sessions are revoked on (recorded in the report, for a re-run). */
  sessionServer?: string;
  signal?: AbortSignal;
}

export interface IncidentProgress {
  reportId: string;
  phase: 'sessions' | 'secrets' | 'done';
  /** Items this run works on, and how many of them have finished. */
  total: number;
  done: number;
  rotated: number;
  failed: number;
  /** The item that just finished. */
  item?: ReportItem;
}

export interface RunOptions {
  confirmation?: Confirmation;
  /** Rotations in flight at once (default 8, at most 64). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: IncidentProgress) => void;
  /** References to leave out of this incident (unticked in the preview). */
  exclude?: string[];
}

export interface IncidentRun {
  report: IncidentReport;
  /** Problems that did not stop the run (e.g. the report could not be saved at some point). */
  warnings: string[];
}

export async function previewIncident(deps: IncidentDeps, request: IncidentRequest, inspected?: TargetInfo[]): Promise<IncidentPreview> {
  const targets = inspected ?? (await inspectEnvironments(deps, request.environments, request.signal === undefined ? {} : { signal: request.signal }));
  const sessions =
    request.sessions === undefined || deps.sessions === undefined
      ? undefined
      : {
          plan: request.sessions,
          count: await deps.sessions.count(request.sessions, request.signal),
          ...(request.sessionServer === undefined ? {} : { server: request.sessionServer }),
        };
  if (request.sessions !== undefined && deps.sessions === undefined) {
    throw new LatchkeyError('InvalidInput', 'Session revocation is not available here: no session server is configured.');
  }
  return {
    environments: request.environments.map((environment) => ({ project: environment.project, name: environment.name, protected: environment.protected })),
    items: targets.map((target) => ({
      ref: target.ref,
      project: target.project,
      environment: target.environment,
      key: target.key,
      class: target.class,
      rotatable: target.rotatable,
      ...(target.policyText === undefined ? {} : { policy: target.policyText }),
      ...(target.reason === undefined ? {} : { reason: target.reason }),
      ...(target.provider === undefined ? {} : { provider: target.provider }),
      ...(target.service === undefined ? {} : { service: target.service }),
      ...(target.error === undefined ? {} : { error: target.error }),
    })),
    rotatable: targets.filter((target) => target.rotatable).length,
    ...(sessions === undefined ? {} : { sessions }),
    typeToConfirm: request.environments.filter((environment) => environment.protected).map((environment) => environment.name),
  };
}

/**
 * Rotations under way per backend slot: one at the backend, up to three waiting for the audit log. Each
 * rotation waits for two entries (started, then its outcome), each behind the batch being written; with
 * two per slot, the waits idled backend slots (bench/incident-rotation.bench.ts: the rotation part of a
 * run at concurrency 16 took a fifth longer). A crash loses nothing more: every rotation that reached
 * the backend has its started entry on disk first.
 */
const ROTATIONS_PER_BACKEND_SLOT = 4;

export async function runIncident(deps: IncidentDeps, request: IncidentRequest, options: RunOptions = {}): Promise<IncidentRun> {
  requireConfirmation(request.environments, options.confirmation, 'rotating every rotatable secret');
  const concurrency = clampConcurrency(options.concurrency);
  // Inspected at the run's own concurrency (requests in flight at the backend); the reads are kept for
  // rotations on check-and-set backends, which write against the version read instead of reading it again.
  const reads = new Map<string, InspectedRead>();
  const targets = await inspectEnvironments(deps, request.environments, { ...(request.signal === undefined ? {} : { signal: request.signal }), concurrency, reads });
  const preview = await previewIncident(deps, request, targets);
  const now = deps.now ?? (() => new Date());
  const excluded = new Set(options.exclude ?? []);
  const created = now();
  const items = targets.map((target) => reportItemOf(target, excluded.has(target.ref)));
  const report: IncidentReport = {
    v: 1,
    id: deps.reports.newId(created),
    created_at: created.toISOString(),
    updated_at: created.toISOString(),
    status: 'running',
    environments: preview.environments,
    concurrency,
    ...(preview.sessions === undefined
      ? {}
      : { sessions: { plan: preview.sessions.plan, ...(preview.sessions.server === undefined ? {} : { server: preview.sessions.server }), status: 'pending' as const, attempts: 0 } }),
    items,
    runs: [],
    counts: countItems(items),
  };
  const before = await deps.snapshots?.before(request.environments, 'incident', { reportId: report.id });
  const run = await holding(deps, report.id, options, (signal) => execute(deps, report, resolverOf(deps, request.environments), { ...options, signal }, reads));
  return { ...run, warnings: [...(before?.warnings ?? []), ...run.warnings] };
}

/**
 * How an inspected secret enters the report: rotated by Latchkey (pending), by hand (listed for a person,
 * never overwritten), failed when it could not be read (so the run goes on and a re-run retries it), or
 * skipped (left out when confirmed, or no way to keep its previous value).
 */
function reportItemOf(target: TargetInfo, excluded: boolean): ReportItem {
  const base = {
    ref: target.ref,
    project: target.project,
    environment: target.environment,
    key: target.key,
    attempts: 0,
    ...(target.provider === undefined ? {} : { provider: target.provider }),
    ...(target.service === undefined ? {} : { service: target.service }),
    ...(target.version === undefined ? {} : { previous_version: target.version }),
  };
  if (target.class === 'unreadable') return { ...base, status: 'failed', error: target.error ?? { kind: 'Internal', message: target.reason ?? 'It could not be read.' } };
  const classed = { ...base, class: target.class };
  if (target.class === 'by-hand') return { ...classed, status: 'by-hand', ...(target.reason === undefined ? {} : { reason: target.reason }) };
  if (!target.rotatable) return { ...classed, status: 'skipped', reason: target.reason ?? 'Not rotatable.' };
  return excluded ? { ...classed, status: 'skipped', reason: 'Left out of this incident when it was confirmed.' } : { ...classed, status: 'pending' };
}

/** Re-runs a saved incident: only items not yet rotated (and sessions not yet revoked) are worked on. */
export async function resumeIncident(deps: IncidentDeps, reportId: string, options: RunOptions = {}): Promise<IncidentRun> {
  const saved = await deps.reports.open(reportId);
  if (saved.status === 'completed') return { report: saved, warnings: [] };
  requireConfirmation(saved.environments, options.confirmation, `re-running incident ${reportId}`);
  return holding(deps, reportId, options, async (signal) => {
    // Read again under the lock: a run that finished meanwhile changed it.
    const report = await deps.reports.open(reportId);
    if (report.status === 'completed') return { report, warnings: [] };
    const { openEnvironment } = deps;
    const environments = openEnvironment === undefined ? [] : await Promise.all(report.environments.map((environment) => openEnvironment(environment.project, environment.name)));
    return execute(deps, { ...report, concurrency: clampConcurrency(options.concurrency ?? report.concurrency) }, resolverOf(deps, environments), { ...options, signal });
  });
}

/**
 * Records that a person rotated by-hand items where they were issued: audited (secret.mark-rotated) and
 * saved in the report, under the report's lock (not while a run writes it).
 */
export async function markRotatedByHand(deps: Pick<IncidentDeps, 'reports' | 'audit' | 'now' | 'user'>, reportId: string, refs: string[]): Promise<IncidentReport> {
  if (refs.length === 0) throw invalidInput('Name at least one secret of the report to mark as rotated by hand.');
  await deps.reports.open(reportId); // NotFound before anything is created
  const held = await deps.reports.lock(reportId);
  try {
    const report = await deps.reports.open(reportId);
    const items = [...new Set(refs)].map((ref) => {
      const item = report.items.find((candidate) => candidate.ref === ref);
      if (item === undefined) throw new LatchkeyError('NotFound', `Incident ${reportId} has no secret ${ref}.`);
      if (item.status !== 'by-hand') throw invalidInput(`${ref} is not one to rotate by hand in incident ${reportId} (it is ${item.status}); only those can be marked.`);
      return item;
    });
    const at = (deps.now ?? (() => new Date()))().toISOString();
    const by = deps.user ?? currentOsUser();
    for (const item of items) {
      await deps.audit.append({ action: 'secret.mark-rotated', outcome: 'ok', ref: item.ref, project: item.project, environment: item.environment, report_id: reportId });
      item.marked = { at, by };
    }
    report.updated_at = at;
    report.counts = countItems(report.items);
    await deps.reports.save(report);
    return report;
  } finally {
    await held.release();
  }
}

/**
 * Runs `work` holding the report's lock. A lock lost on the way (the process was stopped past its
 * staleness, and another run may have taken over) stops the run as Cancel does.
 */
async function holding(deps: IncidentDeps, reportId: string, options: RunOptions, work: (signal: AbortSignal) => Promise<IncidentRun>): Promise<IncidentRun> {
  const lost = new AbortController();
  const held = await deps.reports.lock(reportId, { onLost: () => lost.abort() });
  try {
    const run = await work(options.signal === undefined ? lost.signal : AbortSignal.any([options.signal, lost.signal]));
    if (lost.signal.aborted) run.warnings.push(`Incident ${reportId} lost its lock while it ran (the process was stopped for a while), so it stopped; re-run it to finish.`);
    return run;
  } finally {
    await held.release();
  }
}

/** Each item is rotated on its environment's backend; items of environments not given fall back to resolveBackend. */
function resolverOf(deps: IncidentDeps, environments: EnvironmentView[]): (item: ReportItem) => ResolveBackend {
  const byName = new Map(environments.map((environment) => [`${environment.project}/${environment.name}`, environment.backend]));
  return (item) => {
    const backend = byName.get(`${item.project}/${item.environment}`);
    return backend === undefined ? deps.resolveBackend : pinnedTo(backend);
  };
}

/** `reads`: what the inspection just read, by reference; each is handed to its rotation once and dropped. */
async function execute(
  deps: IncidentDeps,
  report: IncidentReport,
  backendOf: (item: ReportItem) => ResolveBackend,
  options: RunOptions,
  reads: Map<string, InspectedRead> = new Map(),
): Promise<IncidentRun> {
  const now = deps.now ?? (() => new Date());
  const warnings: string[] = [];
  const saver = coalescingSaver(async () => {
    report.updated_at = now().toISOString();
    report.counts = countItems(report.items);
    // A snapshot: items keep finishing while the files are written.
    await deps.reports.save(structuredClone(report));
  });
  const run: IncidentReport['runs'][number] = { started_at: now().toISOString(), user: deps.user ?? currentOsUser() };
  report.runs.push(run);
  report.status = 'running';
  const work = report.items.filter((item) => item.status === 'pending' || item.status === 'failed' || item.status === 'cancelled');
  for (const item of work) {
    item.status = 'pending';
  }
  const context = (environment?: string) => ({
    report_id: report.id,
    ...(environment === undefined ? {} : { environment }),
    ...(report.environments.length === 1 && report.environments[0] !== undefined ? { project: report.environments[0].project } : {}),
  });

  try {
    await deps.audit.append({ action: 'incident.run', outcome: 'started', ...context(), counts: { total: work.length } });
  } catch (error) {
    throw new LatchkeyError('BackendUnavailable', 'The audit log could not be written, so the incident was not started: Latchkey does not change secrets without a record.', { cause: error });
  }
  await saver.now().catch((error: unknown) => warnings.push(saveWarning(error)));

  const progress: IncidentProgress = { reportId: report.id, phase: 'sessions', total: work.length, done: 0, rotated: 0, failed: 0 };
  const emit = (item?: ReportItem) => options.onProgress?.({ ...progress, ...(item === undefined ? {} : { item: { ...item } }) });
  emit();

  // Sessions first: cutting off a stolen session is the quickest win of an incident.
  const sessions = report.sessions;
  if (sessions !== undefined && sessions.status !== 'revoked' && options.signal?.aborted !== true) {
    sessions.attempts += 1;
    const revocationScope = { scope: sessions.plan.scope, ...('user_id' in sessions.plan ? { user_id: sessions.plan.user_id } : {}), ...('device_id' in sessions.plan ? { device_id: sessions.plan.device_id } : {}) };
    try {
      if (deps.sessions === undefined) throw new LatchkeyError('InvalidInput', 'Session revocation is not available here: no session server is configured.');
      // On record before anything is deleted, as every session revocation is: a run killed mid-way still left a trace.
      await deps.audit.append({ action: 'session.revoke', outcome: 'started', ...context(), sessions: revocationScope });
      const { revoked } = await deps.sessions.revoke(sessions.plan, options.signal);
      sessions.status = 'revoked';
      sessions.revoked = revoked;
      delete sessions.error;
    } catch (error) {
      sessions.status = 'failed';
      sessions.error = toPublicError(error);
      deps.logger?.warn('incident session revocation failed', { report: report.id, error: describeError(error) });
    }
    await deps.audit
      .append({
        action: 'session.revoke',
        outcome: sessions.status === 'revoked' ? 'ok' : 'failed',
        ...context(),
        sessions: revocationScope,
        ...(sessions.revoked === undefined ? {} : { counts: { revoked: sessions.revoked } }),
        ...(sessions.error === undefined ? {} : { error_kind: sessions.error.kind }),
      })
      .catch((error: unknown) => warnings.push(`The audit entry of the session revocation could not be written (${toPublicError(error).message}).`));
    saver.request();
  }

  progress.phase = 'secrets';
  emit();
  // `concurrency` rotations talk to backends at once; more may be waiting for their audit entries
  // meanwhile, which hold no backend slot (see rotate-secret.ts `backendSlots`).
  const backendSlots = new Slots(report.concurrency);
  await runBounded(
    work,
    report.concurrency * ROTATIONS_PER_BACKEND_SLOT,
    async (item) => {
      item.attempts += 1;
      const read = reads.get(item.ref);
      reads.delete(item.ref);
      const result = await rotateSecret({ ...deps, resolveBackend: backendOf(item) }, item.ref, {
        project: item.project,
        environment: item.environment,
        key: item.key,
        reportId: report.id,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(read === undefined ? {} : { read }),
        backendSlots,
      });
      const cancelledBeforeStart = !result.ok && result.error?.kind === 'Cancelled';
      if (result.rule !== undefined) item.class = result.rule.class;
      if (!result.ok && result.rule?.class === 'by-hand') {
        // The rule changed since the report was made (a value typed in meanwhile): a person's item now.
        item.status = 'by-hand';
        item.reason = result.rule.reason;
        if (result.rule.provider !== undefined) item.provider = result.rule.provider;
        delete item.error;
        item.finished_at = now().toISOString();
        progress.done += 1;
        emit(item);
        saver.request();
        return;
      }
      item.status = result.ok ? 'rotated' : cancelledBeforeStart ? 'cancelled' : 'failed';
      item.state = result.state;
      item.finished_at = now().toISOString();
      if (result.version === undefined) delete item.version;
      else item.version = result.version;
      if (result.previousVersion !== undefined) item.previous_version = result.previousVersion;
      if (result.error === undefined) delete item.error;
      else item.error = result.error;
      // Where the credential was changed, and what became of the old one (the report says per item).
      if (result.changedAt === undefined) delete item.changed_at;
      else item.changed_at = result.changedAt;
      if (result.oldRetired === undefined) delete item.old_retired;
      else item.old_retired = result.oldRetired;
      if (result.oldRefused === undefined) delete item.old_refused;
      else item.old_refused = result.oldRefused;
      if (result.warning !== undefined) warnings.push(`${item.ref}: ${result.warning}`);
      progress.done += 1;
      if (item.status === 'rotated') progress.rotated += 1;
      if (item.status === 'failed') progress.failed += 1;
      emit(item);
      saver.request();
    },
    options.signal,
  );

  reads.clear();
  const cancelled = options.signal?.aborted === true;
  for (const item of work) if (item.status === 'pending') item.status = 'cancelled';
  if (cancelled && sessions !== undefined && sessions.status === 'pending') sessions.status = 'cancelled';
  const status = reportStatusOf(report, cancelled);
  report.status = status;
  run.finished_at = now().toISOString();
  run.outcome = status;
  await saver.now().catch((error: unknown) => warnings.push(saveWarning(error)));

  const counts = countItems(report.items);
  await deps.audit
    .append({
      action: 'incident.run',
      outcome: status === 'completed' ? 'ok' : status === 'cancelled' ? 'cancelled' : 'partial',
      ...context(),
      counts: { total: counts.total, ok: counts.rotated, failed: counts.failed, skipped: counts.skipped, cancelled: counts.cancelled + counts.pending },
    })
    .catch((error: unknown) => warnings.push(`The audit entry closing this run could not be written (${toPublicError(error).message}).`));
  progress.phase = 'done';
  emit();
  return { report, warnings };
}

function clampConcurrency(requested: number | undefined): number {
  if (requested === undefined) return 8;
  if (!Number.isInteger(requested) || requested < 1) throw new LatchkeyError('InvalidInput', 'Concurrency must be a whole number of at least 1.');
  return Math.min(64, requested);
}

function saveWarning(error: unknown): string {
  return `The incident report could not be saved (${toPublicError(error).message}); the results above are complete, but a re-run needs the saved report.`;
}
