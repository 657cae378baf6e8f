import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { backendUnavailable, conflict, invalidInput, isLatchkeyError, notFound } from '../../../errors';
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
import { compareCodeUnits, decodeCursor, encodeCursor, pageSizeOf } from '../../client-side-paging';
import { withRetry, type AttemptContext, type RetryOptions, retryOptionsFor, type RemoteBackendOptions } from '../../remote/retry';
import { assertValueFits } from '../../value-limits';
import { CAS_MISMATCH, mapVaultError, vaultReplyOf } from './vault-errors';
import { VaultHttp, type VaultRequest, type VaultTlsOptions } from './vault-http';
import { checkField, checkMount, checkSecretPath, DEFAULT_VAULT_FIELD, describeTarget, encodeSegments, referencePathOf, resolveVaultTarget, type VaultLayoutOptions, type VaultTarget } from './vault-paths';
import { VaultSession, type VaultAuth } from './vault-session';

/**
 * HashiCorp Vault, KV secrets engine version 2, through node-vault. Data is stored the seed's way,
 * `{"value": …, "metadata": {…}}`; every write makes a version and is check-and-set (two writers never
 * silently overwrite each other); delete is a soft delete of the latest version (undone by restore),
 * a forced delete removes every version.
 */
export interface VaultBackendOptions extends RemoteBackendOptions {
  address: string;
  namespace?: string;
  mount?: string;
  field?: string;
  layout?: 'native' | 'handsfree';
  auth: VaultAuth;
  tls?: VaultTlsOptions;
  now?: () => Date;
  renewAfterFraction?: number;
}

/**
 * Vault's storage caps one entry (Consul at 512 KiB, integrated storage at 1 MiB by default), and the
 * entry holds the JSON-encoded data and version metadata; this leaves room for both.
 */
export const VAULT_MAX_VALUE_BYTES = 480 * 1024;

const versionMetadataSchema = z.object({
  created_time: z.string(),
  deletion_time: z.string(),
  destroyed: z.boolean(),
  version: z.number().int().positive(),
});
const readSchema = z.object({ data: z.object({ data: z.record(z.string(), z.unknown()), metadata: versionMetadataSchema }) });
const writeSchema = z.object({ data: versionMetadataSchema });
const metadataSchema = z.object({
  data: z.object({
    created_time: z.string(),
    updated_time: z.string(),
    current_version: z.number().int().nonnegative(),
    custom_metadata: z.record(z.string(), z.string()).nullable().optional(),
    versions: z.record(z.string(), z.object({ created_time: z.string(), deletion_time: z.string(), destroyed: z.boolean() })),
  }),
});
const listSchema = z.object({ data: z.object({ keys: z.array(z.string()) }) });

type KvData = Record<string, unknown>;
type KvMetadata = z.infer<typeof metadataSchema>['data'];

export class VaultBackend implements SecretBackend {
  readonly scheme = 'vault' as const;
  readonly capabilities: BackendCapabilities = { versions: true, softDelete: true, metadata: true, checkAndSet: true, maxValueBytes: VAULT_MAX_VALUE_BYTES };
  readonly location: string;
  private readonly http: VaultHttp;
  private readonly session: VaultSession;
  private readonly layout: VaultLayoutOptions;
  private readonly target: string;
  private readonly logger: Logger;
  private readonly retry: Omit<RetryOptions, 'target'>;

  constructor(options: VaultBackendOptions) {
    const address = parseAddress(options.address);
    this.target = `Vault at ${address.host}`;
    this.layout = { mount: checkMount(options.mount ?? 'secret'), field: checkField(options.field ?? DEFAULT_VAULT_FIELD), layout: options.layout ?? 'native' };
    this.location = `${this.target}${options.namespace ? `, namespace ${options.namespace}` : ''}, mount ${this.layout.mount}`;
    this.logger = options.logger.child({ backend: 'vault', host: address.host });
    this.http = new VaultHttp(address.origin, options.namespace === '' ? undefined : options.namespace, options.tls);
    this.session = new VaultSession({
      http: this.http,
      auth: options.auth,
      now: options.now ?? (() => new Date()),
      logger: this.logger,
      target: this.target,
      credentialsLabel: options.credentialsLabel ?? 'the connection',
      ...(options.renewAfterFraction === undefined ? {} : { renewAfterFraction: options.renewAfterFraction }),
    });
    this.retry = retryOptionsFor(options, this.logger, 'vault');
  }

  pathForKey(key: string): string {
    return key;
  }

  /** Closes the connections kept alive to the server (a new request opens one again). */
  async close(): Promise<void> {
    this.http.close();
  }

