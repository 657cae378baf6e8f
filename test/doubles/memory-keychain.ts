import type { Keychain } from '../../electron/core/keychain';

/** A test double of the OS keychain for unit tests; integration tests use the real one. */
export function createMemoryKeychain(): Keychain & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const id = (service: string, account: string) => `${service}\u0000${account}`;
  return {
    entries,
    getPassword: async (service, account) => entries.get(id(service, account)) ?? null,
    setPassword: async (service, account, password) => {
      entries.set(id(service, account), password);
    },
    deletePassword: async (service, account) => entries.delete(id(service, account)),
    findAccounts: async (service) =>
      [...entries.keys()].filter((key) => key.startsWith(`${service}\u0000`)).map((key) => key.slice(service.length + 1)),
  };
}
