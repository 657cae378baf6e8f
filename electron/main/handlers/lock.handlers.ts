import type { Core } from '../../core';
import type { Handlers } from '../ipc/router';

export function lockHandlers(deps: { core: Core }): Handlers['lock'] {
  const { lock } = deps.core;
  return {
    status: () => lock.status(),
    unlock: async ({ passphrase }) => {
      await lock.unlock(passphrase === undefined ? {} : { passphrase });
      return {};
    },
    lockNow: async () => {
      await lock.lock('manual');
      return {};
    },
    setIdleTimeout: async ({ minutes }) => {
      await lock.setIdleTimeout(minutes);
      return {};
    },
    setPassphrase: async ({ passphrase, current }) => {
      await lock.setPassphrase(passphrase, current);
      return {};
    },
    clearPassphrase: async ({ current }) => {
      await lock.clearPassphrase(current);
      return {};
    },
  };
}
