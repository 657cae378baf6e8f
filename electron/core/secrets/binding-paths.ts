import { SECRET_KEY } from '../../../shared/names';
import { invalidInput } from '../errors';
import { checkSecretPath } from './backends/vault/vault-paths';
import type { Connection } from './connections/connection-schema';
import { HANDSFREE_AWS_PREFIX, HANDSFREE_ENV_PREFIX, HANDSFREE_GCP_PREFIX, handsfreeEnvName, handsfreeGcpSecretId, handsfreeVaultPath } from './handsfree-layout';

/**
 * How the keys of one environment (API_KEY, DATABASE_URL…) map to paths of the backend that stores
 * them, given the environment's prefix on its connection. Every backend names things differently —
 * Vault folders, AWS name prefixes, Google ids without "/" or ".", Azure names without "_", variables
 * in upper case, and the HandsFree layout's "_" → "/" — so listing has to turn paths back into keys.
 *
 * `pathOf` gives the path exactly as the backend lists it, so `keyOf(pathOf(key))` tells whether a
 * key survives the trip: where a backend cannot keep a key's characters, the key that comes back
 * (separators as "_") is the one to use, and new secrets must use it (see `checkRoundTrip`).
 */
export interface BindingPaths {
  /** Where the backend lists this environment's secrets (what `backend.list` is given). */
  listPrefix: string;
  /** The reference path (after `scheme://`) of a key. */
  pathOf(key: string): string;
  /** The key a listed path stands for; undefined for paths that are not a key of this environment. */
  keyOf(path: string): string | undefined;
  /** Where the secrets are, for people ("secret/data/app/staging/", "us-east-1 · app/prod/"). */
  location: string;
}

const asKey = (text: string): string | undefined => (SECRET_KEY.test(text) ? text : undefined);

const stripped = (path: string, base: string): string | undefined => (path.startsWith(base) ? path.slice(base.length) : undefined);

/** The key a path below `base` names, if it is one. */
const keyAfter = (path: string, base: string): string | undefined => {
  const rest = stripped(path, base);
  return rest === undefined ? undefined : asKey(rest);
};

/** Keys stored verbatim below `base`. */
const prefixedPaths = (base: string, location: string): BindingPaths => ({
  listPrefix: base,
  pathOf: (key) => `${base}${key}`,
  keyOf: (path) => keyAfter(path, base),
  location,
});

const MAX_PREFIX = 256;

/** The local store: `<project>/<environment>/<KEY>`. */
export function fileBindingPaths(project: string, environment: string): BindingPaths {
  const base = `${project}/${environment}/`;
  return prefixedPaths(base, `file://${base}`);
}

/** An environment at `prefix` on `connection`; a prefix the backend cannot use is InvalidInput naming the rule. */
export function connectionBindingPaths(connection: Connection, prefix: string): BindingPaths {
  if (prefix.length > MAX_PREFIX || [...prefix].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) {
    throw invalidInput(`A prefix is one line of at most ${MAX_PREFIX} characters, without control characters.`);
  }
  switch (connection.kind) {
    case 'env':
      return envPaths(connection.prefix, prefix);
    case 'keychain':
      return keychainPaths(connection.service, prefix);
    case 'vault':
      return connection.layout === 'handsfree' ? vaultHandsfreePaths(connection.mount, prefix) : vaultNativePaths(connection.mount, prefix);
    case 'aws':
      return awsPaths(connection.region, connection.prefix ?? (connection.layout === 'handsfree' ? HANDSFREE_AWS_PREFIX : ''), prefix);
    case 'gcp':
      return connection.layout === 'handsfree' ? gcpHandsfreePaths(connection.projectId, connection.prefix ?? HANDSFREE_GCP_PREFIX, prefix) : gcpNativePaths(connection.projectId, prefix);
    case 'azure':
      return azurePaths(azureVaultName(connection), prefix);
  }
}

/**
 * A new key must come back from a listing as itself; otherwise the environment would show it under
 * another name. The message names the key to use instead.
 */
export function checkRoundTrip(paths: Pick<BindingPaths, 'pathOf' | 'keyOf'>, key: string, where: string): void {
  const back = paths.keyOf(paths.pathOf(key));
  if (back === key) return;
  if (back === undefined) throw invalidInput(`"${key}" cannot be stored in ${where}: the backend cannot name it. Use letters, digits and "_".`);
  throw invalidInput(`${where} cannot keep "${key}" as written; it would be stored and listed as "${back}". Use "${back}" as the key.`);
}

/** Variables: `<connection prefix><PREFIX><KEY>`, upper case, with "-", "." and "/" as "_" (the seed's rule). */
function envPaths(connectionPrefix: string | undefined, prefix: string): BindingPaths {
  const base = handsfreeEnvName(prefix, connectionPrefix ?? HANDSFREE_ENV_PREFIX);
  if (!/^([A-Za-z_][A-Za-z0-9_]*)?$/.test(base)) throw invalidInput('An environment-variable prefix uses letters, digits, "_" and does not start with a digit (e.g. APP_STAGING_).');
  return {
    listPrefix: base,
    pathOf: (key) => handsfreeEnvName(key, base),
    keyOf: (path) => keyAfter(path, base),
    location: `${base}*`,
  };
}

/** Keychain entries: service of the connection, account `<PREFIX><KEY>`. */
function keychainPaths(service: string, prefix: string): BindingPaths {
  const base = `${service}/${prefix}`;
  return prefixedPaths(base, `service ${service}${prefix === '' ? '' : ` · ${prefix}`}`);
}

