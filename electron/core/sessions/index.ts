/**
 * Session administration on the HandsFree server's Redis data (docs/ARCHITECTURE.md, "Compatibility with the systems Latchkey came from"): what
 * createCore, the IPC handlers and the CLI use. Everything else in this folder is internal.
 */
export { SessionStore, createSessionStore, DEFAULT_TTL_HOURS, missingMessage } from './store';
export type { SessionStoreOptions, CreatedSession, ValidationResult, InvalidReason, RevokeResult, ExtendResult } from './store';
export { openSessionRedis, parseSessionServer, sessionServerFromUrl, sessionServerSchema, REDIS_PASSWORD_SERVICE } from './connection';
export type { SessionRedis, SessionRedisDeps, SessionServerConfig, SessionServerInput } from './connection';
export type { LookupStrategy, BulkRevocationOptions, BulkRevocationProgress, BulkRevocationResult } from './bulk-revocation';
export { METADATA_FILTER_FIELDS } from './queries';
export type { SessionList, SessionPage, StreamBatch, OwnerQueryOptions, MetadataFilterField } from './queries';
export { parseSessionFilter, parseWhere, parseFilterTime, filterFromCriteria, sessionFilterSchema, isEmptyFilter, matchesFilter } from './filter';
export type { SessionFilter } from './filter';
export type { FilterPreview, FilterRevocationProgress, FilterRevocationResult, FilterRevocationOptions } from './filter-revocation';
export type { WalkMode } from './context';
export type { Session, SessionProblem, ScanProgress, ScanOptions } from './scan';
export type { SessionRecord, SessionMetadata } from './record';
export type { SessionStats } from './analytics';
export type { SharedStats, SharedStatsOptions } from './shared-stats';
export type { SampledStats, Estimate, EstimateOptions } from './sampled-stats';
export { DEFAULT_SAMPLE, MIN_SAMPLE, MAX_SAMPLE, DEFAULT_SAMPLE_ABOVE_KEYS } from './sampled-stats';
export { refreshIntervalMs, REFRESH_FACTOR } from './shared-stats';
export type { HourCount } from './failed-validations';
export type { IndexingResult } from './indexes';
export type { SessionAuditEvent, SessionAuditKind, AuditSink } from './audit';
export { DEFAULT_PREFIX } from './keys';
export { shortSessionId } from './tokens';
export { csvHeader, csvRow, csvCell, CSV_COLUMNS } from './export-format';
export type { SessionOutput } from './export-format';
export { createSessionSchema, userIdSchema, deviceIdSchema, hoursSchema, metadataSchema, MAX_TTL_HOURS } from './session-input';
export type { CreateSessionInput, SessionSelector } from './session-input';
export { createSessionStores } from './session-stores';
export type { SessionStores, SessionStoresDeps } from './session-stores';
export type { SessionServerSettings, SessionServerView, SaveSessionServer } from './session-servers';
export type { ServerTestResult } from './server-test';
export type { SessionQuery, SearchProgress, SearchOptions } from './session-search';
export type { RowPage, ResultSummary } from './result-sets';
export type { SessionRow, SessionDetail, RowSort, RowSortField } from '../../../shared/sessions';
export { MAX_PAGE_ROWS, sessionRow, sessionDetail } from './result-sets';
export type { OwnerSummary, OwnerCount } from './owner-summary';
export { recordSessionAudit, sessionAuditEntry, auditIdentifier, auditTargetRef } from './audit-trail';
