import type { Keychain } from '../../electron/core/keychain';

/**
 * An in-memory Keychain for tests about what is stored where (data keys, connection credentials), not
 * about the OS keychain itself; those run against a real gnome-keyring (describeWithKeyring).
 */
export class MemoryKeychain implements Keychain {
  readonly entries = new Map<string, string>();

  async getPassword(service: string, account: string): Promise<string | null> {
    return this.entries.get(`${service}\0${account}`) ?? null;
  }

  async setPassword(service: string, account: string, password: string): Promise<void> {
    this.entries.set(`${service}\0${account}`, password);
  }

  async deletePassword(service: string, account: string): Promise<boolean> {
    return this.entries.delete(`${service}\0${account}`);
  }

  async findAccounts(service: string): Promise<string[]> {
    return [...this.entries.keys()].filter((key) => key.startsWith(`${service}\0`)).map((key) => key.slice(service.length + 1));
  }
}

export function createMemoryKeychain(): MemoryKeychain {
  return new MemoryKeychain();
}
