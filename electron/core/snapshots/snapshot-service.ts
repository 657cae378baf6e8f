import type { AuditLog } from '../audit/audit-log';
import { requireConfirmation, type Confirmation } from '../environments/confirmation';
import type { EnvironmentView } from '../environments/environment-view';
import type { Fingerprinter } from '../environments/fingerprint';
import type { ProjectsService } from '../config/projects';
import { invalidInput, isLatchkeyError, LatchkeyError, toPublicError } from '../errors';
import type { Logger } from '../log';
import { describeError } from '../log';
import type { IncidentReportStore } from '../rotation/incident-store';
import { parseRef } from '../secrets/reference';
import type { SnapshotsBeforeChange, TakenBefore } from './before-change';
import { incidentUndoTarget } from './incident-undo';
import { targetAtTime } from './point-in-time';
import { describePruneWhy, snapshotsToPrune, SNAPSHOT_RETENTION } from './pruning';
import { restoreEnvironment, type RestoreProgress, type RestoreResult } from './restore-environment';
import { describeTargetRequest, type RestoreTargetRequest } from './restore-journal';
import { planRestore, type PlanAction } from './restore-plan';
import { targetFromSnapshot, type RestoreTarget, type TargetDescription, type TargetSource } from './restore-target';
import { SNAPSHOT_REASON_LABELS, SNAPSHOT_NOTE, summarize, type SnapshotFile, type SnapshotReason, type SnapshotSummary } from './snapshot-record';
import type { PrunedSnapshot, SnapshotStore } from './snapshot-store';
import { takeSnapshot } from './take-snapshot';

/**
 * Snapshots and restores as the app and the command line ask for them, by project and environment
 * name: take one, list them (with what was pruned and why, and a restore that was interrupted),
 * preview a restore to a snapshot or a moment, restore, and undo an incident. It is also the hook the
 * bulk changes call to be snapshotted first (SnapshotsBeforeChange).
 */
export interface SnapshotServiceDeps {
  projects: Pick<ProjectsService, 'find'>;
  viewEnvironment(project: string, environment: string): Promise<EnvironmentView>;
  store: SnapshotStore;
  audit: AuditLog;
  reports: IncidentReportStore;
  fingerprinter: Fingerprinter;
  logger: Logger;
  now: () => Date;
  retention?: { count: number; days: number };
}

export interface InterruptedRestore {
  target: RestoreTargetRequest;
  description: string;
  started_at: string;
  before_snapshot_id: string;
  keys?: string[];
  delete: 'all-new' | string[];
}

export interface SnapshotList {
  project: string;
  environment: string;
  /** Newest first. */
  snapshots: SnapshotSummary[];
  /** Snapshots removed by the retention rule, newest first, each with why. */
  pruned: (PrunedSnapshot & { why_text: string })[];
  /** Snapshot files that could not be read (damaged or edited). */
  damaged: string[];
  retention: { count: number; days: number };
  interrupted?: InterruptedRestore;
}

export interface RestorePreviewItem {
  key: string;
  action: PlanAction;
  source?: TargetSource;
  version?: string;
  reason?: string;
}

/** A restore before it runs, by key: no value, only names, versions and what will happen. */
export interface RestorePreview {
  project: string;
  environment: string;
  protected: boolean;
  target: TargetDescription;
  items: RestorePreviewItem[];
  changed: string[];
  recreated: string[];
  unchanged: string[];
  /** Created since the moment; `deleted` are the ones the request ticks for deletion. */
  created_since: string[];
  deleted: string[];
  unavailable: { key: string; reason: string }[];
  left_out: { key: string; reason: string }[];
  notes: string[];
  typeToConfirm: string[];
  interrupted?: InterruptedRestore;
}

export interface RestoreOptions {
  keys?: string[];
  delete?: 'all-new' | string[];
  confirmation?: Confirmation;
  signal?: AbortSignal;
  onProgress?: (progress: RestoreProgress) => void;
}

export interface IncidentUndoPreview {
  report_id: string;
  environments: RestorePreview[];
  typeToConfirm: string[];
}

export interface IncidentUndoResult {
  report_id: string;
  environments: RestoreResult[];
}

