import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import type { AuthClient } from 'google-auth-library';
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
import { HANDSFREE_GCP_PREFIX, handsfreeGcpLabels } from '../../handsfree-layout';
import { crc32c } from '../../remote/crc32c';
import { TransientBackendError, withMappedRetry, type AttemptContext, type RetryOptions, retryOptionsFor, type RemoteBackendOptions } from '../../remote/retry';
import { assertValueFits } from '../../value-limits';
import { mapGcpError, type GcpErrorContext } from './gcp-errors';
import { checkProject, checkVersion, describeTarget, lastSegment, resolveGcpTarget, secretName, type GcpLayoutOptions, type GcpTarget } from './gcp-paths';

/**
 * Google Secret Manager through @google-cloud/secret-manager in its REST ("fallback") mode, so that it
 * works through HTTP proxies and can be pointed at any HTTP endpoint. The payload is the raw UTF-8
 * value (the seed's layout), checked with CRC-32C both ways; every write adds a version; versions can
 * be read by number, disabled, enabled and destroyed. Metadata is stored as labels by the seed's rule
 * (lower-case, [a-z0-9_-], 63 characters), so it round-trips only when it already follows that rule.
 * Deleting a secret is permanent in Google (there is no soft delete); disable a version to keep it.
 */
export type GcpCredentials =
  /** Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, the metadata server). */
  | { source: 'adc' }
  /** A key file's parsed JSON (service account or authorized user), from a file or the keychain. */
  | { source: 'key'; json: Record<string, unknown> }
  /** A ready google-auth-library client (e.g. an OAuth2Client holding an access token). */
  | { source: 'auth-client'; client: AuthClient };

export interface GcpBackendOptions extends RemoteBackendOptions {
  projectId: string;
  /** e.g. https://secretmanager.googleapis.com, a Private Service Connect endpoint, or a local fake. */
  endpoint?: string;
  credentials?: GcpCredentials;
  layout?: 'native' | 'handsfree';
  /** Prefix of secret ids made from keys; the seed's is "handsfree". */
  keyPrefix?: string;
}

export const GCP_MAX_VALUE_BYTES = 65_536;

