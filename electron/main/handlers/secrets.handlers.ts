import type { Core } from '../../core';
import type { ClipboardGuard } from '../clipboard-guard';
import type { Handlers } from '../ipc/router';

export function secretsHandlers(deps: { core: Core; clipboard: ClipboardGuard }): Handlers['secrets'] {
  const { secrets } = deps.core;
  return {
    list: async ({ project, environment, query }) => ({ items: await secrets.list(project, environment, query === undefined ? {} : { query }) }),
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
