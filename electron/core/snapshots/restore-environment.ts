import type { PublicError } from '../../../shared/errors';
import { runBounded } from '../async/bounded-pool';
import type { AuditSink } from '../audit/audit-log';
import type { AuditEvent } from '../audit/entry';
import { appendStarted } from '../environments/audit-started';
import { requireConfirmation, type Confirmation } from '../environments/confirmation';
import type { EnvironmentView } from '../environments/environment-view';
import { putSecret } from '../environments/put-secret';
import { isLatchkeyError, LatchkeyError, toPublicError } from '../errors';
import { describeError } from '../log';
import { parseRef } from '../secrets/reference';
import { describeTargetRequest, newJournal, sameRestore, type RestoreTargetRequest } from './restore-journal';
import { planRestore, undeletes, type PlanDeps, type PlannedKey } from './restore-plan';
import type { RestoreTarget, TargetDescription } from './restore-target';
import type { SnapshotFile } from './snapshot-record';
import type { SnapshotStore } from './snapshot-store';

/**
 * Applying a restore: a snapshot of the environment first (so the restore itself can be undone), the
 * journal, then every planned key written as a new version (history is never rewritten), recreated,
 * or — only when ticked — deleted, with bounded concurrency, progress, one audit entry per key and a
 * report. A key that fails, or whose value from then is gone, is reported on its own; the rest go on.
 */
export interface RestoreDeps extends PlanDeps {
  audit: AuditSink;
  store: SnapshotStore;
  now: () => Date;
  /** Takes the snapshot that undoes this restore. */
  snapshotBefore(): Promise<SnapshotFile>;
}

export interface RestoreProgress {
  done: number;
  total: number;
  key?: string;
  outcome?: RestoreItem['outcome'];
}

export interface RestoreRequest {
  view: EnvironmentView;
  environmentId: string;
  target: RestoreTarget;
  /** What was asked, as the journal keeps it (a re-run with the same request resumes). */
  request: RestoreTargetRequest;
  keys?: string[];
  /** Keys created since the moment to delete: the ticked ones, or every one. */
  delete: 'all-new' | string[];
  confirmation?: Confirmation;
  signal?: AbortSignal;
  onProgress?: (progress: RestoreProgress) => void;
  concurrency?: number;
  /** How the run is audited: a restore, or an incident's undo. */
  action: 'env.restore' | 'incident.undo';
  reportId?: string;
}

export type RestoreOutcome = 'changed' | 'recreated' | 'deleted' | 'unchanged' | 'kept' | 'unavailable' | 'failed' | 'cancelled';

export interface RestoreItem {
  key: string;
  outcome: RestoreOutcome;
  /** The version written (changed, recreated). */
  version?: string;
  reason?: string;
  error?: PublicError;
}

export interface RestoreResult {
  project: string;
  environment: string;
  target: TargetDescription;
  status: 'completed' | 'partial' | 'cancelled';
  /** The snapshot taken just before: restoring it undoes this restore. */
  before_snapshot_id: string;
  /** This run finished one that was interrupted (same request, same snapshot before). */
  resumed: boolean;
  changed: string[];
  recreated: string[];
  deleted: string[];
  unchanged: string[];
  /** Created since the moment and not ticked: left as they are. */
  kept_new: string[];
  unavailable: { key: string; reason: string }[];
  left_out: { key: string; reason: string }[];
  failed: { key: string; error: PublicError }[];
  items: RestoreItem[];
  notes: string[];
  warnings: string[];
}

