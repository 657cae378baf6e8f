import type { Core } from '../../core';
import type { ServiceSummary } from '../../core/services';
import { registeredServiceKinds, type RegisteredServiceKind } from '../../../shared/ipc/services.contract';
import type { Handlers } from '../ipc/router';

/**
 * Services: settings to config, an admin URL's credential straight into the keychain (the registry
 * splits it); nothing secret comes back — a service says only whether its credential is stored.
 */
const view = (summary: ServiceSummary) => ({ ...summary, kind: summary.kind as RegisteredServiceKind });

export function servicesHandlers(deps: { core: Core }): Handlers['services'] {
  const { registry, kinds } = deps.core.services;
  return {
    kinds: async () => ({
      kinds: kinds.kinds().map((kind) => {
        const driver = kinds.driver(kind);
        return { kind, strategies: [...driver.strategies], selfMode: driver.selfMode, makesCredential: driver.makesCredential };
      }),
    }),
    list: async () => ({ services: (await registry.list()).filter((summary) => (registeredServiceKinds as readonly string[]).includes(summary.kind)).map(view) }),
    add: async ({ name, kind, adminUrl, settings }) => ({
      service: view(await registry.add(name, kind, { ...(adminUrl === undefined ? {} : { url: adminUrl }), ...(settings === undefined ? {} : { settings }) })),
    }),
    update: async ({ name, adminUrl, settings }) => ({
      service: view(await registry.update(name, { ...(adminUrl === undefined ? {} : { url: adminUrl }), ...(settings === undefined ? {} : { settings }) })),
    }),
    remove: async ({ name, confirmed }) => {
      await registry.remove(name, { confirmed: confirmed === true });
      return {};
    },
    test: async ({ name }) => ({ steps: await registry.test(name) }),
  };
}