  async get(path: string, options?: { version?: string }): Promise<ReadResult> {
    const target = resolveVaultTarget(path, this.layout);
    const version = options?.version === undefined ? undefined : parseVersion(options.version);
    return this.resultOf(target, await this.readData(target, version));
  }

  private resultOf(target: VaultTarget, read: z.infer<typeof readSchema>['data']): ReadResult {
    const value = read.data[target.field];
    if (value === undefined) throw notFound(`${this.target} has ${describeTarget({ ...target, field: DEFAULT_VAULT_FIELD })} but it has no field "${target.field}".`);
    if (typeof value !== 'string') throw invalidInput(`Field "${target.field}" of ${describeTarget(target)} is not text, so Latchkey cannot show it as a secret value.`);
    return { value, version: String(read.metadata.version), createdAt: read.metadata.created_time };
  }

  async set(path: string, value: string, options: WriteOptions = {}): Promise<WriteResult> {
    const target = resolveVaultTarget(path, this.layout);
    assertValueFits(value, VAULT_MAX_VALUE_BYTES, 'Vault');
    // Every write is check-and-set: against the version the caller read, or else the version current
    // now, so a write that lands between that read and ours is a Conflict, never silently lost. The
    // latest version also carries metadata over (it stays with the secret) and other fields' data.
    // A write that names its version and metadata and replaces the whole secret carries nothing over: no read.
    const complete = typeof options.expectedVersion === 'string' && options.metadata !== undefined && target.field === DEFAULT_VAULT_FIELD;
    const previous = complete ? undefined : await this.readLatestIfAny(target);
    const cas = expectedToCas(options.expectedVersion) ?? previous?.metadata.version ?? (await this.readMetadataIfAny(target))?.current_version ?? 0;

    const data: KvData = target.field === DEFAULT_VAULT_FIELD ? { value } : { ...(previous?.data ?? {}), [target.field]: value };
    const metadata = options.metadata ?? (isMetadata(previous?.data.metadata) ? previous.data.metadata : undefined);
    if (metadata !== undefined) data.metadata = metadata;

    return this.write(target, data, cas);
  }

  async delete(path: string, options: DeleteOptions = {}): Promise<void> {
    const target = this.wholeSecret(path, 'delete');
    const metadata = await this.readMetadata(target);
    if (options.force === true) {
      await this.call(target, (token, context) => this.send(context, { method: 'DELETE', path: this.kv(target, 'metadata'), token }));
      return;
    }
    const latest = metadata.versions[String(metadata.current_version)];
    if (latest === undefined || latest.destroyed || latest.deletion_time !== '') {
      throw notFound(`The latest version of ${describeTarget(target)} is already deleted; there is nothing more to delete without force.`);
    }
    await this.call(target, (token, context) => this.send(context, { method: 'DELETE', path: this.kv(target, 'data'), token }));
  }

  async restore(path: string): Promise<void> {
    const target = this.wholeSecret(path, 'restore');
    const metadata = await this.readMetadata(target);
    const latest = metadata.versions[String(metadata.current_version)];
    if (latest === undefined || latest.destroyed) throw notFound(`The latest version of ${describeTarget(target)} was destroyed or pruned; it cannot be restored.`);
    if (latest.deletion_time === '') throw conflict(`${describeTarget(target)} is not deleted, so there is nothing to restore.`);
    await this.changeVersions(target, 'undelete', metadata.current_version);
  }

  async disableVersion(path: string, version: string): Promise<void> {
    await this.changeVersions(this.wholeSecret(path, 'disable a version of'), 'delete', parseVersion(version));
  }

  async enableVersion(path: string, version: string): Promise<void> {
    await this.changeVersions(this.wholeSecret(path, 'enable a version of'), 'undelete', parseVersion(version));
  }

  async destroyVersion(path: string, version: string): Promise<void> {
    await this.changeVersions(this.wholeSecret(path, 'destroy a version of'), 'destroy', parseVersion(version));
  }

  async describe(path: string): Promise<SecretDescription> {
    return (await this.describeAndReadLatest(path)).description;
  }

  async describeWithCurrent(path: string): Promise<{ description: SecretDescription; current: ReadResult }> {
    const { target, description, latest } = await this.describeAndReadLatest(path);
    if (latest === undefined) throw notFound(`The latest version of ${describeTarget(target)} is deleted or destroyed.`);
    return { description, current: this.resultOf(target, latest) };
  }

