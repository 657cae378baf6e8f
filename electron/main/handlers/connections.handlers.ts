import type { Core } from '../../core';
import type { ConnectionSummary } from '../../core/secrets';
import type { Handlers } from '../ipc/router';

/** Connections: settings in config, credentials straight into the keychain; nothing secret comes back. */
const view = (summary: ConnectionSummary) => ({ ...summary, settings: summary.settings as Record<string, unknown> });

export function connectionsHandlers(deps: { core: Core }): Handlers['connections'] {
  const { connections } = deps.core;
  return {
    list: async () => ({ connections: (await connections.list()).map(view) }),
    add: async ({ name, settings, credentials }) => ({ connection: view(await connections.add(name, settings, credentials)) }),
    update: async ({ name, changes }) => ({
      connection: view(
        await connections.update(name, {
          ...(changes.name === undefined ? {} : { name: changes.name }),
          ...(changes.settings === undefined ? {} : { settings: changes.settings }),
          ...(changes.credentials === undefined ? {} : { credentials: changes.credentials }),
        }),
      ),
    }),
    setCredentials: async ({ name, credentials }) => ({ connection: view(await connections.setCredentials(name, credentials)) }),
    remove: async ({ name, confirmed }) => {
      await connections.remove(name, { confirmed });
      return {};
    },
    test: async ({ name, write, prefix }) => ({
      report: await connections.test(name, { ...(write === undefined ? {} : { write }), ...(prefix === undefined ? {} : { prefix }) }),
    }),
  };
}
