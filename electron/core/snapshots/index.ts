/** Snapshots and restores of an environment (docs/ARCHITECTURE.md, "Core areas"): what main and the CLI use. Everything else in this folder is internal to core. */
export type { RestoreProgress, RestoreResult } from './restore-environment';
export type { RestoreTargetRequest } from './restore-journal';
export type { TargetDescription } from './restore-target';
export { SNAPSHOT_REASON_LABELS, type SnapshotSummary } from './snapshot-record';
export type { IncidentUndoPreview, IncidentUndoResult, RestorePreview, SnapshotList } from './snapshot-service';
