/** The audit trail's vocabulary, shared by the core (which writes and checks entries) and the IPC contract (the Audit screen's filters). */
export const auditActions = [
  'secret.write',
  'secret.delete',
  'secret.restore',
  'secret.reveal',
  'secret.copy',
  'secret.rotate',
  'secret.rollback',
  /** A person said they rotated a secret by hand where it was issued (incident mode's "rotate these by hand"). */
  'secret.mark-rotated',
  'env.copy',
  'env.import',
  'env.export',
  'env.snapshot',
  'env.prune-snapshots',
  'env.restore',
  'import.mycelium',
  'env.run',
  'template.inject',
  'incident.run',
  'incident.undo',
  'session.revoke',
  'session.create',
  'session.extend',
  'session.index',
  'audit.reset',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** `started` is written before a change so that a crash in the middle still leaves a trace. */
export const auditOutcomes = ['started', 'ok', 'failed', 'partial', 'cancelled'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

/** An incident report's id: the UTC time it started, then 8 random hex digits. */
export const REPORT_ID = /^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$/;
/** Snapshots of an environment are named like incident reports: the UTC time they were taken, then 8 random hex digits. */
export const SNAPSHOT_ID = REPORT_ID;