  private async describeAndReadLatest(path: string): Promise<{ target: VaultTarget; description: SecretDescription; latest?: z.infer<typeof readSchema>['data'] }> {
    const target = resolveVaultTarget(path, this.layout);
    const metadata = await this.readMetadata(target);
    const versions: SecretVersionInfo[] = Object.entries(metadata.versions)
      .map(([number, info]) => ({
        version: number,
        createdAt: info.created_time,
        state: info.destroyed ? ('destroyed' as const) : info.deletion_time !== '' ? ('deleted' as const) : ('enabled' as const),
        current: Number(number) === metadata.current_version,
      }))
      .sort((a, b) => Number(a.version) - Number(b.version));
    const latest = await this.readLatestIfAny(target);
    const fromData = isMetadata(latest?.data.metadata) ? latest.data.metadata : {};
    const merged = { ...(metadata.custom_metadata ?? {}), ...fromData };
    const description: SecretDescription = {
      path,
      createdAt: metadata.created_time,
      updatedAt: metadata.updated_time,
      version: String(metadata.current_version),
      ...(Object.keys(merged).length === 0 ? {} : { metadata: merged }),
      versions,
    };
    return { target, description, ...(latest === undefined ? {} : { latest }) };
  }

  /**
   * KV v2 lists one folder at a time and has no paging of its own: this walks the folders depth-first
   * in code-unit order, which is the order of the full paths, and resumes after the cursor's path.
   */
  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    const size = pageSizeOf(options);
    const after = decodeCursor(options?.pageToken);
    if (prefix.includes('#')) throw invalidInput('List a Vault folder with vault://<path-prefix> on the connection\'s mount, without "#field".');
    const kvPrefix = this.layout.layout === 'handsfree' ? prefix.replace(/[_.]/g, '/') : prefix;
    checkSecretPath(kvPrefix.replace(/\/+$/, ''), true);
    const slash = kvPrefix.lastIndexOf('/');
    const folder = slash === -1 ? '' : kvPrefix.slice(0, slash + 1);
    const items: SecretSummary[] = [];
    let last: string | undefined;
    let more = false;

