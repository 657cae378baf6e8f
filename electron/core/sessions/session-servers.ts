import { randomUUID } from 'node:crypto';
import type { ConfigFile, StoredSessionServer } from '../config/config-file';
import { CONNECTION_NAME } from '../config/config-file';
import { conflict, invalidInput, notFound } from '../errors';
import type { Keychain } from '../keychain';
import { describeTarget, parseSessionServer, REDIS_PASSWORD_SERVICE, type SessionServerConfig, type SessionServerInput } from './connection';
import { SessionKeys } from './keys';

/**
 * The session servers of the Sessions screen (the Redis holding the API server's sessions), kept in
 * `config.sessionServers`. A password goes to the OS keychain (service `latchkey-redis`) under an account
 * made for the server, and the config only names that account — so renaming a server moves nothing, and
 * the config never holds it.
 */
type SentinelSettings = Omit<NonNullable<SessionServerInput['sentinel']>, 'passwordAccount'>;

/** A server's settings as the editor sees them: everything but the keychain accounts. */
export type SessionServerSettings = Omit<SessionServerInput, 'passwordAccount' | 'sentinel'> & { sentinel?: SentinelSettings };

export interface SessionServerView {
  name: string;
  settings: SessionServerSettings;
  hasPassword: boolean;
  hasSentinelPassword: boolean;
  /** host:port, cluster seed nodes or Sentinel master, for display. */
  target: string;
}

export interface SaveSessionServer {
  name: string;
  /** The server being edited (absent when adding one). */
  previousName?: string;
  settings: SessionServerSettings;
  /** A new password (stored in the keychain), null to forget the stored one, undefined to keep it. */
  password?: string | null;
  sentinelPassword?: string | null;
}

export function viewOf(stored: StoredSessionServer): SessionServerView {
  const { passwordAccount, sentinel, ...rest } = stored.redis;
  const settings: SessionServerSettings = { ...rest };
  if (sentinel !== undefined) {
    const { passwordAccount: _sentinelAccount, ...sentinelRest } = sentinel;
    settings.sentinel = sentinelRest;
  }
  return {
    name: stored.name,
    settings,
    hasPassword: passwordAccount !== undefined,
    hasSentinelPassword: sentinel?.passwordAccount !== undefined,
    target: describeTarget(stored.redis),
  };
}

/** Checks settings as openSessionRedis will, plus the key prefix rules, before anything is stored. */
export function checkSettings(settings: SessionServerSettings): SessionServerConfig {
  const config = parseSessionServer(settings);
  new SessionKeys(config.prefix);
  return config;
}

export function createSessionServers(deps: { config: ConfigFile; keychain: Keychain }) {
  const { config, keychain } = deps;

  const list = async (): Promise<StoredSessionServer[]> => (await config.read()).sessionServers;

  const find = async (name: string): Promise<StoredSessionServer> => {
    const stored = (await list()).find((candidate) => candidate.name === name);
    if (stored === undefined) throw notFound(`There is no session server named "${name}". Add it under Sessions → Session servers, or pick another one.`);
    return stored;
  };

  /** Accounts no remaining server names are removed from the keychain. */
  const forgetUnused = async (accounts: (string | undefined)[]): Promise<void> => {
    const remaining = await list();
    const used = new Set(remaining.flatMap((stored) => [stored.redis.passwordAccount, stored.redis.sentinel?.passwordAccount]));
    for (const account of new Set(accounts)) {
      if (account !== undefined && !used.has(account)) await keychain.deletePassword(REDIS_PASSWORD_SERVICE, account);
    }
  };

  return {
    list,
    find,
    async views(): Promise<SessionServerView[]> {
      return (await list()).map(viewOf);
    },

    /** Adds or changes a server. Passwords go to the keychain first: a failed save leaves no password in config. */
    async save(input: SaveSessionServer): Promise<SessionServerView> {
      if (!CONNECTION_NAME.test(input.name)) {
        throw invalidInput(`A session server's name is 1 to 64 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit.`);
      }
      checkSettings(input.settings);
      const existing = input.previousName === undefined ? undefined : await find(input.previousName);
      const others = (await list()).filter((stored) => stored.name !== input.previousName);
      if (others.some((stored) => stored.name === input.name)) throw conflict(`A session server named "${input.name}" already exists. Choose another name.`);

      const account = await keychainAccount(keychain, existing?.redis.passwordAccount, input.password);
      const sentinelAccount =
        input.settings.sentinel === undefined ? undefined : await keychainAccount(keychain, existing?.redis.sentinel?.passwordAccount, input.sentinelPassword);
      const redis: SessionServerInput = { ...input.settings, ...(account === undefined ? {} : { passwordAccount: account }) };
      if (input.settings.sentinel !== undefined) {
        redis.sentinel = { ...input.settings.sentinel, ...(sentinelAccount === undefined ? {} : { passwordAccount: sentinelAccount }) };
      }
      const stored: StoredSessionServer = { name: input.name, redis: parseSessionServer(redis) };
      await config.update((current) => {
        const at = current.sessionServers.findIndex((candidate) => candidate.name === input.previousName);
        if (input.previousName !== undefined && at < 0) throw notFound(`The session server "${input.previousName}" was removed meanwhile. Add it again.`);
        if (current.sessionServers.some((candidate, i) => i !== at && candidate.name === input.name)) {
          throw conflict(`A session server named "${input.name}" already exists. Choose another name.`);
        }
        if (at < 0) current.sessionServers.push(stored);
        else current.sessionServers[at] = stored;
      });
      await forgetUnused([existing?.redis.passwordAccount, existing?.redis.sentinel?.passwordAccount]);
      return viewOf(stored);
    },

    async remove(name: string): Promise<void> {
      const removed = await config.update((current) => {
        const at = current.sessionServers.findIndex((candidate) => candidate.name === name);
        if (at < 0) throw notFound(`There is no session server named "${name}".`);
        return current.sessionServers.splice(at, 1)[0]!;
      });
      await forgetUnused([removed.redis.passwordAccount, removed.redis.sentinel?.passwordAccount]);
    },
  };
}

/**
 * The keychain account after a save: a new password is stored (under the existing account, or a new
 * one), null forgets it, undefined keeps whatever was there.
 */
async function keychainAccount(keychain: Keychain, current: string | undefined, password: string | null | undefined): Promise<string | undefined> {
  if (password === undefined) return current;
  if (password === null) return undefined;
  if (password === '') throw invalidInput('The password is empty. Leave the field untouched to keep the stored password, or choose to remove it.');
  const account = current ?? `redis-${randomUUID()}`;
  await keychain.setPassword(REDIS_PASSWORD_SERVICE, account, password);
  return account;
}
