import type { EnvironmentView } from '../environments/environment-view';
import type { SnapshotReason } from './snapshot-record';

/**
 * The hook every bulk change calls before it writes (a .env or Mycelium import, a copy between
 * environments, an incident, `rotate --due`): one snapshot per environment it is about to change.
 * `required`: when a snapshot cannot be taken, the change is refused and nothing is written (imports,
 * copies). Without it the change goes on and the warning says there is no snapshot (incidents and
 * `rotate --due` must not be held up; their rotations keep the previous versions anyway).
 */
export interface SnapshotsBeforeChange {
  before(environments: EnvironmentView[], reason: SnapshotReason, options?: { required?: boolean; reportId?: string }): Promise<TakenBefore>;
}

export interface TakenBefore {
  snapshots: { project: string; environment: string; id: string }[];
  warnings: string[];
}
