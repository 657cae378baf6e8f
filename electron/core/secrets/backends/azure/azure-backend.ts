import type { TokenCredential } from '@azure/identity';
import { SecretClient, type SecretClientOptions, type SecretProperties } from '@azure/keyvault-secrets';
import { invalidInput, isLatchkeyError } from '../../../errors';
import type { Logger } from '../../../log';
import type {
  BackendCapabilities,
  DeleteOptions,
  ListOptions,
  ListPage,
  ReadResult,
  SecretBackend,
  SecretDescription,
  SecretMetadata,
  SecretSummary,
  SecretVersionInfo,
  WriteOptions,
  WriteResult,
} from '../../backend';
import { pageSizeOf } from '../../client-side-paging';
import { sleepMs, TransientBackendError, withMappedRetry, type AttemptContext, type RetryOptions, retryOptionsFor, type RemoteBackendOptions } from '../../remote/retry';
import { assertValueFits } from '../../value-limits';
import { azureFailureOf, mapAzureError } from './azure-errors';
import { NextLinkCapture } from './azure-next-links';

/**
 * Azure Key Vault through @azure/keyvault-secrets. A reference is `azure://<vault-name>/<secret-name>`;
 * the vault's URL is the connection's (AZURE_KEYVAULT_URL) or https://<vault-name>.<dnsSuffix>. Every
 * set is a new version; tags hold metadata (per version in Azure, so they are carried to the next
 * version unless new metadata is given). Soft delete is assumed, as Azure enforces it: delete makes a
 * secret recoverable (restore recovers it), force also purges it, and writing to a name that is
 * deleted but recoverable recovers it first instead of failing.
 */
export interface AzureBackendOptions extends RemoteBackendOptions {
  credential: TokenCredential;
  /** The vault of the connection, e.g. https://myvault.vault.azure.net. */
  vaultUrl?: string;
  /** Its name in references; defaults to the first label of vaultUrl's host. */
  vaultName?: string;
  /** For vaults named only in references: https://<name>.<dnsSuffix> (vault.azure.net, vault.azure.cn, …). */
  dnsSuffix?: string;
  /** Only for endpoints that are not *.vault.azure.net hosts (a private endpoint, a local fake). */
  disableChallengeResourceVerification?: boolean;
  /** How often delete and recover look whether Azure has finished, and for how long in all. */
  pollIntervalMs?: number;
  pollTimeoutMs?: number;
}

/** Azure Key Vault accepts secret values up to 25 KB. */
export const AZURE_MAX_VALUE_BYTES = 25 * 1024;
const VAULT_NAME = /^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$/;
const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;
const VERSION = /^[0-9a-f]{32}$/;
const MAX_AZURE_PAGE = 25;

interface AzureTarget {
  vault: string;
  name: string;
}

export class AzureBackend implements SecretBackend {
  readonly scheme = 'azure' as const;
  readonly capabilities: BackendCapabilities = { versions: true, softDelete: true, metadata: true, checkAndSet: false, maxValueBytes: AZURE_MAX_VALUE_BYTES };
  readonly location: string;
  private readonly clients = new Map<string, { client: SecretClient; url: URL }>();
  private readonly nextLinks = new NextLinkCapture();
  private readonly defaultVault: { name: string; url: URL } | undefined;
  private readonly dnsSuffix: string;
  private readonly pollIntervalMs: number;
  private readonly pollTimeoutMs: number;
  private readonly credentialsLabel: string;
  private readonly logger: Logger;
  private readonly retry: Omit<RetryOptions, 'target'>;

