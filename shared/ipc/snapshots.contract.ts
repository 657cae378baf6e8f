import { z } from 'zod';
import { REPORT_ID, SNAPSHOT_ID } from '../audit';
import { publicErrorSchema } from '../errors';
import { snapshotReasons } from '../snapshots';
import { call } from './entry';
import { environmentName, operationId, projectName, secretKey, timestamp } from './fields';

/**
 * Snapshots of an environment and restoring it — to a snapshot, or to a moment — and undoing an
 * incident. Previews and results name keys, versions and counts; no value ever crosses.
 */
const where = { project: projectName, environment: environmentName };
const snapshotId = z.string().regex(SNAPSHOT_ID, 'not a snapshot id');
const reportId = z.string().regex(REPORT_ID, 'not an incident report id');
const reason = z.enum(snapshotReasons);
/** One line, as the core accepts it. */
const note = z.string().regex(/^[^\p{Cc}]{0,200}$/u, 'a note is one line of at most 200 characters');
const typedNames = z.array(environmentName).max(100);

/** What to restore to: a snapshot, or a moment (ISO 8601 with its offset). */
export const restoreTarget = z.union([z.strictObject({ snapshot: snapshotId }), z.strictObject({ at: z.iso.datetime({ offset: true }) })]);
/** Keys created since the moment to delete: the ticked ones, or all of them. */
const deletions = z.union([z.literal('all-new'), z.array(secretKey).max(20_000)]);
const keyReason = z.object({ key: z.string().max(200), reason: z.string().max(1000) });

const summary = z.object({
  id: snapshotId,
  project: projectName,
  environment: environmentName,
  created_at: timestamp,
  reason,
  note: z.string().max(200).optional(),
  report_id: reportId.optional(),
  user: z.string().max(200),
  backend: z.string().max(20),
  keys: z.number().int(),
  escrowed: z.number().int(),
  unreadable: z.number().int(),
});

const interrupted = z.object({
  target: z.union([z.object({ snapshot: snapshotId }), z.object({ at: timestamp }), z.object({ incident: reportId })]),
  description: z.string().max(300),
  started_at: timestamp,
  before_snapshot_id: snapshotId,
  keys: z.array(secretKey).optional(),
  delete: deletions,
});

const targetDescription = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('snapshot'), snapshot_id: snapshotId, created_at: timestamp, reason, note: z.string().max(200).optional() }),
  z.object({ kind: z.literal('time'), at: timestamp, exact: z.boolean(), snapshot_id: snapshotId.optional() }),
  z.object({ kind: z.literal('incident'), report_id: reportId, snapshot_id: snapshotId.optional() }),
]);

export const restorePreview = z.object({
  project: projectName,
  environment: environmentName,
  protected: z.boolean(),
  target: targetDescription,
  items: z.array(
    z.object({
      key: secretKey,
      action: z.enum(['change', 'recreate', 'unchanged', 'new', 'unavailable']),
      source: z.enum(['snapshot', 'history', 'incident-report']).optional(),
      version: z.string().max(200).optional(),
      reason: z.string().max(1000).optional(),
    }),
  ),
  changed: z.array(secretKey),
  recreated: z.array(secretKey),
  unchanged: z.array(secretKey),
  created_since: z.array(secretKey),
  deleted: z.array(secretKey),
  unavailable: z.array(keyReason),
  left_out: z.array(keyReason),
  notes: z.array(z.string().max(2000)),
  typeToConfirm: z.array(environmentName),
  interrupted: interrupted.optional(),
});

export const restoreResult = z.object({
  project: projectName,
  environment: environmentName,
  target: targetDescription,
  status: z.enum(['completed', 'partial', 'cancelled']),
  before_snapshot_id: snapshotId,
  resumed: z.boolean(),
  changed: z.array(secretKey),
  recreated: z.array(secretKey),
  deleted: z.array(secretKey),
  unchanged: z.array(secretKey),
  kept_new: z.array(secretKey),
  unavailable: z.array(keyReason),
  left_out: z.array(keyReason),
  failed: z.array(z.object({ key: secretKey, error: publicErrorSchema })),
  items: z.array(
    z.object({
      key: secretKey,
      outcome: z.enum(['changed', 'recreated', 'deleted', 'unchanged', 'kept', 'unavailable', 'failed', 'cancelled']),
      version: z.string().max(200).optional(),
      reason: z.string().max(1000).optional(),
      error: publicErrorSchema.optional(),
    }),
  ),
  notes: z.array(z.string().max(2000)),
  warnings: z.array(z.string().max(1000)),
});

export const snapshotsContract = {
  /** Newest first, with the snapshots pruned by the retention rule (and why), and an interrupted restore. */
  list: call(
    z.strictObject(where),
    z.object({
      project: projectName,
      environment: environmentName,
      snapshots: z.array(summary),
      pruned: z.array(z.object({ id: snapshotId, created_at: timestamp, reason, note: z.string().max(200).optional(), pruned_at: timestamp, why: z.enum(['count', 'age']), why_text: z.string().max(200) })),
      damaged: z.array(z.string().max(200)),
      retention: z.object({ count: z.number().int(), days: z.number().int() }),
      interrupted: interrupted.optional(),
    }),
  ),
  take: call(z.strictObject({ ...where, note: note.optional() }), summary),
  /** "Compare with now": what a restore would do, by key. */
  preview: call(z.strictObject({ ...where, target: restoreTarget, keys: z.array(secretKey).min(1).max(20_000).optional(), delete: deletions.optional(), operationId: operationId.optional() }), restorePreview),
  /** Runs under operationId (progress, cancel); a protected environment needs its name typed. */
  restore: call(z.strictObject({ ...where, operationId, target: restoreTarget, keys: z.array(secretKey).min(1).max(20_000).optional(), delete: deletions, typedNames }), restoreResult),
  previewIncidentUndo: call(z.strictObject({ reportId }), z.object({ report_id: reportId, environments: z.array(restorePreview), typeToConfirm: z.array(environmentName) })),
  undoIncident: call(z.strictObject({ reportId, operationId, typedNames }), z.object({ report_id: reportId, environments: z.array(restoreResult) })),
};

export type SnapshotSummaryView = z.infer<typeof summary>;
export type RestorePreviewView = z.infer<typeof restorePreview>;
export type RestoreResultView = z.infer<typeof restoreResult>;
export type RestoreTargetView = z.infer<typeof restoreTarget>;