export function createSnapshotService(deps: SnapshotServiceDeps) {
  const retention = deps.retention ?? SNAPSHOT_RETENTION;
  const environmentIdOf = async (view: EnvironmentView) => (await deps.projects.find(view.project, view.name)).environment.id;
  const open = async (project: string, environment: string) => {
    const view = await deps.viewEnvironment(project, environment);
    return { view, environmentId: await environmentIdOf(view) };
  };

  const interruptedOf = async (environmentId: string): Promise<InterruptedRestore | undefined> => {
    const journal = await deps.store.journal(environmentId);
    if (journal === undefined) return undefined;
    return {
      target: journal.target,
      description: describeTargetRequest(journal.target),
      started_at: journal.started_at,
      before_snapshot_id: journal.before_snapshot_id,
      ...(journal.keys === undefined ? {} : { keys: journal.keys }),
      delete: journal.delete,
    };
  };

  /** Applies the retention rule after a snapshot was taken; every pruned snapshot is recorded and audited. */
  const prune = async (view: EnvironmentView, environmentId: string, pinned: string[]) =>
    deps.store.withLock(environmentId, 'snapshots', async () => {
      const journal = await deps.store.journal(environmentId).catch(() => undefined);
      const keep = new Set([...pinned, ...(journal === undefined ? [] : [journal.before_snapshot_id, ...('snapshot' in journal.target ? [journal.target.snapshot] : [])])]);
      const { snapshots } = await deps.store.list(environmentId);
      const decisions = snapshotsToPrune(snapshots, deps.now(), { retention, pinned: keep });
      const byId = new Map(snapshots.map((snapshot) => [snapshot.id, snapshot]));
      const pruned: PrunedSnapshot[] = [];
      // Oldest first, as the list of pruned snapshots grows.
      for (const decision of [...decisions].reverse()) {
        const snapshot = byId.get(decision.id) as SnapshotFile;
        await deps.store.remove(environmentId, decision.id);
        pruned.push({ id: snapshot.id, created_at: snapshot.created_at, reason: snapshot.reason, ...(snapshot.note === undefined ? {} : { note: snapshot.note }), pruned_at: deps.now().toISOString(), why: decision.why });
      }
      await deps.store.recordPruned(environmentId, pruned);
      for (const entry of pruned) {
        await deps.audit
          .append({ action: 'env.prune-snapshots', outcome: 'ok', project: view.project, environment: view.name, snapshot_id: entry.id, counts: { pruned: 1 } })
          .catch((error: unknown) => deps.logger.error('audit entry of a pruned snapshot could not be written', { error: describeError(error) }));
      }
    });

  const take = async (view: EnvironmentView, environmentId: string, reason: SnapshotReason, options: { note?: string; reportId?: string; pinned?: string[]; signal?: AbortSignal } = {}): Promise<SnapshotFile> => {
    if (options.note !== undefined && !SNAPSHOT_NOTE.test(options.note)) throw invalidInput('A snapshot note is one line of at most 200 characters.');
    const file = await takeSnapshot(
      { store: deps.store, now: deps.now, logger: deps.logger },
      { view, environmentId, reason, ...(options.note === undefined ? {} : { note: options.note }), ...(options.reportId === undefined ? {} : { reportId: options.reportId }), ...(options.signal === undefined ? {} : { signal: options.signal }) },
    );
    const unreadable = file.keys.filter((key) => key.unreadable !== undefined).length;
    await deps.audit
      .append({
        action: 'env.snapshot',
        outcome: unreadable === 0 ? 'ok' : 'partial',
        project: view.project,
        environment: view.name,
        snapshot_id: file.id,
        ...(file.report_id === undefined ? {} : { report_id: file.report_id }),
        counts: { total: file.keys.length, ...(unreadable === 0 ? {} : { failed: unreadable }) },
      })
      .catch((error: unknown) => deps.logger.error('audit entry of a snapshot could not be written', { error: describeError(error) }));
    await prune(view, environmentId, [file.id, ...(options.pinned ?? [])]).catch((error: unknown) => deps.logger.warn('snapshot pruning failed', { error: describeError(error) }));
    return file;
  };

  /** One spelling per request (a moment in UTC), so that a re-run is recognised as the same restore. */
  const canonical = (request: RestoreTargetRequest): RestoreTargetRequest => {
    if (!('at' in request)) return request;
    const at = new Date(request.at);
    if (Number.isNaN(at.getTime())) throw invalidInput(`"${request.at.slice(0, 40)}" is not a time; write it like 2026-12-06T10:00:00Z.`);
    if (at.getTime() > deps.now().getTime()) throw invalidInput(`${request.at} is in the future; choose a moment in the past to restore to.`);
    return { at: at.toISOString() };
  };

  const targetFor = async (view: EnvironmentView, environmentId: string, request: RestoreTargetRequest, keys: string[] | undefined, signal?: AbortSignal): Promise<RestoreTarget> => {
    const scope = keys === undefined ? {} : { keys };
    if ('snapshot' in request) return targetFromSnapshot(await deps.store.open(environmentId, request.snapshot), view.backend, (key) => parseRef(view.refFor(key)).path, scope);
    if ('at' in request) return targetAtTime({ store: deps.store, audit: deps.audit, logger: deps.logger }, view, environmentId, new Date(request.at), { ...scope, ...(signal === undefined ? {} : { signal }) });
    throw invalidInput('Undo an incident with "latchkey incident undo <report id>".');
  };

  const previewOf = async (view: EnvironmentView, environmentId: string, target: RestoreTarget, deleting: 'all-new' | string[], signal?: AbortSignal): Promise<RestorePreview> => {
    const plan = await planRestore({ fingerprinter: deps.fingerprinter, logger: deps.logger }, view, target, signal === undefined ? {} : { signal });
    const keysWith = (action: PlanAction) => plan.filter((item) => item.action === action).map((item) => item.key);
    const createdSince = keysWith('new');
    const interrupted = await interruptedOf(environmentId);
    return {
      project: view.project,
      environment: view.name,
      protected: view.protected,
      target: target.description,
      items: plan.map((item) => ({
        key: item.key,
        action: item.action,
        ...(item.source === undefined ? {} : { source: item.source }),
        ...(item.version === undefined ? {} : { version: item.version }),
        ...(item.reason === undefined ? {} : { reason: item.reason }),
      })),
      changed: keysWith('change'),
      recreated: keysWith('recreate'),
      unchanged: keysWith('unchanged'),
      created_since: createdSince,
      deleted: deleting === 'all-new' ? createdSince : createdSince.filter((key) => deleting.includes(key)),
      unavailable: plan.flatMap((item) => (item.action === 'unavailable' ? [{ key: item.key, reason: item.reason ?? 'not available' }] : [])),
      left_out: target.leftOut,
      notes: target.notes,
      typeToConfirm: view.protected ? [view.name] : [],
      ...(interrupted === undefined ? {} : { interrupted }),
    };
  };

  const service = {
    /** SnapshotsBeforeChange: a snapshot of each environment before a bulk change writes to it. */
    async before(environments: EnvironmentView[], reason: SnapshotReason, options: { required?: boolean; reportId?: string } = {}): Promise<TakenBefore> {
      const taken: TakenBefore = { snapshots: [], warnings: [] };
      for (const view of environments) {
        try {
          let environmentId: string;
          try {
            environmentId = await environmentIdOf(view);
          } catch (error) {
            // An environment that does not exist yet (an import creates it) has nothing to snapshot.
            if (isLatchkeyError(error) && error.kind === 'NotFound') continue;
            throw error;
          }
          const file = await take(view, environmentId, reason, options.reportId === undefined ? {} : { reportId: options.reportId });
          taken.snapshots.push({ project: view.project, environment: view.name, id: file.id });
        } catch (error) {
          const { kind, message } = toPublicError(error);
          const what = `Latchkey could not take a snapshot of ${view.project}/${view.name} ${SNAPSHOT_REASON_LABELS[reason]} (${message.replace(/\.$/, '')})`;
          deps.logger.warn('snapshot before a bulk change failed', { reason, error: describeError(error) });
          if (options.required === true) throw new LatchkeyError(kind === 'Internal' ? 'BackendUnavailable' : kind, `${what}, so nothing was changed. Fix that and try again.`, { cause: error });
          taken.warnings.push(`${what}; this change cannot be undone from a snapshot.`);
        }
      }
      return taken;
    },

    /** `latchkey env snapshot`: a snapshot taken by hand, with an optional note. */
    async take(project: string, environment: string, options: { note?: string; signal?: AbortSignal } = {}): Promise<SnapshotSummary> {
      const { view, environmentId } = await open(project, environment);
      return summarize(await take(view, environmentId, 'manual', options));
    },

    async list(project: string, environment: string): Promise<SnapshotList> {
      const { view, environmentId } = await open(project, environment);
      const { snapshots, damaged } = await deps.store.list(environmentId);
      const interrupted = await interruptedOf(environmentId);
      return {
        project: view.project,
        environment: view.name,
        snapshots: snapshots.map(summarize).reverse(),
        pruned: (await deps.store.pruned(environmentId)).map((entry) => ({ ...entry, why_text: describePruneWhy(entry.why, retention) })).reverse(),
        damaged,
        retention,
        ...(interrupted === undefined ? {} : { interrupted }),
      };
    },

    /** What restoring to a snapshot or a moment would do, by key (no value): "compare with now". */
    async preview(project: string, environment: string, request: RestoreTargetRequest, options: { keys?: string[]; delete?: 'all-new' | string[]; signal?: AbortSignal } = {}): Promise<RestorePreview> {
      const { view, environmentId } = await open(project, environment);
      const target = await targetFor(view, environmentId, canonical(request), options.keys, options.signal);
      return previewOf(view, environmentId, target, options.delete ?? [], options.signal);
    },

    async restore(project: string, environment: string, asked: RestoreTargetRequest, options: RestoreOptions = {}): Promise<RestoreResult> {
      const request = canonical(asked);
      const { view, environmentId } = await open(project, environment);
      requireConfirmation([view], options.confirmation, `restoring ${project}/${environment} to ${describeTargetRequest(request)}`);
      const target = await targetFor(view, environmentId, request, options.keys, options.signal);
      return restoreEnvironment(
        {
          fingerprinter: deps.fingerprinter,
          logger: deps.logger,
          audit: deps.audit,
          store: deps.store,
          now: deps.now,
          snapshotBefore: () => take(view, environmentId, 'env.restore', { pinned: 'snapshot' in request ? [request.snapshot] : [] }),
        },
        {
          view,
          environmentId,
          target,
          request,
          ...(options.keys === undefined ? {} : { keys: options.keys }),
          delete: options.delete ?? [],
          ...(options.confirmation === undefined ? {} : { confirmation: options.confirmation }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
          action: 'env.restore',
        },
      );
    },

    /** Per environment of an incident: which stored-only secrets would get their value from before back. */
    async previewIncidentUndo(reportId: string, signal?: AbortSignal): Promise<IncidentUndoPreview> {
      const report = await deps.reports.open(reportId);
      const previews: RestorePreview[] = [];
      for (const { view, environmentId } of await incidentEnvironments(report)) {
        previews.push(await previewOf(view, environmentId, await incidentUndoTarget({ store: deps.store, audit: deps.audit }, report, view, environmentId), [], signal));
      }
      return { report_id: report.id, environments: previews, typeToConfirm: previews.filter((preview) => preview.protected).map((preview) => preview.environment) };
    },

    async undoIncident(reportId: string, options: Omit<RestoreOptions, 'keys' | 'delete' | 'onProgress'> & { onProgress?: (progress: RestoreProgress & { environment: string }) => void } = {}): Promise<IncidentUndoResult> {
      const report = await deps.reports.open(reportId);
      const environments = await incidentEnvironments(report);
      requireConfirmation(
        environments.map(({ view }) => view),
        options.confirmation,
        `undoing incident ${reportId}`,
      );
      const results: RestoreResult[] = [];
      for (const { view, environmentId } of environments) {
        const target = await incidentUndoTarget({ store: deps.store, audit: deps.audit }, report, view, environmentId);
        results.push(
          await restoreEnvironment(
            {
              fingerprinter: deps.fingerprinter,
              logger: deps.logger,
              audit: deps.audit,
              store: deps.store,
              now: deps.now,
              snapshotBefore: () => take(view, environmentId, 'incident.undo', { reportId }),
            },
            {
              view,
              environmentId,
              target,
              request: { incident: reportId },
              delete: [],
              // Confirmed above, for every environment at once.
              confirmation: { assumeYes: true },
              ...(options.signal === undefined ? {} : { signal: options.signal }),
              ...(options.onProgress === undefined ? {} : { onProgress: (progress: RestoreProgress) => options.onProgress?.({ ...progress, environment: view.name }) }),
              action: 'incident.undo',
              reportId,
            },
          ),
        );
      }
      return { report_id: report.id, environments: results };
    },

    /** Removes an environment's snapshots with the environment (its escrowed values must not outlive it). */
    forgetEnvironment: (environmentId: string) => deps.store.removeEnvironment(environmentId),
  };

  const incidentEnvironments = async (report: { items: { project: string; environment: string; status: string }[] }) => {
    const names = [...new Map(report.items.filter((item) => item.status === 'rotated').map((item) => [`${item.project}/${item.environment}`, item])).values()];
    return Promise.all(names.map((item) => open(item.project, item.environment)));
  };

  return service satisfies SnapshotsBeforeChange;
}

export type SnapshotService = ReturnType<typeof createSnapshotService>;
