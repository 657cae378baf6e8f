import { runBounded } from '../async/bounded-pool';
import type { AuditLog } from '../audit/audit-log';
import type { EnvironmentView } from '../environments/environment-view';
import { readIfPresent } from '../environments/put-secret';
import { LatchkeyError } from '../errors';
import type { ReportItem, IncidentReport } from '../../../shared/incident-report';
import { parseRef } from '../secrets/reference';
import { readVersion, shortVersion, type KeyTarget, type RestoreTarget } from './restore-target';
import type { OpenedSnapshot, SnapshotStore } from './snapshot-store';

/**
 * Undoing an incident puts back, in one environment, the value each secret had before the incident —
 * only for secrets whose value was stored only (rotated in the store, nothing changed at a service).
 * A credential the incident changed at its service (a rotator set a new password there: the report
 * item carries `changed_at`) is never put back: the old value may be the one that leaked, and the
 * service no longer accepts it anyway. Neither is a secret changed or deleted since the incident.
 */
export interface UndoDeps {
  store: SnapshotStore;
  audit: Pick<AuditLog, 'query'>;
}

/**
 * Why a rotated item of a report is not undone; undefined when it is stored-only and may be. A rotator
 * records where it changed the credential in the item's `changed_at` (the service's name); an item
 * without it changed the stored copy only.
 */
export function whyNotUndone(item: ReportItem): string | undefined {
  const changedAt = (item as ReportItem & { changed_at?: unknown }).changed_at;
  if (typeof changedAt === 'string') {
    return `its credential was changed at ${changedAt}; the old value may be the one that leaked, so it is not put back`;
  }
  return undefined;
}

const CHANGES = ['secret.write', 'secret.rotate', 'secret.rollback', 'secret.restore', 'secret.delete'] as const;

export async function incidentUndoTarget(deps: UndoDeps, report: IncidentReport, view: EnvironmentView, environmentId: string): Promise<RestoreTarget> {
  const items = report.items.filter((item) => item.project === view.project && item.environment === view.name && item.status === 'rotated');
  const snapshotFile = (await deps.store.list(environmentId)).snapshots.find((snapshot) => snapshot.report_id === report.id);
  const snapshot: OpenedSnapshot | undefined = snapshotFile === undefined ? undefined : await deps.store.open(environmentId, snapshotFile.id);
  let escrowed: Map<string, string> | undefined;
  const recorded = new Map((snapshot?.file.keys ?? []).map((key) => [key.key, key]));
  const finished = items.map((item) => item.finished_at).filter((time): time is string => time !== undefined).sort()[0] ?? report.created_at;
  // Changes made since the incident by anything but this incident (and its earlier undo runs).
  const later = (await deps.audit.query({ since: new Date(finished), actions: [...CHANGES], outcomes: ['ok'], limit: 100_000 })).filter((entry) => entry.report_id !== report.id);

  const keys = new Map<string, KeyTarget>();
  const leftOut: { key: string; reason: string }[] = [];
  const targetOf = (item: ReportItem, path: string): KeyTarget => {
    const kept = recorded.get(item.key);
    if (kept?.escrowed === true) {
      return {
        kind: 'value',
        source: 'snapshot',
        read: async () => {
          escrowed ??= await (snapshot as OpenedSnapshot).values();
          const value = escrowed.get(item.key);
          if (value === undefined) throw new LatchkeyError('InvalidInput', `the snapshot's escrow has no value for ${item.key}`);
          return value;
        },
      };
    }
    const version = item.previous_version !== undefined && view.backend.capabilities.versions ? item.previous_version : kept?.version;
    if (version === undefined) return { kind: 'unavailable', reason: 'Latchkey kept no value of it from before the incident (its backend keeps no versions and no snapshot was taken)' };
    return { kind: 'value', source: version === item.previous_version ? 'incident-report' : 'snapshot', version, read: () => readVersion(view.backend, path, version, item.key) };
  };

  await runBounded(items, 8, async (item) => {
    const refused = whyNotUndone(item);
    if (refused !== undefined) {
      leftOut.push({ key: item.key, reason: refused });
      return;
    }
    const path = parseRef(item.ref).path;
    const aim = targetOf(item, path);
    if (aim.kind !== 'value') {
      keys.set(item.key, aim);
      return;
    }
    // Changed or deleted since the incident: left alone, unless it already holds the value from before (an earlier undo).
    const current = await readIfPresent(view.backend, path).catch(() => undefined);
    if (current === undefined) {
      leftOut.push({ key: item.key, reason: 'it was deleted (or cannot be read) since the incident' });
      return;
    }
    const finished = item.finished_at ?? report.created_at;
    const changedSince =
      item.version !== undefined && current.version !== undefined
        ? current.version === item.version
          ? undefined
          : `now at version ${shortVersion(current.version)}, the incident wrote ${shortVersion(item.version)}`
        : later.find((entry) => entry.ref === item.ref && entry.time > finished)?.time;
    if (changedSince !== undefined && (await aim.read().catch(() => undefined)) !== current.value) {
      leftOut.push({ key: item.key, reason: `it was changed since the incident (${changedSince}); restore it from its history if you mean to` });
      return;
    }
    keys.set(item.key, aim);
  });
  leftOut.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    description: { kind: 'incident', report_id: report.id, ...(snapshotFile === undefined ? {} : { snapshot_id: snapshotFile.id }) },
    keys,
    wholeEnvironment: false,
    leftOut,
    notes: snapshotFile === undefined ? ['No snapshot was taken before this incident: values come from the versions its report recorded.'] : [],
  };
}