  constructor(private readonly options: AzureBackendOptions) {
    this.dnsSuffix = options.dnsSuffix ?? 'vault.azure.net';
    if (options.vaultUrl !== undefined) {
      const url = parseVaultUrl(options.vaultUrl);
      const name = options.vaultName ?? url.hostname.split('.')[0] ?? '';
      this.defaultVault = { name: checkVaultName(name), url };
    } else if (options.vaultName !== undefined) {
      this.defaultVault = { name: checkVaultName(options.vaultName), url: new URL(`https://${checkVaultName(options.vaultName)}.${this.dnsSuffix}`) };
    }
    this.location = this.defaultVault === undefined ? 'Azure Key Vault (vault named in each reference)' : `Azure Key Vault ${this.defaultVault.name}`;
    this.pollIntervalMs = options.pollIntervalMs ?? 2_000;
    this.pollTimeoutMs = options.pollTimeoutMs ?? 120_000;
    this.credentialsLabel = options.credentialsLabel ?? 'the default Azure credential chain';
    this.logger = options.logger.child({ backend: 'azure' });
    this.retry = retryOptionsFor(options, this.logger, 'azure');
  }

  pathForKey(key: string): string {
    if (this.defaultVault === undefined) throw invalidInput('This Azure connection names no vault; give its vault URL or name so keys can be placed in it.');
    return `${this.defaultVault.name}/${key.replace(/[^0-9A-Za-z-]/g, '-')}`;
  }

  async get(path: string, options?: { version?: string }): Promise<ReadResult> {
    const target = this.resolve(path);
    const version = options?.version === undefined ? undefined : checkVersion(options.version);
    const secret = await this.call(target, (client, context) => client.getSecret(target.name, { abortSignal: context.signal, ...(version === undefined ? {} : { version }) }));
    if (secret.value === undefined) throw invalidInput(`${describe(target)} in ${this.targetOf(target)} has no value.`);
    return { value: secret.value, ...versionInfo(secret.properties) };
  }

  async set(path: string, value: string, options: WriteOptions = {}): Promise<WriteResult> {
    const target = this.resolve(path);
    assertValueFits(value, AZURE_MAX_VALUE_BYTES, 'Azure Key Vault');
    const tags = options.metadata ?? (await this.latestTags(target));
    if (options.metadata !== undefined) checkTags(options.metadata);
    let softDeleted = false;
    const write = () =>
      this.call(target, async (client, context) => {
        try {
          return await client.setSecret(target.name, value, { abortSignal: context.signal, ...(tags === undefined ? {} : { tags }) });
        } catch (error) {
          if (azureFailureOf(error).innerCode === 'ObjectIsDeletedButRecoverable') softDeleted = true;
          throw error;
        }
      });
    let written;
    try {
      written = await write();
    } catch (error) {
      if (!softDeleted) throw error;
      // The name is deleted but recoverable: recover it (its old versions come back), then add the new one.
      this.logger.info('azure secret was soft-deleted; recovering it before writing', { vault: target.vault, name: target.name });
      await this.recover(target);
      written = await write();
    }
    return written.properties.version === undefined ? {} : { version: written.properties.version };
  }

  async delete(path: string, options: DeleteOptions = {}): Promise<void> {
    const target = this.resolve(path);
    try {
      await this.startThenWait(
        target,
        'deleting',
        (client, context) => client.beginDeleteSecret(target.name, { abortSignal: context.signal, intervalInMs: this.pollIntervalMs }),
        (client, context) => client.getDeletedSecret(target.name, { abortSignal: context.signal }),
      );
    } catch (error) {
      // A forced delete of a secret that is already soft-deleted still purges it.
      if (!(options.force === true && isLatchkeyError(error) && error.kind === 'NotFound')) throw error;
    }
    if (options.force === true) {
      await this.call(target, (client, context) => client.purgeDeletedSecret(target.name, { abortSignal: context.signal }));
    }
  }

  async restore(path: string): Promise<void> {
    await this.recover(this.resolve(path));
  }

  async disableVersion(path: string, version: string): Promise<void> {
    await this.setEnabled(path, version, false);
  }

  async enableVersion(path: string, version: string): Promise<void> {
    await this.setEnabled(path, version, true);
  }

