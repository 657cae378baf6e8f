/**
 * Which snapshots of an environment are kept. The rule (README, "Snapshots and restore"): an
 * environment keeps its newest 50 snapshots, and none older than 90 days — except that the newest one
 * is always kept, and so is any snapshot an interrupted restore still needs. Pruning runs when a
 * snapshot is taken; each pruned snapshot is named in the list afterwards with the reason, and audited.
 */
export const SNAPSHOT_RETENTION = { count: 50, days: 90 } as const;

export type PruneWhy = 'count' | 'age';

export interface PruneCandidate {
  id: string;
  created_at: string;
}

export interface PruneDecision {
  id: string;
  why: PruneWhy;
}

export function snapshotsToPrune(
  snapshots: PruneCandidate[],
  now: Date,
  options: { retention?: { count: number; days: number }; pinned?: ReadonlySet<string> } = {},
): PruneDecision[] {
  const retention = options.retention ?? SNAPSHOT_RETENTION;
  const oldestKept = now.getTime() - retention.days * 24 * 60 * 60 * 1000;
  const newestFirst = [...snapshots].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || (a.id < b.id ? 1 : -1));
  const decisions: PruneDecision[] = [];
  newestFirst.forEach((snapshot, index) => {
    if (index === 0 || options.pinned?.has(snapshot.id) === true) return;
    if (index >= retention.count) decisions.push({ id: snapshot.id, why: 'count' });
    else if (Date.parse(snapshot.created_at) < oldestKept) decisions.push({ id: snapshot.id, why: 'age' });
  });
  return decisions;
}

export function describePruneWhy(why: PruneWhy, retention: { count: number; days: number } = SNAPSHOT_RETENTION): string {
  return why === 'count' ? `more than ${retention.count} newer snapshots` : `older than ${retention.days} days`;
}
