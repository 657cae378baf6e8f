import type { Core } from '../../core';
import type { RestoreProgress } from '../../core/snapshots';
import type { Handlers } from '../ipc/router';
import type { Operations, Progress } from '../operations';

/**
 * Snapshots and restores. A restore and an incident's undo run under the renderer's operationId, so the
 * dialog's progress bar follows `operation.progress` and its Cancel stops new keys (those being
 * written finish; running the same restore again finishes the rest).
 */
function follow(progress: (update: Progress) => void, environment?: string) {
  return (update: RestoreProgress & { environment?: string }) => {
    const where = update.environment ?? environment;
    const step = update.key === undefined ? 'Restoring' : `${update.outcome === 'failed' ? 'Failed' : 'Restored'} ${update.key}`;
    progress({ done: update.done, total: update.total, message: where === undefined ? step : `${where}: ${step}` });
  };
}

export function snapshotsHandlers(deps: { core: Core; operations: Operations }): Handlers['snapshots'] {
  const { snapshots } = deps.core;
  return {
    list: ({ project, environment }) => snapshots.list(project, environment),
    take: ({ project, environment, note }) => snapshots.take(project, environment, note === undefined ? {} : { note }),
    preview: ({ project, environment, target, keys, delete: deleting, operationId }) => {
      const options = { ...(keys === undefined ? {} : { keys }), ...(deleting === undefined ? {} : { delete: deleting }) };
      return operationId === undefined
        ? snapshots.preview(project, environment, target, options)
        : deps.operations.run(operationId, (signal) => snapshots.preview(project, environment, target, { ...options, signal }));
    },
    restore: ({ project, environment, operationId, target, keys, delete: deleting, typedNames }) =>
      deps.operations.run(operationId, (signal, progress) =>
        snapshots.restore(project, environment, target, { ...(keys === undefined ? {} : { keys }), delete: deleting, confirmation: { typedNames }, signal, onProgress: follow(progress) }),
      ),
    previewIncidentUndo: ({ reportId }) => snapshots.previewIncidentUndo(reportId),
    undoIncident: ({ reportId, operationId, typedNames }) =>
      deps.operations.run(operationId, (signal, progress) => snapshots.undoIncident(reportId, { confirmation: { typedNames }, signal, onProgress: follow(progress) })),
  };
}
