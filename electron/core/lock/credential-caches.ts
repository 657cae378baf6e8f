import type { Logger } from '../log';

/**
 * Everything in core that keeps key material or a backend credential in memory (the file store's data
 * key, a Vault token, a Redis password …) registers here how to drop it. Locking the app calls
 * forgetAll(); the next use reads the credential again from the OS keychain, after the person unlocked.
 */
export type Forget = () => void | Promise<void>;

export interface CredentialCaches {
  /** Registers a cache under a name (for the log); returns the function that unregisters it. */
  register(name: string, forget: Forget): () => void;
  /** Drops every registered cache; one that fails does not stop the others. Returns the names dropped. */
  forgetAll(): Promise<string[]>;
  names(): string[];
}

export function createCredentialCaches(options: { logger?: Logger } = {}): CredentialCaches {
  const caches = new Map<symbol, { name: string; forget: Forget }>();
  return {
    register(name, forget) {
      const id = Symbol(name);
      caches.set(id, { name, forget });
      return () => void caches.delete(id);
    },
    async forgetAll() {
      const forgotten: string[] = [];
      for (const { name, forget } of [...caches.values()]) {
        try {
          await forget();
          forgotten.push(name);
        } catch (error) {
          options.logger?.error('lock: a credential cache failed to forget', { cache: name, error });
        }
      }
      return forgotten;
    },
    names: () => [...caches.values()].map((cache) => cache.name),
  };
}
