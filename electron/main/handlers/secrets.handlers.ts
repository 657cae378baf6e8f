import type { Core } from '../../core';
import type { ClipboardGuard } from '../clipboard-guard';
import type { Handlers } from '../ipc/router';
import type { Operations } from '../operations';

export function secretsHandlers(deps: { core: Core; clipboard: ClipboardGuard; operations: Operations }): Handlers['secrets'] {
  const { secrets } = deps.core;
  return {
    list: async ({ project, environment, query, operationId }) => {
      const filter = query === undefined ? {} : { query };
      if (operationId === undefined) return { items: await secrets.list(project, environment, filter) };
      // A long listing (a remote backend with many secrets) reports progress and can be cancelled.
      return deps.operations.run(operationId, async (signal, progress) => ({ items: await secrets.list(project, environment, { ...filter, signal, onProgress: progress }) }));
    },
    reveal: ({ project, environment, key }) => secrets.reveal(project, environment, key),
    copy: async ({ project, environment, key }) => {
      await deps.clipboard.copy(await secrets.copyValue(project, environment, key));
      return { clearAfterSeconds: deps.clipboard.clearAfterSeconds };
    },
    create: ({ project, environment, key, value, note, confirmed }) =>
      secrets.create(project, environment, key, value, { ...(note === undefined ? {} : { note }), confirmed }),
    update: ({ project, environment, key, value, note, confirmed }) =>
      secrets.update(project, environment, key, { ...(value === undefined ? {} : { value }), ...(note === undefined ? {} : { note }) }, { confirmed }),
    remove: async ({ project, environment, key, confirmed }) => {
      await secrets.remove(project, environment, key, { confirmed });
      return {};
    },
    history: async ({ project, environment, key }) => ({ versions: await secrets.history(project, environment, key) }),
  };
}
