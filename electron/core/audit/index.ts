/** The hash-chained audit log (docs/ARCHITECTURE.md, "Core areas"): what main and the CLI use. Everything else in this folder is internal to core. */
export { RESET_ADVICE, type AuditLog, type AuditQuery, type AuditReset } from './audit-log';
export type { AuditPage, AuditPageQuery } from './audit-page';
export type { AuditEntry } from './entry';
export type { AuditVerification } from './verify';