  /** Azure lists all names of a vault; the prefix is applied here, and pages without a match are skipped. */
  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    const size = pageSizeOf(options, MAX_AZURE_PAGE, MAX_AZURE_PAGE);
    const slash = prefix.indexOf('/');
    const vault = slash === -1 ? (prefix === '' ? this.defaultVault?.name : prefix) : prefix.slice(0, slash);
    if (vault === undefined) throw invalidInput('Name the vault to list: azure://<vault-name>/.');
    const namePrefix = slash === -1 ? '' : prefix.slice(slash + 1);
    const target: AzureTarget = { vault: checkVaultName(vault), name: '(listing)' };
    const { url } = this.clientFor(target.vault);
    let continuationToken = options?.pageToken === undefined ? undefined : checkContinuation(options.pageToken, url);
    for (;;) {
      const page = await this.call(
        target,
        async (client, context) => {
          const first = continuationToken === undefined ? this.nextLinks.firstPage() : undefined;
          const key = first?.key ?? this.nextLinks.continuedPage(continuationToken!);
          const pages = client
            .listPropertiesOfSecrets({ abortSignal: context.signal, ...(first === undefined ? {} : { requestOptions: { headers: first.headers } }) })
            .byPage({ maxPageSize: size, ...(continuationToken === undefined ? {} : { continuationToken }) });
          try {
            const result = await pages.next();
            return { items: result.done === true ? [] : result.value, nextLink: this.nextLinks.take(key) ?? undefined };
          } finally {
            this.nextLinks.take(key);
          }
        },
        options?.signal,
      );
      const items: SecretSummary[] = page.items
        .filter((properties) => properties.name.startsWith(namePrefix))
        .map((properties) => ({ path: `${target.vault}/${properties.name}`, ...dates(properties), ...tagsAsMetadata(properties.tags) }));
      continuationToken = page.nextLink;
      if (items.length > 0 || continuationToken === undefined) return { items, ...(continuationToken === undefined ? {} : { nextPageToken: continuationToken }) };
    }
  }

  async describe(path: string): Promise<SecretDescription> {
    const target = this.resolve(path);
    let versions: SecretProperties[];
    try {
      versions = await this.allVersions(target);
    } catch (error) {
      if (!(isLatchkeyError(error) && error.kind === 'NotFound')) throw error;
      return this.describeDeleted(target, path, error);
    }
    // Azure stamps versions in whole seconds; the current one is whatever a plain get returns.
    const current = await this.currentVersion(target, versions);
    const infos: SecretVersionInfo[] = versions
      .map((properties) => ({
        version: properties.version ?? '',
        ...(properties.createdOn === undefined ? {} : { createdAt: properties.createdOn.toISOString() }),
        state: properties.enabled === false ? ('disabled' as const) : ('enabled' as const),
        current: properties.version === current?.version,
      }))
      .sort((a, b) => (a.current === b.current ? (a.createdAt ?? '').localeCompare(b.createdAt ?? '') : a.current ? 1 : -1));
    return { path, ...(current === undefined ? {} : { ...dates(current), ...versionInfo(current), ...tagsAsMetadata(current.tags) }), versions: infos };
  }

  private async describeDeleted(target: AzureTarget, path: string, notFoundError: unknown): Promise<SecretDescription> {
    let deleted;
    try {
      deleted = await this.call(target, (client, context) => client.getDeletedSecret(target.name, { abortSignal: context.signal }));
    } catch (error) {
      if (isLatchkeyError(error) && error.kind === 'NotFound') throw notFoundError;
      throw error;
    }
    const version = deleted.properties.version;
    return {
      path,
      ...dates(deleted.properties),
      ...tagsAsMetadata(deleted.properties.tags),
      versions: version === undefined ? [] : [{ version, state: 'deleted', current: true }],
    };
  }

  private async allVersions(target: AzureTarget): Promise<SecretProperties[]> {
    return this.call(target, async (client, context) => {
      const versions: SecretProperties[] = [];
      for await (const properties of client.listPropertiesOfSecretVersions(target.name, { abortSignal: context.signal })) versions.push(properties);
      return versions;
    });
  }

  private async currentVersion(target: AzureTarget, versions: SecretProperties[]): Promise<SecretProperties | undefined> {
    try {
      const latest = await this.call(target, (client, context) => client.getSecret(target.name, { abortSignal: context.signal }));
      return versions.find((properties) => properties.version === latest.properties.version) ?? latest.properties;
    } catch (error) {
      // The latest version is disabled: fall back to the newest by creation time.
      if (!(isLatchkeyError(error) && error.kind === 'NotFound')) throw error;
      return [...versions].sort((a, b) => (a.createdOn?.getTime() ?? 0) - (b.createdOn?.getTime() ?? 0)).at(-1);
    }
  }

  private async latestTags(target: AzureTarget): Promise<Record<string, string> | undefined> {
    try {
      const latest = await this.call(target, (client, context) => client.getSecret(target.name, { abortSignal: context.signal }));
      return latest.properties.tags;
    } catch (error) {
      if (isLatchkeyError(error) && error.kind === 'NotFound') return undefined;
      throw error;
    }
  }

  private async recover(target: AzureTarget): Promise<void> {
    await this.startThenWait(
      target,
      'recovering',
      (client, context) => client.beginRecoverDeletedSecret(target.name, { abortSignal: context.signal, intervalInMs: this.pollIntervalMs }),
      (client, context) => client.getSecret(target.name, { abortSignal: context.signal }),
      // A recovered secret whose latest version is disabled is back, too.
      (failure) => failure.status === 403 && failure.innerCode === 'SecretDisabled',
    );
  }

  /**
   * Starts a long-running operation (delete, recover), then waits until `done` finds its result. The
   * SDK's poller cannot resume after a failed poll, so waiting is done here: each look is a request
   * with its own retries, and the whole wait has a limit. A start that is retried after Azure already
   * accepted it answers 404, which then means "already under way".
   */
  private async startThenWait(
    target: AzureTarget,
    action: string,
    start: (client: SecretClient, context: AttemptContext) => Promise<unknown>,
    done: (client: SecretClient, context: AttemptContext) => Promise<unknown>,
    alsoDone: (failure: ReturnType<typeof azureFailureOf>) => boolean = () => false,
  ): Promise<void> {
    let started = false;
    await this.call(target, async (client, context) => {
      try {
        await start(client, context);
      } catch (error) {
        if (!(started && azureFailureOf(error).status === 404)) throw error;
      } finally {
        started = true;
      }
    });
    const deadline = Date.now() + this.pollTimeoutMs;
    for (;;) {
      const finished = await this.call(target, async (client, context) => {
        try {
          await done(client, context);
          return true;
        } catch (error) {
          const failure = azureFailureOf(error);
          if (alsoDone(failure)) return true;
          if (failure.status === 404) return false;
          throw error;
        }
      });
      if (finished) return;
      if (Date.now() >= deadline) {
        throw new TransientBackendError(`${this.targetOf(target)} has not finished ${action} ${describe(target)} after ${Math.round(this.pollTimeoutMs / 1000)} s. Check it in the Azure portal, then try again.`);
      }
      await sleepMs(this.pollIntervalMs);
    }
  }

  private async setEnabled(path: string, version: string, enabled: boolean): Promise<void> {
    const target = this.resolve(path);
    const checked = checkVersion(version);
    await this.call(target, (client, context) => client.updateSecretProperties(target.name, checked, { abortSignal: context.signal, enabled }));
  }

  private resolve(path: string): AzureTarget {
    const slash = path.indexOf('/');
    if (slash === -1) throw invalidInput(`"${path.slice(0, 80)}" does not name a vault: use azure://<vault-name>/<secret-name>.`);
    const vault = checkVaultName(path.slice(0, slash));
    const name = path.slice(slash + 1);
    if (!SECRET_NAME.test(name)) throw invalidInput(`"${name.slice(0, 80)}" is not an Azure secret name: 1 to 127 letters, digits and "-".`);
    return { vault, name };
  }

  private targetOf(target: AzureTarget): string {
    return `Azure Key Vault ${target.vault}`;
  }

  private clientFor(vault: string): { client: SecretClient; url: URL } {
    const known = this.clients.get(vault);
    if (known !== undefined) return known;
    let url: URL;
    if (this.defaultVault !== undefined && this.options.vaultUrl !== undefined) {
      // A connection with its own URL (a private endpoint, a sovereign cloud) serves that vault only.
      if (vault.toLowerCase() !== this.defaultVault.name.toLowerCase()) {
        throw invalidInput(`The reference names vault "${vault}", but this connection is for vault "${this.defaultVault.name}". Use a connection for "${vault}".`);
      }
      url = this.defaultVault.url;
    } else {
      url = new URL(`https://${vault}.${this.dnsSuffix}`);
    }
    const clientOptions: SecretClientOptions = {
      additionalPolicies: [{ policy: this.nextLinks.policy, position: 'perCall' }],
      // Retries are ours (capped, jittered, only for transient failures), so the pipeline makes one attempt.
      retryOptions: { maxRetries: 0 },
      ...(url.protocol === 'http:' ? { allowInsecureConnection: true } : {}),
      ...(this.options.disableChallengeResourceVerification === true ? { disableChallengeResourceVerification: true } : {}),
    };
    const entry = { client: new SecretClient(url.origin, this.options.credential, clientOptions), url };
    this.clients.set(vault, entry);
    return entry;
  }

  private call<T>(target: AzureTarget, request: (client: SecretClient, context: AttemptContext) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const where = this.targetOf(target);
    const { client } = this.clientFor(target.vault);
    const errorContext = { target: where, what: describe(target), credentialsLabel: this.credentialsLabel };
    return withMappedRetry((context) => request(client, context), (error) => mapAzureError(error, errorContext), { ...this.retry, target: where }, signal);
  }
}

