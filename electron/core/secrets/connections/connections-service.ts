import { randomBytes } from 'node:crypto';
import type { ConfigFile, LatchkeyConfig, StoredConnection } from '../../config/config-file';
import { CONNECTION_NAME } from '../../config/config-file';
import type { Confirmation } from '../../config/projects';
import { confirmationRequired, conflict, invalidInput, isLatchkeyError, notFound, toPublicError } from '../../errors';
import type { Keychain } from '../../keychain';
import type { Logger } from '../../log';
import type { BackendRegistry } from '../backend-registry';
import { connectionBindingPaths, type BindingPaths } from '../binding-paths';
import { testConnection, type ConnectionTestReport } from '../test-connection';
import { CONNECTION_CREDENTIALS_SERVICE, deleteConnectionCredentials } from './connection-credentials';
import { credentialsComplete, credentialsNeed, parseCredentialsFor } from './connection-needs';
import type { Connection, ConnectionKind } from './connection-schema';
import { describeConnection } from './describe-connection';
import { parseConnection } from './parse-connection';

/**
 * The secret-backend connections the app and the CLI bind environments to: settings in config
 * (`config.connections`), credentials in the OS keychain (service `latchkey-connections`, an account
 * Latchkey names and records as `credentialsAccount`). Credentials go in and never come out: a
 * listing says only whether they are stored. After any change the registry forgets the connection's
 * backend, so the next use opens it with the new settings and credentials.
 */
export type CredentialsState = 'stored' | 'missing' | 'not-needed';

export interface BoundEnvironmentRef {
  project: string;
  environment: string;
  prefix: string;
}

export interface ConnectionSummary {
  name: string;
  kind: ConnectionKind;
  /** The settings (never a credential); `credentialsAccount` is left out, it is Latchkey's business. */
  settings: Connection;
  location: string;
  credentials: CredentialsState;
  /** The fields credentials need for these settings (for forms); empty when none are kept. */
  credentialFields: string[];
  environments: BoundEnvironmentRef[];
}

export interface ConnectionChanges {
  /** A new name; environments bound to the connection follow it. */
  name?: string;
  /** New settings (the whole set, as on creation). */
  settings?: unknown;
  /** New credentials; absent keeps the stored ones (when the settings still suit them). */
  credentials?: unknown;
}

export interface ConnectionsServiceDeps {
  config: ConfigFile;
  keychain: Keychain;
  registry: BackendRegistry;
  logger: Logger;
}

const newAccount = () => `connection-${randomBytes(12).toString('hex')}`;

/** The keychain entry a connection's credentials are in (env and keychain connections have none). */
const accountOf = (connection: Connection): string | undefined => ('credentialsAccount' in connection ? connection.credentialsAccount : undefined);

/** `connection` with its keychain entry set to `account`, or without one. */
function withAccount(connection: Connection, account: string | undefined): Connection {
  if (connection.kind === 'env' || connection.kind === 'keychain') return connection;
  const { credentialsAccount: _dropped, ...rest } = connection;
  return account === undefined ? rest : { ...rest, credentialsAccount: account };
}

function checkName(name: string): void {
  if (!CONNECTION_NAME.test(name)) {
    throw invalidInput(`"${name.slice(0, 80)}" is not a valid connection name: letters, digits, space, ".", "_" and "-", starting with a letter or digit, at most 64 characters.`);
  }
}

/** Settings from outside; `credentialsAccount` is chosen by Latchkey and may not be given. */
function parseSettings(input: unknown, name: string): Connection {
  if (input !== null && typeof input === 'object' && 'credentialsAccount' in input) {
    throw invalidInput('credentialsAccount is chosen by Latchkey; give the credentials themselves instead (they go to the OS keychain).');
  }
  return parseConnection(input, `connection "${name}"`);
}

function boundTo(config: LatchkeyConfig, name: string): BoundEnvironmentRef[] {
  return config.projects.flatMap((project) =>
    project.environments.flatMap((environment) =>
      environment.binding.backend === 'connection' && environment.binding.connection === name ? [{ project: project.name, environment: environment.name, prefix: environment.binding.prefix }] : [],
    ),
  );
}