/** Calls with the library's own retries off: ours are capped, jittered and limited to transient failures. */
const NO_LIBRARY_RETRY = { retry: null };
const STATES: Record<string, SecretVersionInfo['state']> = { ENABLED: 'enabled', '1': 'enabled', DISABLED: 'disabled', '2': 'disabled', DESTROYED: 'destroyed', '3': 'destroyed' };
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class GcpBackend implements SecretBackend {
  readonly scheme = 'gcp' as const;
  readonly capabilities: BackendCapabilities = { versions: true, softDelete: false, metadata: true, checkAndSet: false, maxValueBytes: GCP_MAX_VALUE_BYTES };
  readonly location: string;
  private readonly client: SecretManagerServiceClient;
  private readonly layout: GcpLayoutOptions;
  private readonly target: string;
  private readonly credentialsLabel: string;
  private readonly logger: Logger;
  private readonly retry: Omit<RetryOptions, 'target'>;

  constructor(options: GcpBackendOptions) {
    this.layout = { projectId: checkProject(options.projectId), layout: options.layout ?? 'native', keyPrefix: options.keyPrefix ?? HANDSFREE_GCP_PREFIX };
    this.target = `Google Secret Manager (project ${options.projectId})`;
    this.credentialsLabel = options.credentialsLabel ?? 'Application Default Credentials';
    this.logger = options.logger.child({ backend: 'gcp', project: options.projectId });
    const endpoint = options.endpoint === undefined ? undefined : parseEndpoint(options.endpoint);
    this.location = endpoint === undefined ? this.target : `${this.target} at ${endpoint.host}`;
    const credentials = options.credentials ?? { source: 'adc' };
    this.client = new SecretManagerServiceClient({
      fallback: true,
      projectId: options.projectId,
      ...(endpoint === undefined
        ? {}
        : { apiEndpoint: endpoint.hostname, port: Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80)), protocol: endpoint.protocol.slice(0, -1) }),
      ...(credentials.source === 'key' ? { credentials: credentials.json } : {}),
      ...(credentials.source === 'auth-client' ? { authClient: credentials.client } : {}),
    } as ConstructorParameters<typeof SecretManagerServiceClient>[0]);
    this.retry = retryOptionsFor(options, this.logger, 'gcp');
  }

  /** HandsFree: the key itself (resolution makes it `<prefix>-<normalised key>`); native: the key with characters Google refuses turned into "_". */
  pathForKey(key: string): string {
    return this.layout.layout === 'handsfree' ? key : key.replace(/[^A-Za-z0-9_-]/g, '_');
  }

  async get(path: string, options?: { version?: string }): Promise<ReadResult> {
    const target = this.resolve(path, options?.version);
    const name = `${secretName(target)}/versions/${target.version ?? 'latest'}`;
    const [answer] = await this.call(target, 'NotFound', (context) => cancellable(this.client.accessSecretVersion({ name }, { ...NO_LIBRARY_RETRY, timeout: context.timeoutMs }), context.signal));
    const data = answer.payload?.data;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'base64') : data instanceof Uint8Array ? Buffer.from(data) : undefined;
    if (bytes === undefined) throw invalidInput(`${this.target} returned no payload for ${describeTarget(target)}.`);
    const checksum = answer.payload?.dataCrc32c;
    if (checksum !== undefined && checksum !== null && String(checksum) !== String(crc32c(bytes))) {
      throw new TransientBackendError(`The value of ${describeTarget(target)} arrived damaged (checksum mismatch). Try again.`);
    }
    let value: string;
    try {
      value = utf8.decode(bytes);
    } catch {
      throw invalidInput(`${describeTarget(target)} in ${this.target} holds binary data, not text; Latchkey reads text secrets only.`);
    }
    const version = lastSegment(answer.name);
    return { value, ...(version === undefined ? {} : { version }) };
  }

  async set(path: string, value: string, options: WriteOptions = {}): Promise<WriteResult> {
    const target = this.resolve(path, undefined);
    if (target.version !== undefined) throw invalidInput('A write adds a new version: name the secret without "@version".');
    assertValueFits(value, GCP_MAX_VALUE_BYTES, 'Google Secret Manager');
    const labels = options.metadata === undefined ? undefined : handsfreeGcpLabels(options.metadata);
    const payload = Buffer.from(value, 'utf8');
    if (options.expectedVersion === null) {
      await this.createSecret(target, labels);
      return this.addVersion(target, payload);
    }
    try {
      const written = await this.addVersion(target, payload);
      if (labels !== undefined) await this.replaceLabels(target, labels);
      return written;
    } catch (error) {
      if (!(isLatchkeyError(error) && error.kind === 'NotFound')) throw error;
    }
    try {
      await this.createSecret(target, labels);
    } catch (error) {
      // Created by someone else in between: it exists now, which is all that was needed.
      if (!(isLatchkeyError(error) && error.kind === 'Conflict')) throw error;
      if (labels !== undefined) await this.replaceLabels(target, labels);
    }
    return this.addVersion(target, payload);
  }

  async delete(path: string, _options: DeleteOptions = {}): Promise<void> {
    const target = this.resolve(path, undefined);
    if (target.version !== undefined) throw invalidInput('To remove one version, destroy or disable it; delete removes the whole secret.');
    await this.call(target, 'Conflict', (context) => cancellable(this.client.deleteSecret({ name: secretName(target) }, { ...NO_LIBRARY_RETRY, timeout: context.timeoutMs }), context.signal));
  }

  async disableVersion(path: string, version: string): Promise<void> {
    await this.changeVersion(path, version, 'disable');
  }

  async enableVersion(path: string, version: string): Promise<void> {
    await this.changeVersion(path, version, 'enable');
  }

  async destroyVersion(path: string, version: string): Promise<void> {
    await this.changeVersion(path, version, 'destroy');
  }

  /**
   * Google's list filter does not match by prefix, so the prefix is applied here. Server pages without
   * a match are skipped, so a page is empty only at the end.
   */
  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    const size = pageSizeOf(options, 25_000);
    const matches = this.prefixMatcher(prefix);
    let pageToken = options?.pageToken;
    for (;;) {
      const request = { parent: `projects/${this.layout.projectId}`, pageSize: size, ...(pageToken === undefined ? {} : { pageToken }) };
      const [secrets, , raw] = await this.call(
        { project: this.layout.projectId, secretId: '(listing)', version: undefined },
        'Conflict',
        (context) => cancellable(this.client.listSecrets(request, { ...NO_LIBRARY_RETRY, timeout: context.timeoutMs, autoPaginate: false }), context.signal),
        options?.signal,
      );
      const items: SecretSummary[] = [];
      for (const secret of secrets) {
        const id = lastSegment(secret.name);
        if (id === undefined) continue;
        const path = this.layout.layout === 'handsfree' ? `projects/${this.layout.projectId}/secrets/${id}` : id;
        if (!matches(id)) continue;
        items.push({ path, ...createdAt(secret.createTime), ...labelsAsMetadata(secret.labels) });
      }
      const next = raw?.nextPageToken ?? undefined;
      pageToken = next === '' || next === null ? undefined : next;
      if (items.length > 0 || pageToken === undefined) return { items, ...(pageToken === undefined ? {} : { nextPageToken: pageToken }) };
    }
  }

  async describe(path: string): Promise<SecretDescription> {
    const target = this.resolve(path, undefined);
    const name = secretName(target);
    const [secret] = await this.call(target, 'Conflict', (context) => cancellable(this.client.getSecret({ name }, { ...NO_LIBRARY_RETRY, timeout: context.timeoutMs }), context.signal));
    const versions: SecretVersionInfo[] = [];
    let pageToken: string | undefined;
    do {
      const request = { parent: name, pageSize: 1000, ...(pageToken === undefined ? {} : { pageToken }) };
      const [page, , raw] = await this.call(target, 'Conflict', (context) =>
        cancellable(this.client.listSecretVersions(request, { ...NO_LIBRARY_RETRY, timeout: context.timeoutMs, autoPaginate: false }), context.signal),
      );
      for (const version of page) {
        const number = lastSegment(version.name);
        if (number === undefined) continue;
        versions.push({ version: number, ...createdAt(version.createTime), state: STATES[String(version.state)] ?? 'disabled', current: false });
      }
      const next = raw?.nextPageToken ?? undefined;
      pageToken = next === '' || next === null ? undefined : next;
    } while (pageToken !== undefined);
    versions.sort((a, b) => Number(a.version) - Number(b.version));
    // "latest" is the highest-numbered version, whatever its state.
    const latest = versions.at(-1);
    if (latest !== undefined) latest.current = true;
    return { path, ...createdAt(secret.createTime), ...(latest === undefined ? {} : { version: latest.version }), ...labelsAsMetadata(secret.labels), versions };
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private resolve(path: string, version: string | undefined): GcpTarget {
    const target = resolveGcpTarget(path, this.layout);
    if (version === undefined) return target;
    if (target.version !== undefined && target.version !== version) throw invalidInput(`The reference names version ${target.version} and the request version ${version}; give one.`);
    return { ...target, version: checkVersion(version) };
  }

  private prefixMatcher(prefix: string): (id: string) => boolean {
    if (prefix.startsWith('projects/')) {
      const full = `projects/${this.layout.projectId}/secrets/`;
      if (!prefix.startsWith(full)) throw invalidInput(`Listing covers the connection's project "${this.layout.projectId}" only.`);
      const rest = prefix.slice(full.length);
      return (id) => id.startsWith(rest);
    }
    if (this.layout.layout === 'handsfree') {
      // A key prefix becomes an id prefix by the seed's rule, without trimming a trailing "-".
      const normalized = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '');
      const idPrefix = `${this.layout.keyPrefix}-${normalized}`;
      return (id) => id.startsWith(idPrefix);
    }
    return (id) => id.startsWith(prefix);
  }

  private async createSecret(target: GcpTarget, labels: Record<string, string> | undefined): Promise<void> {
    const request = { parent: `projects/${target.project}`, secretId: target.secretId, secret: { replication: { automatic: {} }, ...(labels === undefined ? {} : { labels }) } };
    await this.call(target, 'Conflict', (context) => cancellable(this.client.createSecret(request, { ...NO_LIBRARY_RETRY, timeout: context.timeoutMs }), context.signal));
  }

  private async addVersion(target: GcpTarget, payload: Buffer): Promise<WriteResult> {
    const request = { parent: secretName(target), payload: { data: payload, dataCrc32c: crc32c(payload) } };
    const [version] = await this.call(target, 'Conflict', (context) => cancellable(this.client.addSecretVersion(request, { ...NO_LIBRARY_RETRY, timeout: context.timeoutMs }), context.signal));
    const number = lastSegment(version.name);
    return number === undefined ? {} : { version: number };
  }

  private async replaceLabels(target: GcpTarget, labels: Record<string, string>): Promise<void> {
    const request = { secret: { name: secretName(target), labels }, updateMask: { paths: ['labels'] } };
    await this.call(target, 'Conflict', (context) => cancellable(this.client.updateSecret(request, { ...NO_LIBRARY_RETRY, timeout: context.timeoutMs }), context.signal));
  }

  private async changeVersion(path: string, version: string, change: 'disable' | 'enable' | 'destroy'): Promise<void> {
    const target = this.resolve(path, version);
    const name = `${secretName(target)}/versions/${target.version}`;
    await this.call(target, 'Conflict', (context) => {
      const callOptions = { ...NO_LIBRARY_RETRY, timeout: context.timeoutMs };
      const operation =
        change === 'disable'
          ? this.client.disableSecretVersion({ name }, callOptions)
          : change === 'enable'
            ? this.client.enableSecretVersion({ name }, callOptions)
            : this.client.destroySecretVersion({ name }, callOptions);
      return cancellable(operation, context.signal);
    });
  }

  private call<T>(target: GcpTarget, failedPrecondition: GcpErrorContext['failedPrecondition'], request: (context: AttemptContext) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const errorContext: GcpErrorContext = { target: this.target, what: describeTarget(target), credentialsLabel: this.credentialsLabel, failedPrecondition };
    return withMappedRetry(request, (error) => mapGcpError(error, errorContext), { ...this.retry, target: this.target }, signal);
  }
}

