import { SECRET_KEY } from '../../../shared/names';
import { listAll, type BackendScheme, type SecretBackend, type SecretSummary } from '../secrets/backend';

/**
 * What rotation, diff, copy, .env and import need to know about one environment of a project. The
 * config layer builds these from its projects/environments; `environmentOverBackend` builds one for an
 * environment whose secrets all live under one path prefix of one backend (the file store's
 * `<project>/<env>/`, a Vault folder, an AWS name prefix).
 */
export interface EnvironmentSecret {
  /** The name of the secret in this environment (the variable name in a .env file). */
  key: string;
  ref: string;
  /** What the listing already said about it (saves a describe call where present). */
  summary?: SecretSummary;
}

export interface EnvironmentView {
  project: string;
  name: string;
  /** Protected environments need their name typed to confirm bulk changes. */
  protected: boolean;
  /** Rotation period for secrets of this environment without their own. */
  rotationPeriodDays?: number;
  /**
   * The backend holding this environment's secrets. Operations on an environment use it rather than
   * resolving each reference again: two environments may use the same scheme and prefix on different
   * connections (two Vault servers), so a reference alone does not say which one it is on.
   */
  backend: SecretBackend;
  list(signal?: AbortSignal): Promise<EnvironmentSecret[]>;
  /** Where `key` is (or would be) stored in this environment. */
  refFor(key: string): string;
}

export interface BackendEnvironmentOptions {
  project: string;
  name: string;
  protected?: boolean;
  rotationPeriodDays?: number;
  backend: SecretBackend;
  /** The reference scheme of `backend` (normally backend.scheme). */
  scheme?: BackendScheme;
  /** Path prefix of this environment's secrets, ending with its separator, e.g. "demo/prod/". */
  prefix: string;
  /** The backend path of a key (default: prefix + key); a connection's layout may map keys differently. */
  pathOf?: (key: string) => string;
  /** The key of a listed path, undefined when it is not one (default: the path after the prefix). */
  keyOf?: (path: string) => string | undefined;
}

export function environmentOverBackend(options: BackendEnvironmentOptions): EnvironmentView {
  const scheme = options.scheme ?? options.backend.scheme;
  const pathOf = options.pathOf ?? ((key: string) => `${options.prefix}${key}`);
  const keyOf = options.keyOf ?? ((path: string) => (path.startsWith(options.prefix) ? path.slice(options.prefix.length) : undefined));
  return {
    project: options.project,
    name: options.name,
    protected: options.protected ?? false,
    ...(options.rotationPeriodDays === undefined ? {} : { rotationPeriodDays: options.rotationPeriodDays }),
    backend: options.backend,
    async list(signal) {
      const secrets: EnvironmentSecret[] = [];
      for await (const summary of listAll(options.backend, options.prefix, signal === undefined ? {} : { signal })) {
        const key = keyOf(summary.path);
        // Deeper paths belong to sub-folders, not to this environment; odd names cannot be .env keys.
        if (key === undefined || !SECRET_KEY.test(key)) continue;
        secrets.push({ key, ref: `${scheme}://${summary.path}`, summary });
      }
      return secrets.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    refFor: (key) => `${scheme}://${pathOf(key)}`,
  };
}
