import { runBounded } from '../async/bounded-pool';
import type { AuditLog } from '../audit/audit-log';
import type { EnvironmentView } from '../environments/environment-view';
import type { Logger } from '../log';
import { describeError } from '../log';
import type { SecretBackend, SecretDescription, SecretVersionInfo } from '../secrets/backend';
import { parseRef } from '../secrets/reference';
import { readVersion, shortVersion, targetFromSnapshot, type KeyTarget, type RestoreTarget } from './restore-target';
import type { OpenedSnapshot, SnapshotStore } from './snapshot-store';

/**
 * The state of an environment at a moment `at`, key by key, from two sources:
 *  - exact: the backend's version history (local store, Vault, AWS, Google, Azure), when it reaches
 *    back to `at` — the version current then is the newest one written at or before `at`; a key whose
 *    whole history starts after `at` did not exist then;
 *  - best effort: the newest snapshot taken at or before `at`, for keys whose history does not reach
 *    back (pruned versions, a key deleted since) and for backends without history (keychain,
 *    environment variables). Changes between that snapshot and `at` are not in it; the audit log says
 *    which keys were deleted in between (they stay deleted) and which were changed (the preview says so).
 * A key whose last change in the audit log before `at` was a delete did not exist then.
 * The preview names the source of every key and whether the whole is exact.
 */
const CHANGES = new Set(['secret.write', 'secret.rotate', 'secret.rollback', 'secret.restore']);

export interface PointInTimeDeps {
  store: SnapshotStore;
  audit: Pick<AuditLog, 'query'>;
  logger?: Logger;
  /** Describe calls in flight at once (default 8). */
  concurrency?: number;
}

export async function targetAtTime(deps: PointInTimeDeps, view: EnvironmentView, environmentId: string, at: Date, options: { keys?: string[]; signal?: AbortSignal } = {}): Promise<RestoreTarget> {
  const { snapshots } = await deps.store.list(environmentId);
  const baseFile = snapshots.filter((snapshot) => Date.parse(snapshot.created_at) <= at.getTime()).at(-1);
  const base: OpenedSnapshot | undefined = baseFile === undefined ? undefined : await deps.store.open(environmentId, baseFile.id);
  const fromBase = base === undefined ? undefined : await targetFromSnapshot(base, view.backend, (key) => parseRef(view.refFor(key)).path);
  const listed = new Map((await view.list(options.signal)).map((secret) => [secret.key, secret.ref]));
  const wanted = options.keys === undefined ? undefined : new Set(options.keys);
  const keys = [...new Set([...listed.keys(), ...(fromBase?.keys.keys() ?? [])])].filter((key) => wanted === undefined || wanted.has(key)).sort();
  for (const key of wanted ?? []) if (!keys.includes(key)) keys.push(key);

  // From the audit log up to the moment: which keys stood deleted at `at` (their last change was a
  // delete), and, between the snapshot and `at`, which were deleted (they stay deleted) or changed.
  const recorded = await deps.audit.query({ until: at, limit: 100_000 });
  const refToKey = new Map(keys.map((key) => [listed.get(key) ?? view.refFor(key), key]));
  const deletedAt = new Set<string>();
  const deletedBetween = new Set<string>();
  const changedBetween = new Set<string>();
  const since = baseFile === undefined ? Number.POSITIVE_INFINITY : Date.parse(baseFile.created_at);
  for (const entry of recorded) {
    const key = entry.ref === undefined ? undefined : refToKey.get(entry.ref);
    if (key === undefined || entry.outcome !== 'ok') continue;
    const between = Date.parse(entry.time) >= since;
    if (entry.action === 'secret.delete') {
      deletedAt.add(key);
      if (between) deletedBetween.add(key);
      changedBetween.delete(key);
    } else if (CHANGES.has(entry.action)) {
      deletedAt.delete(key);
      deletedBetween.delete(key);
      if (between) changedBetween.add(key);
    }
  }

  const targets = new Map<string, KeyTarget>();
  const fromSnapshot: string[] = [];
  const snapshotTarget = (key: string): KeyTarget | undefined => {
    if (fromBase === undefined) return undefined;
    if (deletedBetween.has(key)) return { kind: 'absent', source: 'snapshot' };
    const recorded = fromBase.keys.get(key) ?? { kind: 'absent', source: 'snapshot' };
    if (recorded.kind !== 'unavailable') fromSnapshot.push(key);
    return recorded;
  };
  const noHistory = (key: string, why: string): KeyTarget => snapshotTarget(key) ?? { kind: 'unavailable', reason: `${why}, and no snapshot was taken before ${at.toISOString()}` };

  await runBounded(
    keys,
    deps.concurrency ?? 8,
    async (key) => {
      const ref = listed.get(key);
      if (!view.backend.capabilities.versions) {
        targets.set(key, noHistory(key, `${view.backend.scheme} keeps no history`));
        return;
      }
      if (ref === undefined) {
        // Deleted since (or never there): only a snapshot knows its value then.
        targets.set(key, deletedAt.has(key) ? { kind: 'absent', source: 'history' } : (snapshotTarget(key) ?? { kind: 'absent', source: 'history' }));
        return;
      }
      if (deletedAt.has(key)) {
        targets.set(key, { kind: 'absent', source: 'history' });
        return;
      }
      const path = parseRef(ref).path;
      let description: SecretDescription;
      try {
        description = await view.backend.describe(path);
      } catch (error) {
        deps.logger?.warn('point in time: history unreadable', { ref, error: describeError(error) });
        targets.set(key, noHistory(key, 'its version history could not be read'));
        return;
      }
      // A key the snapshot holds may have been deleted and created again since: the snapshot knows better than a history that starts after `at`.
      targets.set(
        key,
        fromHistory(view.backend, path, key, description, at) ??
          (fromBase?.keys.has(key) === true ? snapshotTarget(key) : undefined) ??
          createdAfter(description, at) ??
          snapshotTarget(key) ?? { kind: 'unavailable', reason: `its version history does not reach back to ${at.toISOString()}` },
      );
    },
    options.signal,
  );
  options.signal?.throwIfAborted();

  const when = baseFile === undefined ? '' : `snapshot ${baseFile.id} (taken ${baseFile.created_at})`;
  const changedSince = fromSnapshot.filter((key) => changedBetween.has(key));
  const notes = [
    fromSnapshot.length === 0
      ? `Exact: every value comes from the backend's version history at ${at.toISOString()}.`
      : `Best effort: ${fromSnapshot.length} key(s) (${fromSnapshot.slice(0, 10).join(', ')}${fromSnapshot.length > 10 ? ', …' : ''}) come from ${when}, because the backend's history of them does not reach back to ${at.toISOString()}.`,
    ...(changedSince.length === 0 ? [] : [`${changedSince.join(', ')} changed between ${when} and ${at.toISOString()}; they are restored to their value at the snapshot.`]),
    ...(deletedBetween.size === 0 ? [] : [`${[...deletedBetween].join(', ')} were deleted between ${when} and ${at.toISOString()}, so they are not recreated.`]),
  ];
  return {
    description: { kind: 'time', at: at.toISOString(), exact: fromSnapshot.length === 0, ...(baseFile === undefined ? {} : { snapshot_id: baseFile.id }) },
    keys: targets,
    wholeEnvironment: wanted === undefined,
    leftOut: [],
    notes,
  };
}