    const walk = async (dir: string): Promise<boolean> => {
      for (const key of await this.listFolder(dir, options?.signal)) {
        const full = dir + key;
        if (key.endsWith('/')) {
          // A folder is skipped when all of it sorts before the cursor or none of it matches the prefix.
          if (after !== undefined && !after.startsWith(full) && compareCodeUnits(full, after) < 0) continue;
          if (!full.startsWith(kvPrefix) && !kvPrefix.startsWith(full)) continue;
          if (await walk(full)) return true;
          continue;
        }
        if (!full.startsWith(kvPrefix) || (after !== undefined && compareCodeUnits(full, after) <= 0)) continue;
        if (items.length === size) {
          more = true;
          return true;
        }
        items.push({ path: referencePathOf(full, this.layout) });
        last = full;
      }
      return false;
    };
    await walk(folder);
    return { items, ...(more && last !== undefined ? { nextPageToken: encodeCursor(last) } : {}) };
  }

  private async listFolder(dir: string, signal: AbortSignal | undefined): Promise<string[]> {
    const target: VaultTarget = { mount: this.layout.mount, path: dir, field: this.layout.field };
    try {
      const answer = await this.call(
        { ...target, path: dir === '' ? '(top level)' : dir },
        (token, context) =>
          this.send(context, { method: 'GET', path: `${encodeSegments(this.layout.mount)}/metadata/${encodeSegments(dir)}?list=true`, token }),
        signal,
      );
      const parsed = listSchema.safeParse(answer);
      if (!parsed.success) throw this.unexpected('a folder listing');
      return [...parsed.data.data.keys].sort(compareCodeUnits);
    } catch (error) {
      // An empty or missing folder is a 404 in Vault.
      if (isLatchkeyError(error) && error.kind === 'NotFound') return [];
      throw error;
    }
  }

  private wholeSecret(path: string, action: string): VaultTarget {
    const target = resolveVaultTarget(path, this.layout);
    if (target.field !== this.layout.field && path.includes('#')) {
      throw invalidInput(`Cannot ${action} one field: name the whole secret, without "#${target.field}".`);
    }
    return target;
  }

  private kv(target: VaultTarget, operation: 'data' | 'metadata' | 'delete' | 'undelete' | 'destroy'): string {
    return `${encodeSegments(target.mount)}/${operation}/${encodeSegments(target.path)}`;
  }

  private async readData(target: VaultTarget, version?: number): Promise<z.infer<typeof readSchema>['data']> {
    const answer = await this.call(target, (token, context) =>
      this.send(context, { method: 'GET', path: `${this.kv(target, 'data')}${version === undefined ? '' : `?version=${version}`}`, token }),
    );
    const parsed = readSchema.safeParse(answer);
    if (!parsed.success) throw this.unexpected(describeTarget(target));
    return parsed.data.data;
  }

  private async readLatestIfAny(target: VaultTarget): Promise<z.infer<typeof readSchema>['data'] | undefined> {
    try {
      return await this.readData(target);
    } catch (error) {
      if (isLatchkeyError(error) && error.kind === 'NotFound') return undefined;
      throw error;
    }
  }

  private async readMetadata(target: VaultTarget): Promise<KvMetadata> {
    const answer = await this.call(target, (token, context) => this.send(context, { method: 'GET', path: this.kv(target, 'metadata'), token }));
    const parsed = metadataSchema.safeParse(answer);
    if (!parsed.success) throw this.unexpected(describeTarget(target));
    return parsed.data.data;
  }

  private async readMetadataIfAny(target: VaultTarget): Promise<KvMetadata | undefined> {
    try {
      return await this.readMetadata(target);
    } catch (error) {
      if (isLatchkeyError(error) && error.kind === 'NotFound') return undefined;
      throw error;
    }
  }

  private async write(target: VaultTarget, data: KvData, cas: number): Promise<WriteResult> {
    let sent = false;
    const answer = await this.call(target, async (token, context) => {
      try {
        return await this.send(context, { method: 'POST', path: this.kv(target, 'data'), token, body: { data, options: { cas } } });
      } catch (error) {
        // An earlier attempt timed out after Vault applied it: the "mismatch" is our own write.
        if (sent && vaultReplyOf(error)?.errors.some((line) => line.includes(CAS_MISMATCH)) === true) {
          const latest = await this.readLatestIfAny(target);
          if (latest !== undefined && latest.metadata.version === cas + 1 && isDeepStrictEqual(latest.data, data)) return { data: latest.metadata };
        }
        throw error;
      } finally {
        sent = true;
      }
    });
    const parsed = writeSchema.safeParse(answer);
    if (!parsed.success) throw this.unexpected(describeTarget(target));
    return { version: String(parsed.data.data.version) };
  }

  private async changeVersions(target: VaultTarget, operation: 'delete' | 'undelete' | 'destroy', version: number): Promise<void> {
    const metadata = await this.readMetadata(target);
    if (metadata.versions[String(version)] === undefined) throw notFound(`${describeTarget(target)} has no version ${version}.`);
    await this.call(target, (token, context) => this.send(context, { method: 'POST', path: this.kv(target, operation), token, body: { versions: [version] } }));
  }

  /** One request of an attempt: the attempt's signal abandons it when the attempt times out or is cancelled. */
  private send(context: AttemptContext, request: Omit<VaultRequest, 'timeoutMs' | 'signal'>): Promise<unknown> {
    return this.http.send({ ...request, timeoutMs: context.timeoutMs, signal: context.signal });
  }

  /** One Vault request with retries, a per-attempt timeout, and one re-login when the token is refused. */
  private call<T>(target: VaultTarget, request: (token: string, context: AttemptContext) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const errorContext = { target: this.target, what: describeTarget(target) };
    return withRetry(
      async (context) => {
        const token = await this.session.token(context.timeoutMs);
        try {
          return await request(token, context);
        } catch (error) {
          const mapped = mapVaultError(error, errorContext);
          if (vaultReplyOf(error)?.status !== 403) throw mapped;
          await this.session.rejected(token, context.timeoutMs, mapped);
          try {
            return await request(await this.session.token(context.timeoutMs), context);
          } catch (second) {
            throw mapVaultError(second, errorContext);
          }
        }
      },
      { ...this.retry, target: this.target, ...(signal === undefined ? {} : { signal }) },
    );
  }

  private unexpected(what: string) {
    return backendUnavailable(`${this.target} answered a request for ${what} with something that is not Vault's KV version 2 API. Check the address and the mount of the connection.`);
  }
}

function parseAddress(address: string): URL {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw invalidInput(`"${address.slice(0, 80)}" is not a Vault address. Use a URL such as https://vault.example.com:8200 (VAULT_ADDR).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidInput(`A Vault address must start with https:// or http:// (VAULT_ADDR).`);
  if (url.username !== '' || url.password !== '') throw invalidInput('A Vault address must not contain a user name or password; use a token or AppRole instead.');
  return url;
}

function parseVersion(version: string): number {
  if (!/^[1-9]\d{0,9}$/.test(version)) throw invalidInput(`"${version.slice(0, 40)}" is not a Vault version: versions are whole numbers from 1.`);
  return Number(version);
}

function expectedToCas(expected: string | null | undefined): number | undefined {
  if (expected === undefined) return undefined;
  if (expected === null) return 0;
  return parseVersion(expected);
}

function isMetadata(value: unknown): value is SecretMetadata {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string');
}
