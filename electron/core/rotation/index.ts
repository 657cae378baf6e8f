/**
 * Rotation, rollback and incidents (docs/ARCHITECTURE.md, "Core areas"): what the IPC handlers and the
 * CLI use. Everything else in this folder is internal to core.
 */
export { isDueItem, listDue } from './due';
export { markRotatedByHand, resumeIncident, runIncident } from './incident';
export type { IncidentDeps, IncidentProgress } from './incident';
export { countItems } from './incident-report';
export type { IncidentReport, ItemStatus } from '../../../shared/incident-report';
export { decodePolicy } from './policy';
export { rollbackSecret } from './rollback-secret';
export { rotateSecret } from './rotate-secret';
export type { RotationDeps } from './rotate-secret';
export type { RotationResult } from './rotation-result';
export type { RotationClass } from './rotation-rule';
export { throwIfFailed } from './rotation-service';
export type { SessionRevocationPlan } from './session-revocation';