export async function restoreEnvironment(deps: RestoreDeps, request: RestoreRequest): Promise<RestoreResult> {
  const { view } = request;
  requireConfirmation([view], request.confirmation, `restoring ${view.project}/${view.name} to ${describeTargetRequest(request.request)}`);
  return deps.store.withLock(request.environmentId, 'restore', async () => {
    const wanted = { target: request.request, ...(request.keys === undefined ? {} : { keys: request.keys }), delete: request.delete };
    const pending = await deps.store.journal(request.environmentId);
    const resumed = pending !== undefined && sameRestore(pending, wanted) && (await beforeSnapshotKept(deps.store, request.environmentId, pending.before_snapshot_id));
    const before = resumed ? pending.before_snapshot_id : (await snapshotBeforeOrRefuse(deps)).id;
    await deps.store.writeJournal(request.environmentId, newJournal({ ...wanted, before_snapshot_id: before }, deps.now()));

    const context: Omit<AuditEvent, 'action' | 'outcome'> = {
      project: view.project,
      environment: view.name,
      ...snapshotIdOf(request.target.description),
      ...(request.reportId === undefined ? {} : { report_id: request.reportId }),
    };
    const plan = await planRestore(deps, view, request.target, { keepValues: true, ...(request.signal === undefined ? {} : { signal: request.signal }) });
    const deleting = (item: PlannedKey) => item.action === 'new' && (request.delete === 'all-new' || request.delete.includes(item.key));
    const work = plan.filter((item) => item.action === 'change' || item.action === 'recreate' || deleting(item));
    await appendStarted(deps.audit, { action: request.action, ...context, counts: { total: work.length } });

    const outcomes = new Map<string, RestoreItem>();
    for (const item of plan) {
      if (item.action === 'unchanged') outcomes.set(item.key, { key: item.key, outcome: 'unchanged' });
      if (item.action === 'new' && !deleting(item)) outcomes.set(item.key, { key: item.key, outcome: 'kept' });
      if (item.action === 'unavailable') outcomes.set(item.key, { key: item.key, outcome: 'unavailable', ...(item.reason === undefined ? {} : { reason: item.reason }) });
    }
    const progress: RestoreProgress = { done: 0, total: work.length };
    request.onProgress?.({ ...progress });
    await runBounded(
      work,
      request.concurrency ?? 4,
      async (item) => {
        const done = await applyOne(deps, view, item, deleting(item), context);
        outcomes.set(item.key, done);
        progress.done += 1;
        request.onProgress?.({ ...progress, key: item.key, outcome: done.outcome });
      },
      request.signal,
    );
    for (const item of work) if (!outcomes.has(item.key)) outcomes.set(item.key, { key: item.key, outcome: 'cancelled' });
    dropValues(plan);

    const cancelled = request.signal?.aborted === true;
    // A cancelled restore keeps its journal: the next run with the same request finishes it.
    const warnings: string[] = [];
    if (!cancelled) await deps.store.clearJournal(request.environmentId).catch((error: unknown) => warnings.push(`The restore journal could not be removed (${toPublicError(error).message}).`));
    const result = summarizeRun(view, request.target, plan, outcomes, { before, resumed, cancelled, warnings });
    await deps.audit
      .append({
        action: request.action,
        outcome: result.status === 'completed' ? 'ok' : result.status === 'cancelled' ? 'cancelled' : result.failed.length === work.length && work.length > 0 ? 'failed' : 'partial',
        ...context,
        counts: { total: work.length, changed: result.changed.length, recreated: result.recreated.length, deleted: result.deleted.length, unchanged: result.unchanged.length, failed: result.failed.length, skipped: result.unavailable.length },
      })
      .catch((error: unknown) => warnings.push(`The audit entry closing this restore could not be written (${toPublicError(error).message}).`));
    return result;
  });
}

async function applyOne(deps: RestoreDeps, view: EnvironmentView, item: PlannedKey, deleting: boolean, context: Omit<AuditEvent, 'action' | 'outcome'>): Promise<RestoreItem> {
  const path = parseRef(item.ref).path;
  let result: RestoreItem;
  try {
    if (deleting) {
      await view.backend.delete(path);
      result = { key: item.key, outcome: 'deleted' };
    } else {
      // A key deleted softly (Vault, AWS, Azure) comes back through the backend's undelete, then gets the value from then.
      const undeleted = item.action === 'recreate' && (await undelete(view, path));
      const value = item.value ?? (await (item.read as () => Promise<string>)());
      const put = await putSecret(view.backend, path, value, {
        overwrite: item.action === 'change' || undeleted,
        ref: item.ref,
        ...(item.action === 'recreate' && item.metadata !== undefined ? { metadata: item.metadata } : {}),
      });
      if (put.action === 'skipped') throw new LatchkeyError('Conflict', `${item.key} was created again by someone else since the preview, so it was left as it is.`);
      // An undeleted key that already holds the value from then was recreated by the undelete itself.
      const outcome = item.action === 'recreate' ? (put.action === 'unchanged' && !undeleted ? 'unchanged' : 'recreated') : put.action === 'unchanged' ? 'unchanged' : 'changed';
      result = { key: item.key, outcome, ...(put.version === undefined ? {} : { version: put.version }) };
    }
  } catch (error) {
    deps.logger?.warn('restore of one key failed', { ref: item.ref, error: describeError(error) });
    result = { key: item.key, outcome: 'failed', error: toPublicError(error) };
  }
  if (result.outcome !== 'unchanged') {
    await deps.audit
      .append({
        action: deleting ? 'secret.delete' : 'secret.restore',
        outcome: result.outcome === 'failed' ? 'failed' : 'ok',
        ref: item.ref,
        ...context,
        ...(result.version === undefined || !VERSION_ID.test(result.version) ? {} : { version: result.version }),
        ...(item.currentVersion === undefined || !VERSION_ID.test(item.currentVersion) ? {} : { previous_version: item.currentVersion }),
        ...(result.error === undefined ? {} : { error_kind: result.error.kind }),
      })
      .catch((error: unknown) => deps.logger?.error('audit entry of a restored key could not be written', { ref: item.ref, error: describeError(error) }));
  }
  return result;
}