function checkVaultFolder(prefix: string): void {
  if (prefix.includes('#')) throw invalidInput('A Vault prefix is a folder path on the connection\'s mount, without "#field" (e.g. app/staging/).');
  checkSecretPath(prefix.replace(/\/+$/, ''), true);
}

/** Vault KV v2, native: `<mount>/data/<PREFIX><KEY>`; sub-folders are not keys of this environment. */
function vaultNativePaths(mount: string, prefix: string): BindingPaths {
  checkVaultFolder(prefix);
  return prefixedPaths(prefix, `${mount}/data/${prefix}`);
}

/**
 * Vault KV v2, HandsFree layout: "_" and "." of the prefix and key become "/", so a listed path's "/"
 * below the prefix read back as "_" (github/token/user/123 → github_token_user_123). Paths the layout
 * cannot have made (holding "_" or ".", listed in the explicit `mount/path#field` form) are skipped.
 */
function vaultHandsfreePaths(mount: string, prefix: string): BindingPaths {
  checkVaultFolder(prefix);
  const base = handsfreeVaultPath(prefix);
  return {
    listPrefix: base,
    pathOf: (key) => `${base}${handsfreeVaultPath(key)}`,
    keyOf: (path) => {
      if (path.includes('#')) return undefined;
      const rest = stripped(path, base);
      return rest === undefined ? undefined : asKey(rest.replaceAll('/', '_'));
    },
    location: `${mount}/data/${base}`,
  };
}

/** AWS: names `<connection prefix><PREFIX><KEY>`; names with a further "/" are not keys of this environment. */
function awsPaths(region: string, connectionPrefix: string, prefix: string): BindingPaths {
  if (!/^[A-Za-z0-9/_+=.@-]*$/.test(prefix)) throw invalidInput('An AWS prefix uses letters, digits and / _ + = . @ - (e.g. app/prod/).');
  const base = `${connectionPrefix}${prefix}`;
  return prefixedPaths(base, `${region} · ${base === '' ? '(all names)' : base}`);
}

/** Google, native: ids `<PREFIX><KEY>` with characters Google refuses (".") as "_". */
function gcpNativePaths(projectId: string, prefix: string): BindingPaths {
  if (!/^[A-Za-z0-9_-]*$/.test(prefix)) throw invalidInput('A Google prefix uses letters, digits, "_" and "-" (secret ids cannot hold "/" or "."), e.g. app_prod_.');
  const id = (key: string) => key.replace(/[^A-Za-z0-9_-]/g, '_');
  return {
    listPrefix: prefix,
    pathOf: (key) => `${prefix}${id(key)}`,
    keyOf: (path) => keyAfter(path, prefix),
    location: `${projectId} · ${prefix === '' ? '(all secrets)' : `${prefix}*`}`,
  };
}

/**
 * Google, HandsFree layout: ids `<connection prefix>-<prefix and key, lower case, runs of other
 * characters as one "-">` (github_token_user_123 → handsfree-github-token-user-123), read back with
 * "-" as "_". Paths are the full resource names, which resolve verbatim.
 */
function gcpHandsfreePaths(projectId: string, connectionPrefix: string, prefix: string): BindingPaths {
  if (!/^[A-Za-z0-9_.-]*$/.test(prefix)) throw invalidInput('A Google prefix uses letters, digits, "_", "." and "-", e.g. app_prod_.');
  // The same id prefix the backend filters on: the seed's rule, without trimming a trailing "-".
  const idBase = `${connectionPrefix}-${prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '')}`;
  const names = `projects/${projectId}/secrets/`;
  return {
    listPrefix: `${names}${idBase}`,
    pathOf: (key) => `${names}${handsfreeGcpSecretId(`${prefix}${key}`, connectionPrefix)}`,
    keyOf: (path) => {
      const rest = stripped(path, `${names}${idBase}`);
      return rest === undefined || rest.includes('/') ? undefined : asKey(rest.replaceAll('-', '_'));
    },
    location: `${projectId} · ${idBase}*`,
  };
}

function azureVaultName(connection: Extract<Connection, { kind: 'azure' }>): string {
  const name = connection.vaultName ?? (connection.vaultUrl === undefined ? undefined : new URL(connection.vaultUrl).hostname.split('.')[0]);
  if (name === undefined || !/^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/.test(name)) {
    throw invalidInput('This Azure connection names no vault. Give its vault name (or a https://<name>.vault.azure.net URL) to store an environment in it.');
  }
  return name;
}

/** Azure: `<vault>/<PREFIX><KEY>` with every character other than letters, digits and "-" as "-", read back with "-" as "_". */
function azurePaths(vault: string, prefix: string): BindingPaths {
  if (!/^[A-Za-z0-9_.-]*$/.test(prefix)) throw invalidInput('An Azure prefix uses letters, digits and "-" (e.g. app-prod-).');
  const name = (text: string) => text.replace(/[^0-9A-Za-z-]/g, '-');
  const base = `${vault}/${name(prefix)}`;
  return {
    listPrefix: base,
    pathOf: (key) => `${vault}/${name(`${prefix}${key}`)}`,
    keyOf: (path) => {
      const rest = stripped(path, base);
      return rest === undefined ? undefined : asKey(rest.replaceAll('-', '_'));
    },
    location: `${vault} · ${name(prefix) === '' ? '(all secrets)' : `${name(prefix)}*`}`,
  };
}
