/**
 * Why a snapshot of an environment was taken: by hand, or before one of the bulk changes. Shared by the
 * core (which records it) and the app (which shows it).
 */
export const snapshotReasons = ['manual', 'env.import', 'import.mycelium', 'env.copy', 'incident', 'rotate.due', 'env.restore', 'incident.undo'] as const;
export type SnapshotReason = (typeof snapshotReasons)[number];

export const SNAPSHOT_REASON_LABELS: Record<SnapshotReason, string> = {
  manual: 'taken by hand',
  'env.import': 'before a .env import',
  'import.mycelium': 'before a Mycelium import',
  'env.copy': 'before a copy between environments',
  incident: 'before an incident rotation',
  'rotate.due': 'before rotate --due',
  'env.restore': 'before a restore',
  'incident.undo': 'before an incident undo',
};