const VERSION_ID = /^[A-Za-z0-9._:+/=-]{1,200}$/;

/** true when the backend brought a soft-deleted secret back; false when there was nothing to undelete. */
async function undelete(view: EnvironmentView, path: string): Promise<boolean> {
  if (!undeletes(view)) return false;
  try {
    await view.backend.restore?.(path);
    return true;
  } catch (error) {
    if (isLatchkeyError(error) && (error.kind === 'NotFound' || error.kind === 'Conflict')) return false;
    throw error;
  }
}

/** Values held for writing are dropped as soon as the writes are done. */
function dropValues(plan: PlannedKey[]): void {
  for (const item of plan) {
    delete item.value;
    delete item.read;
  }
}

function summarizeRun(
  view: EnvironmentView,
  target: RestoreTarget,
  plan: PlannedKey[],
  outcomes: Map<string, RestoreItem>,
  run: { before: string; resumed: boolean; cancelled: boolean; warnings: string[] },
): RestoreResult {
  const items = plan.map((item) => outcomes.get(item.key) as RestoreItem);
  const keysWith = (outcome: RestoreOutcome) => items.filter((item) => item.outcome === outcome).map((item) => item.key);
  const failed = items.flatMap((item) => (item.outcome === 'failed' && item.error !== undefined ? [{ key: item.key, error: item.error }] : []));
  const unavailable = items.flatMap((item) => (item.outcome === 'unavailable' ? [{ key: item.key, reason: item.reason ?? 'not available' }] : []));
  const left = failed.length + unavailable.length + keysWith('cancelled').length;
  return {
    project: view.project,
    environment: view.name,
    target: target.description,
    status: run.cancelled ? 'cancelled' : left === 0 ? 'completed' : 'partial',
    before_snapshot_id: run.before,
    resumed: run.resumed,
    changed: keysWith('changed'),
    recreated: keysWith('recreated'),
    deleted: keysWith('deleted'),
    unchanged: keysWith('unchanged'),
    kept_new: keysWith('kept'),
    unavailable,
    left_out: target.leftOut,
    failed,
    items,
    notes: target.notes,
    warnings: run.warnings,
  };
}

async function snapshotBeforeOrRefuse(deps: RestoreDeps): Promise<SnapshotFile> {
  try {
    return await deps.snapshotBefore();
  } catch (error) {
    const { kind, message } = toPublicError(error);
    throw new LatchkeyError(kind === 'Internal' ? 'BackendUnavailable' : kind, `Nothing was restored: the snapshot that would undo this restore could not be taken (${message.replace(/\.$/, '')}).`, { cause: error });
  }
}

async function beforeSnapshotKept(store: SnapshotStore, environmentId: string, id: string): Promise<boolean> {
  return store.open(environmentId, id).then(
    () => true,
    () => false,
  );
}

function snapshotIdOf(description: TargetDescription): { snapshot_id?: string } {
  if (description.kind === 'snapshot') return { snapshot_id: description.snapshot_id };
  return description.snapshot_id === undefined ? {} : { snapshot_id: description.snapshot_id };
}
