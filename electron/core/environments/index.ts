/**
 * Environments (docs/ARCHITECTURE.md, "Core areas"): what the IPC handlers and the CLI use. Everything
 * else in this folder is internal to core.
 */
export type { Confirmation } from './confirmation';
export type { EnvironmentView } from './environment-view';
export { diffEnvironments } from './diff';
export type { CompareDeps, EnvironmentDiff } from './diff';
export { openRef, pinnedTo } from './resolve-backend';
export type { ResolveBackend } from './resolve-backend';