function describe(target: AzureTarget): string {
  return `secret "${target.name}"`;
}

function parseVaultUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidInput(`"${text.slice(0, 80)}" is not a vault URL (AZURE_KEYVAULT_URL), e.g. https://myvault.vault.azure.net.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidInput('A vault URL must start with https:// (AZURE_KEYVAULT_URL).');
  if (url.username !== '' || url.password !== '') throw invalidInput('A vault URL must not contain a user name or password.');
  return url;
}

function checkVaultName(name: string): string {
  if (!VAULT_NAME.test(name)) throw invalidInput(`"${name.slice(0, 40)}" is not an Azure Key Vault name: 3 to 24 letters, digits and "-", starting with a letter.`);
  return name;
}

function checkVersion(version: string): string {
  if (!VERSION.test(version)) throw invalidInput(`"${version.slice(0, 40)}" is not an Azure secret version: 32 hexadecimal characters.`);
  return version;
}

/** A page token is the nextLink Azure gave: it must lead back to the same vault, or the bearer token would go elsewhere. */
function checkContinuation(token: string, vaultUrl: URL): string {
  let url: URL;
  try {
    url = new URL(token);
  } catch {
    throw invalidInput('The page token is not one this listing handed out. Start the listing again from the first page.');
  }
  if (url.origin !== vaultUrl.origin || !url.pathname.startsWith('/secrets')) {
    throw invalidInput('The page token is not one this listing handed out. Start the listing again from the first page.');
  }
  return token;
}

function checkTags(metadata: SecretMetadata): void {
  const entries = Object.entries(metadata);
  if (entries.length > 15) throw invalidInput(`Azure keeps at most 15 tags per secret; this metadata has ${entries.length} entries.`);
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 512 || value.length > 256) throw invalidInput(`The metadata "${key.slice(0, 64)}" cannot be an Azure tag: names of 1 to 512 characters, values of at most 256.`);
  }
}

function versionInfo(properties: SecretProperties): { version?: string; createdAt?: string } {
  return {
    ...(properties.version === undefined ? {} : { version: properties.version }),
    ...(properties.createdOn === undefined ? {} : { createdAt: properties.createdOn.toISOString() }),
  };
}

function dates(properties: SecretProperties): { createdAt?: string; updatedAt?: string } {
  return {
    ...(properties.createdOn === undefined ? {} : { createdAt: properties.createdOn.toISOString() }),
    ...(properties.updatedOn === undefined ? {} : { updatedAt: properties.updatedOn.toISOString() }),
  };
}

function tagsAsMetadata(tags: Record<string, string> | undefined): { metadata?: SecretMetadata } {
  return tags === undefined || Object.keys(tags).length === 0 ? {} : { metadata: { ...tags } };
}