/** The version current at `at`, when the kept history reaches back that far. */
function fromHistory(backend: SecretBackend, path: string, key: string, description: SecretDescription, at: Date): KeyTarget | undefined {
  const dated = description.versions.filter((version): version is SecretVersionInfo & { createdAt: string } => version.createdAt !== undefined && !Number.isNaN(Date.parse(version.createdAt)));
  const then = dated.filter((version) => Date.parse(version.createdAt) <= at.getTime()).sort(newestLast).at(-1);
  if (then === undefined) return undefined;
  if (then.state !== 'enabled') return { kind: 'unavailable', reason: `version ${shortVersion(then.version)}, current at ${at.toISOString()}, is ${then.state} now` };
  return { kind: 'value', source: 'history', version: then.version, read: () => readVersion(backend, path, then.version, key) };
}

/** A key whose history is whole (it starts at version 1, or at the secret's creation) and starts after `at` did not exist then. */
function createdAfter(description: SecretDescription, at: Date): KeyTarget | undefined {
  const created = description.createdAt === undefined ? Number.NaN : Date.parse(description.createdAt);
  const whole = description.versions.some((version) => version.version === '1') || !Number.isNaN(created);
  const startsAfter = !Number.isNaN(created) ? created > at.getTime() : description.versions.every((version) => version.createdAt !== undefined && Date.parse(version.createdAt) > at.getTime());
  return whole && startsAfter ? { kind: 'absent', source: 'history' } : undefined;
}

function newestLast(a: SecretVersionInfo & { createdAt: string }, b: SecretVersionInfo & { createdAt: string }): number {
  const byTime = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  if (byTime !== 0) return byTime;
  return /^\d+$/.test(a.version) && /^\d+$/.test(b.version) ? Number(a.version) - Number(b.version) : 0;
}
