import type { Core } from '../../core';
import type { IncidentProgress, ItemStatus } from '../../core/rotation';
import type { Handlers } from '../ipc/router';
import type { Emit, Operations, Progress } from '../operations';

/**
 * Incident mode: runs under the renderer's operationId, so its progress bar follows `operation.progress`
 * and its per-item list `incident.item`; operations.cancel stops new rotations (those in flight finish).
 */
const VERBS: Partial<Record<ItemStatus, string>> = { rotated: 'Rotated', failed: 'Failed', 'by-hand': 'By hand:' };

function follow(operationId: string, emit: Emit, progress: (update: Progress) => void) {
  return (update: IncidentProgress) => {
    const message = update.phase === 'sessions' ? 'Revoking sessions' : update.phase === 'done' ? 'Finished' : update.item === undefined ? 'Rotating' : `${VERBS[update.item.status] ?? 'Skipped'} ${update.item.key}`;
    progress({ done: update.done, total: update.total, message });
    const item = update.item;
    if (item !== undefined && (item.status === 'rotated' || item.status === 'failed' || item.status === 'cancelled' || item.status === 'by-hand')) {
      emit('incident.item', {
        operationId,
        ref: item.ref,
        project: item.project,
        environment: item.environment,
        key: item.key,
        status: item.status,
        ...(item.version === undefined ? {} : { version: item.version }),
        ...(item.error === undefined ? {} : { message: item.error.message }),
        ...(item.changed_at === undefined ? {} : { changedAt: item.changed_at }),
        ...(item.old_refused === undefined ? {} : { oldRefused: item.old_refused }),
      });
    }
  };
}

export function incidentsHandlers(deps: { core: Core; emit: Emit; operations: Operations }): Handlers['incidents'] {
  const { incidents } = deps.core;
  return {
    preview: ({ environments, sessions }) => incidents.preview({ environments, ...(sessions === undefined ? {} : { sessions }) }),
    run: ({ operationId, environments, sessions, exclude, typedNames, concurrency }) =>
      deps.operations.run(operationId, (signal, progress) =>
        incidents.run(
          { environments, signal, ...(sessions === undefined ? {} : { sessions }) },
          { confirmation: { typedNames }, concurrency, exclude, signal, onProgress: follow(operationId, deps.emit, progress) },
        ),
      ),
    resume: ({ operationId, reportId, typedNames }) =>
      deps.operations.run(operationId, (signal, progress) => incidents.resume(reportId, { confirmation: { typedNames }, signal, onProgress: follow(operationId, deps.emit, progress) })),
    markRotated: async ({ reportId, refs }) => ({ report: await incidents.markRotated(reportId, refs) }),
    list: async () => ({ reports: await incidents.list() }),
    open: async ({ reportId }) => ({ report: await incidents.open(reportId), text: await incidents.openText(reportId), paths: incidents.pathsOf(reportId) }),
    sessionServers: async () => ({ servers: (await deps.core.config.read()).sessionServers.map((server) => server.name) }),
  };
}
