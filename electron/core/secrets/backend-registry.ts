import { createHash } from 'node:crypto';
import { invalidInput } from '../errors';
import { USER_SECRETS_SERVICE } from '../keychain-namespace';
import type { BackendScheme, SecretBackend } from './backend';
import { connectionFromEnvironment } from './connections/connection-from-environment';
import type { Connection } from './connections/connection-schema';
import { openBackend, type BackendDependencies, type OpenConnection } from './connections/open-backend';
import type { SecretRef } from './reference';

/**
 * Finds the backend for a reference: `file://` goes to the local store the caller supplies; every
 * other scheme to a backend opened for a connection — the one an environment is bound to (the app),
 * or the scheme's default (the CLI: from the seed's environment variables). Backends are opened once
 * per connection and reused, so tokens and HTTP connections are kept between calls.
 */
export interface BackendRegistryOptions extends BackendDependencies {
  /** The local encrypted store (scheme file), built by the caller. */
  fileBackend?: SecretBackend;
  /** A scheme's connection when the caller names none. Default: env and keychain with their defaults, others none. */
  defaultConnection?: (scheme: Exclude<BackendScheme, 'file'>) => OpenConnection | undefined;
}

const DEFAULT_HINTS: Record<Exclude<BackendScheme, 'file' | 'env' | 'keychain'>, string> = {
  vault: 'VAULT_ADDR and VAULT_TOKEN (or VAULT_ROLE_ID/VAULT_SECRET_ID)',
  aws: 'AWS_REGION and AWS credentials',
  gcp: 'GCP_PROJECT_ID and Google credentials',
  azure: 'AZURE_KEYVAULT_URL and Azure credentials',
};

export class BackendRegistry {
  private readonly opened = new Map<string, Promise<SecretBackend>>();

  constructor(private readonly options: BackendRegistryOptions) {}

  /** The backend for `ref`, on `connection` when given (its kind must match the scheme). */
  async resolve(ref: SecretRef, connection?: OpenConnection): Promise<SecretBackend> {
    if (ref.scheme === 'file') {
      if (connection !== undefined) throw invalidInput('The local store (file://) takes no connection.');
      if (this.options.fileBackend === undefined) throw invalidInput('The local store (file://) is not available here.');
      return this.options.fileBackend;
    }
    const chosen = connection ?? this.defaultFor(ref.scheme);
    if (chosen.connection.kind !== ref.scheme) {
      throw invalidInput(`A ${ref.scheme}:// reference cannot use ${chosen.name === undefined ? 'a' : `connection "${chosen.name}", a`} ${chosen.connection.kind} connection.`);
    }
    const key = cacheKey(chosen);
    let backend = this.opened.get(key);
    if (backend === undefined) {
      backend = openBackend(chosen, this.options);
      this.opened.set(key, backend);
      // A failed open (bad settings, missing credentials) is not kept: the next call tries again.
      backend.catch(() => this.opened.delete(key));
    }
    return backend;
  }

  /** Forgets the backend of a connection (after its settings or credentials changed). */
  async forget(connection: OpenConnection): Promise<void> {
    const key = cacheKey(connection);
    const backend = this.opened.get(key);
    this.opened.delete(key);
    await (await backend?.catch(() => undefined))?.close?.();
  }

  async close(): Promise<void> {
    const all = [...this.opened.values()];
    this.opened.clear();
    await Promise.all(all.map(async (backend) => (await backend.catch(() => undefined))?.close?.()));
  }

  private defaultFor(scheme: Exclude<BackendScheme, 'file'>): OpenConnection {
    const given = this.options.defaultConnection?.(scheme);
    if (given !== undefined) return given;
    if (scheme === 'env') return { connection: { kind: 'env', prefix: 'HANDSFREE_SECRET_' } };
    if (scheme === 'keychain') return { connection: { kind: 'keychain', service: USER_SECRETS_SERVICE } };
    throw invalidInput(`No ${scheme} connection is configured. Bind the environment to one in Connections, or set ${DEFAULT_HINTS[scheme]}.`);
  }
}

/** The CLI's registry: each scheme's connection comes from the seed's environment variables. */
export function createEnvironmentRegistry(options: Omit<BackendRegistryOptions, 'defaultConnection'>): BackendRegistry {
  return new BackendRegistry({
    ...options,
    defaultConnection: (scheme) => {
      const fromEnvironment = connectionFromEnvironment(options.env, { scheme });
      return {
        connection: fromEnvironment.connection,
        credentialsLabel: fromEnvironment.credentialsLabel,
        ...(fromEnvironment.credentials === undefined ? {} : { credentials: fromEnvironment.credentials }),
        ...(fromEnvironment.credentialVariables === undefined ? {} : { credentialVariables: fromEnvironment.credentialVariables }),
      };
    },
  });
}

/** Connections are told apart by name and settings; credentials only by a digest, never kept as text. */
function cacheKey(open: OpenConnection): string {
  const credentials = open.credentials === undefined ? '' : createHash('sha256').update(JSON.stringify(open.credentials)).digest('hex');
  return JSON.stringify([open.name ?? '', sortKeys(open.connection), credentials]);
}

function sortKeys(connection: Connection): unknown {
  const sort = (value: unknown): unknown =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sort(v)]))
      : value;
  return sort(connection);
}