/** The client's promises can be cancelled, which aborts the HTTP request: do so when the attempt is over. */
function cancellable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  const cancel = (promise as Promise<T> & { cancel?: () => void }).cancel;
  if (typeof cancel !== 'function') return promise;
  const onAbort = () => cancel.call(promise);
  signal.addEventListener('abort', onAbort, { once: true });
  return promise.finally(() => signal.removeEventListener('abort', onAbort));
}

function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalidInput(`"${endpoint.slice(0, 80)}" is not an endpoint URL (GCP_SECRET_MANAGER_ENDPOINT), e.g. https://secretmanager.googleapis.com.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidInput('A Google endpoint must start with https:// (GCP_SECRET_MANAGER_ENDPOINT).');
  if (url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '')) {
    throw invalidInput('A Google endpoint is a scheme, host and port only (GCP_SECRET_MANAGER_ENDPOINT), e.g. https://secretmanager.googleapis.com.');
  }
  return url;
}

function createdAt(time: { seconds?: unknown; nanos?: unknown } | null | undefined): { createdAt?: string } {
  const seconds = Number(time?.seconds ?? Number.NaN);
  if (!Number.isFinite(seconds)) return {};
  return { createdAt: new Date(seconds * 1000 + Math.floor(Number(time?.nanos ?? 0) / 1e6)).toISOString() };
}

function labelsAsMetadata(labels: Record<string, string> | null | undefined): { metadata?: SecretMetadata } {
  if (labels === null || labels === undefined || Object.keys(labels).length === 0) return {};
  return { metadata: { ...labels } };
}