function find(config: LatchkeyConfig, name: string): StoredConnection {
  const stored = config.connections.find((candidate) => candidate.name === name);
  if (stored === undefined) throw notFound(`There is no connection named "${name}". Add it in Connections (latchkey connections add).`);
  return stored;
}

const listOf = (environments: BoundEnvironmentRef[]) => environments.map((environment) => `${environment.project}/${environment.environment}`).join(', ');

export function createConnectionsService(deps: ConnectionsServiceDeps) {
  const { config, keychain, registry, logger } = deps;

  const readCredentials = async (connection: Connection): Promise<unknown> => {
    const account = accountOf(connection);
    if (account === undefined) return undefined;
    const text = await keychain.getPassword(CONNECTION_CREDENTIALS_SERVICE, account);
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  };

  const summarize = async (stored: StoredConnection, current: LatchkeyConfig): Promise<ConnectionSummary> => {
    const need = credentialsNeed(stored.connection);
    let credentials: CredentialsState = 'not-needed';
    if (need.needed) credentials = credentialsComplete(stored.connection, await readCredentials(stored.connection)) ? 'stored' : 'missing';
    const settings = withAccount(stored.connection, undefined);
    return {
      name: stored.name,
      kind: stored.connection.kind,
      settings,
      location: describeConnection(stored.connection),
      credentials,
      credentialFields: need.needed ? need.fields : [],
      environments: boundTo(current, stored.name),
    };
  };

  /** Every environment bound to `name` must still have a prefix the new settings can use. */
  const checkBindings = (current: LatchkeyConfig, name: string, connection: Connection) => {
    for (const environment of boundTo(current, name)) {
      try {
        connectionBindingPaths(connection, environment.prefix);
      } catch (error) {
        const reason = isLatchkeyError(error) ? error.message : 'its prefix does not fit';
        throw invalidInput(`${environment.project}/${environment.environment} is bound to "${name}" with prefix "${environment.prefix}", which these settings cannot use: ${reason}`);
      }
    }
  };

  const storeCredentials = async (account: string, connection: Connection, input: unknown, name: string) => {
    const credentials = parseCredentialsFor(connection, input, name);
    await keychain.setPassword(CONNECTION_CREDENTIALS_SERVICE, account, JSON.stringify(credentials));
  };

  const forget = (stored: StoredConnection) => registry.forget({ name: stored.name, connection: stored.connection });

  const deleteQuietly = async (account: string | undefined) => {
    if (account === undefined) return;
    await deleteConnectionCredentials(keychain, account).catch((error: unknown) =>
      logger.warn('could not delete connection credentials from the keychain', { account, error: toPublicError(error).message }),
    );
  };

  return {
    async list(): Promise<ConnectionSummary[]> {
      const current = await config.read();
      return Promise.all(current.connections.map((stored) => summarize(stored, current)));
    },

    async get(name: string): Promise<ConnectionSummary> {
      const current = await config.read();
      return summarize(find(current, name), current);
    },

    /** Adds a connection; credentials, when given, go to the keychain before the settings are saved. */
    async add(name: string, settings: unknown, credentials?: unknown): Promise<ConnectionSummary> {
      checkName(name);
      const parsed = parseSettings(settings, name);
      let account: string | undefined;
      if (credentials !== undefined) {
        account = newAccount();
        await storeCredentials(account, parsed, credentials, name);
      }
      try {
        await config.update((current) => {
          if (current.connections.some((candidate) => candidate.name === name)) throw conflict(`A connection named "${name}" already exists.`);
          current.connections.push({ name, connection: withAccount(parsed, account) });
          current.connections.sort((a, b) => a.name.localeCompare(b.name));
        });
      } catch (error) {
        await deleteQuietly(account);
        throw error;
      }
      return this.get(name);
    },

    /**
     * Renames, changes settings and/or replaces credentials. Settings of another kind drop the stored
     * credentials (they would not fit) unless new ones come with them.
     */
    async update(name: string, changes: ConnectionChanges): Promise<ConnectionSummary> {
      const before = find(await config.read(), name);
      const newName = changes.name ?? name;
      if (changes.name !== undefined) checkName(changes.name);
      const settings = changes.settings === undefined ? { ...before.connection } : parseSettings(changes.settings, newName);
      const keepAccount = changes.settings === undefined || settings.kind === before.connection.kind;
      const oldAccount = accountOf(before.connection);
      let account = keepAccount ? oldAccount : undefined;
      if (changes.credentials !== undefined) {
        account ??= newAccount();
        await storeCredentials(account, settings, changes.credentials, newName);
      }
      const connection = withAccount(settings, account);
      await config.update((current) => {
        const stored = find(current, name);
        if (newName !== name && current.connections.some((candidate) => candidate.name === newName)) throw conflict(`A connection named "${newName}" already exists.`);
        checkBindings(current, name, connection);
        stored.name = newName;
        stored.connection = connection;
        for (const project of current.projects) {
          for (const environment of project.environments) {
            if (environment.binding.backend === 'connection' && environment.binding.connection === name) environment.binding.connection = newName;
          }
        }
        current.connections.sort((a, b) => a.name.localeCompare(b.name));
      });
      await forget(before);
      if (oldAccount !== undefined && oldAccount !== account) await deleteQuietly(oldAccount);
      return this.get(newName);
    },

    /** Stores (or replaces) the credentials of a connection in the OS keychain. */
    async setCredentials(name: string, credentials: unknown): Promise<ConnectionSummary> {
      const before = find(await config.read(), name);
      const account = accountOf(before.connection) ?? newAccount();
      await storeCredentials(account, before.connection, credentials, name);
      if (accountOf(before.connection) === undefined) {
        await config.update((current) => {
          const stored = find(current, name);
          stored.connection = withAccount(stored.connection, account);
        });
      }
      await forget(before);
      return this.get(name);
    },

    /** Removes a connection and its stored credentials. Refused while environments are bound to it. */
    async remove(name: string, confirmation: Confirmation): Promise<void> {
      const current = await config.read();
      const stored = find(current, name);
      const bound = boundTo(current, name);
      if (bound.length > 0) {
        throw conflict(`Connection "${name}" stores ${listOf(bound)}. Bind ${bound.length === 1 ? 'that environment' : 'those environments'} to another store first, then remove it.`);
      }
      if (confirmation.confirmed !== true) throw confirmationRequired(`Removing connection "${name}" deletes its settings and the credentials kept for it. Confirm to go on.`);
      await config.update((latest) => {
        const again = boundTo(latest, name);
        if (again.length > 0) throw conflict(`Connection "${name}" stores ${listOf(again)}. Bind them to another store first.`);
        latest.connections = latest.connections.filter((candidate) => candidate.name !== name);
      });
      await forget(stored);
      await deleteQuietly(accountOf(stored.connection));
    },

    /**
     * Test connection: reachable, authenticated, can list — and can write only when `write` is set (a
     * probe secret written, read back and deleted). `prefix` lists where an environment would be.
     * A connection that cannot even be opened (settings, missing credentials) fails at "reachable".
     */
    async test(name: string, options: { write?: boolean; prefix?: string } = {}): Promise<ConnectionTestReport> {
      const stored = find(await config.read(), name);
      let paths: BindingPaths | undefined;
      try {
        paths = connectionBindingPaths(stored.connection, options.prefix ?? '');
      } catch (error) {
        if (options.prefix !== undefined) throw error;
      }
      const listPrefix = paths?.listPrefix;
      let backend;
      try {
        backend = await registry.resolve({ scheme: stored.connection.kind, path: listPrefix || '-' }, { name: stored.name, connection: stored.connection });
      } catch (error) {
        const skipped = { outcome: 'skipped' as const, detail: 'Not tried: the connection could not be opened.' };
        return {
          location: describeConnection(stored.connection),
          reachable: { outcome: 'failed', detail: 'The connection could not be opened.', error: toPublicError(error) },
          authenticated: skipped,
          canList: skipped,
          canWrite: skipped,
        };
      }
      return testConnection(backend, { ...(paths === undefined ? {} : { listPrefix: paths.listPrefix, pathForKey: paths.pathOf }), write: options.write === true });
    },
  };
}

export type ConnectionsService = ReturnType<typeof createConnectionsService>;
