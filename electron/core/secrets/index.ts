/**
 * Secrets, references, backends and connections (docs/ARCHITECTURE.md, "Core areas"): what the IPC
 * handlers and the CLI use. Everything else in this folder is internal to core.
 */
export { describeBinding, summarizeEnvironment } from './environment-binding';
export { connectionFromEnvironment } from './connections/connection-from-environment';
export type { ConnectionSummary } from './connections/connections-service';
export type { ConnectionCheck, ConnectionTestReport } from './test-connection';
export { MAX_VALUE_BYTES } from './value-limits';
