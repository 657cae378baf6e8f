import { randomBytes } from 'node:crypto';
import { ServiceFake, type Fault, type FakeRequest, type FakeResponse } from './http-fake';

/**
 * A wire-level fake of one Azure Key Vault's secrets REST API, written from its reference:
 * PUT/GET/PATCH /secrets/{name}[/{version}], GET /secrets and /secrets/{name}/versions with
 * `maxresults` and `nextLink` ($skiptoken), DELETE /secrets/{name} into /deletedsecrets (get, list,
 * POST …/recover, DELETE to purge), every request carrying `api-version`. Soft delete is on: a
 * deleted name cannot be reused until recovered or purged (409 ObjectIsDeletedButRecoverable).
 * Authentication is Key Vault's challenge: a request without a bearer token gets 401 with
 * `WWW-Authenticate: Bearer authorization="…", resource="https://vault.azure.net"`; a revoked token
 * gets a Continuous Access Evaluation challenge (error="insufficient_claims"). Errors are
 * `{"error": {"code", "message", "innererror": {"code"}}}`.
 *
 * It also plays the App Service managed-identity endpoint (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`,
 * api-version 2019-08-01: GET with `X-IDENTITY-HEADER`, answering access_token / expires_on), so a
 * process using @azure/identity's real credential chain (the built CLI) gets tokens this vault accepts.
 */
export interface AzureFakeOptions {
  now?: () => number;
  tenantId?: string;
  /** How many polls a deletion stays "in progress" (404 on /deletedsecrets) before it shows. */
  pendingDeletePolls?: number;
  purgeProtection?: boolean;
}

export type AzureTokenPolicy = 'all' | 'read';

interface Version {
  id: string;
  value: string;
  contentType?: string;
  tags: Record<string, string>;
  enabled: boolean;
  created: number;
  updated: number;
}

interface Secret {
  name: string;
  versions: Version[];
  deleted?: { deletedDate: number; pendingPolls: number };
}

const API_VERSIONS = new Set(['7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01']);
const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const MAX_VALUE_BYTES = 25 * 1024;
const IDENTITY_PATH = '/msi/token';

class AzureError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly inner?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class AzureKeyVaultFake extends ServiceFake {
  readonly tenantId: string;
  private readonly secrets = new Map<string, Secret>();
  private readonly tokens = new Map<string, { policy: AzureTokenPolicy; revoked: boolean; expiresAt: number }>();
  private readonly pageTokens = new Map<string, { offset: number; context: string }>();
  private readonly now: () => number;
  private readonly pendingDeletePolls: number;
  private readonly purgeProtection: boolean;
  tokensIssued = 0;
  private identityHeader: string | undefined;


  private constructor(options: AzureFakeOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.tenantId = options.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47';
    this.pendingDeletePolls = options.pendingDeletePolls ?? 0;
    this.purgeProtection = options.purgeProtection ?? false;
  }

  static start(options: AzureFakeOptions = {}): Promise<AzureKeyVaultFake> {
    return new AzureKeyVaultFake(options).listen();
  }

  /** What Microsoft Entra ID would hand out for the scope https://vault.azure.net/.default. */
  issueToken(policy: AzureTokenPolicy = 'all', lifetimeMs = 3_600_000): { token: string; expiresOnTimestamp: number } {
    const token = `eyJ0eXAiOiJKV1Qi.${randomBytes(24).toString('base64url')}`;
    const expiresAt = this.now() + lifetimeMs;
    this.tokens.set(token, { policy, revoked: false, expiresAt });
    this.tokensIssued += 1;
    return { token, expiresOnTimestamp: expiresAt };
  }

  /** Turns on the managed-identity endpoint; the variables a process needs to use it. */
  managedIdentity(policy: AzureTokenPolicy = 'all'): { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string } {
    this.identityHeader = randomBytes(16).toString('hex');
    this.identityPolicy = policy;
    return { IDENTITY_ENDPOINT: `${this.url}${IDENTITY_PATH}`, IDENTITY_HEADER: this.identityHeader };
  }

  private identityPolicy: AzureTokenPolicy = 'all';

  revokeAllTokens(): void {
    for (const token of this.tokens.values()) token.revoked = true;
  }

  /** Seeds a secret with one version, as another writer would. */
  seed(name: string, value: string, tags: Record<string, string> = {}): void {
    const now = Math.floor(this.now() / 1000);
    this.secrets.set(name, { name, versions: [{ id: randomBytes(16).toString('hex'), value, tags, enabled: true, created: now, updated: now }] });
  }

  override valueOf(name: string): string | undefined {
    return this.secrets.get(name)?.versions.at(-1)?.value;
  }

  isDeleted(name: string): boolean {
    return this.secrets.get(name)?.deleted !== undefined;
  }

  private challenge(extra = ''): Record<string, string> {
    return { 'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${this.tenantId}", resource="https://vault.azure.net"${extra}` };
  }

  protected renderFault(fault: Fault, request: FakeRequest): FakeResponse | 'continue' {
    switch (fault.kind) {
      case 'server-error':
        return errorResponse(new AzureError(fault.status ?? 500, fault.status === 503 ? 'ServiceUnavailable' : 'InternalServerError', 'The service encountered an internal error.'));
      case 'throttle':
        return errorResponse(
          new AzureError(429, 'Throttled', 'Request was not processed because too many requests were received.', undefined, { 'retry-after': String(fault.retryAfterSeconds ?? 0) }),
        );
      case 'expired-token': {
        // Continuous Access Evaluation: the token was revoked; the client must get a new one with these claims.
        const token = this.tokens.get(bearerOf(request) ?? '');
        if (token !== undefined) token.revoked = true;
        return 'continue';
      }
      case 'permission-denied':
        return errorResponse(new AzureError(403, 'Forbidden', 'Caller is not authorized to perform action on resource.', 'ForbiddenByRbac'));
      default:
        return 'continue';
    }
  }

  protected handle(request: FakeRequest): FakeResponse {
    if (request.url.pathname === IDENTITY_PATH) return this.identityToken(request);
    try {
      const apiVersion = request.url.searchParams.get('api-version');
      if (apiVersion === null || !API_VERSIONS.has(apiVersion)) {
        throw new AzureError(400, 'BadParameter', `The specified version (${apiVersion ?? ''}) is not recognized. Consider using the latest supported version.`);
      }
      const policy = this.authenticate(request);
      const body = this.route(request, policy);
      return body === null ? { status: 204 } : { status: 200, body };
    } catch (error) {
      if (error instanceof AzureError) return errorResponse(error);
      throw error;
    }
  }

  private identityToken(request: FakeRequest): FakeResponse {
    if (this.identityHeader === undefined || request.header('x-identity-header') !== this.identityHeader) {
      return { status: 401, body: { error: 'invalid_request', error_description: 'The X-IDENTITY-HEADER is missing or wrong.' } };
    }
    const resource = request.url.searchParams.get('resource');
    if (request.url.searchParams.get('api-version') !== '2019-08-01' || resource === null) {
      return { status: 400, body: { error: 'invalid_request', error_description: 'api-version 2019-08-01 and resource are required.' } };
    }
    const { token, expiresOnTimestamp } = this.issueToken(this.identityPolicy);
    return { status: 200, body: { access_token: token, expires_on: String(Math.floor(expiresOnTimestamp / 1000)), resource, token_type: 'Bearer', client_id: 'latchkey-fake-identity' } };
  }

  private authenticate(request: FakeRequest): AzureTokenPolicy {
    const bearer = bearerOf(request);
    if (bearer === undefined) throw new AzureError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.', undefined, this.challenge());
    const token = this.tokens.get(bearer);
    if (token === undefined || this.now() >= token.expiresAt) throw new AzureError(401, 'Unauthorized', 'AKV10032: Invalid issuer or expired token.', undefined, this.challenge());
    if (token.revoked) {
      const claims = Buffer.from(JSON.stringify({ access_token: { nbf: { essential: true, value: String(Math.floor(this.now() / 1000)) } } })).toString('base64');
      throw new AzureError(401, 'Unauthorized', 'AKV10032: The token was revoked.', undefined, this.challenge(`, error="insufficient_claims", claims="${claims}"`));
    }
    return token.policy;
  }

  private route(request: FakeRequest, policy: AzureTokenPolicy): unknown {
    const segments = request.url.pathname.split('/').filter((segment) => segment !== '').map(decodeURIComponent);
    const [collection, name, third, fourth] = segments;
    const write = request.method !== 'GET';
    if (write && policy !== 'all') {
      throw new AzureError(403, 'Forbidden', `The user, group or application does not have secrets ${request.method === 'DELETE' ? 'delete' : 'set'} permission on this key vault.`, 'AccessDenied');
    }
    if (collection === 'secrets') {
      if (name === undefined && request.method === 'GET') return this.list(request, 'secrets', [...this.liveSecrets()].map((secret) => this.item(secret, secret.versions.at(-1)!, false)));
      if (name === undefined) throw new AzureError(405, 'MethodNotAllowed', 'Method not allowed.');
      this.checkName(name);
      if (third === 'versions' && fourth === undefined && request.method === 'GET') {
        const secret = this.live(name);
        return this.list(request, `versions:${name}`, secret.versions.map((version) => this.item(secret, version, true)));
      }
      if (request.method === 'PUT' && third === undefined) return this.set(name, request);
      if (request.method === 'GET' && fourth === undefined) return this.get(name, third);
      if (request.method === 'PATCH' && third !== undefined) return this.update(name, third, request);
      if (request.method === 'DELETE' && third === undefined) return this.delete(name);
    }
    if (collection === 'deletedsecrets') {
      if (name === undefined && request.method === 'GET') {
        return this.list(request, 'deleted', [...this.secrets.values()].filter((secret) => this.deletedVisible(secret)).map((secret) => this.deletedBundle(secret)));
      }
      if (name !== undefined) {
        this.checkName(name);
        if (request.method === 'GET' && third === undefined) return this.deletedBundle(this.deleted(name, true));
        if (request.method === 'POST' && third === 'recover') return this.recover(name);
        if (request.method === 'DELETE' && third === undefined) return this.purge(name);
      }
    }
    throw new AzureError(404, 'NotFound', `Route ${request.method} ${request.url.pathname} was not found.`);
  }

  private checkName(name: string): void {
    if (!NAME.test(name)) throw new AzureError(400, 'BadParameter', 'The request URI contains an invalid name: names are 1 to 127 letters, digits and dashes.');
  }

  private *liveSecrets(): Iterable<Secret> {
    for (const secret of [...this.secrets.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) if (secret.deleted === undefined) yield secret;
  }

  private live(name: string): Secret {
    const secret = this.secrets.get(name);
    if (secret === undefined || secret.deleted !== undefined) {
      throw new AzureError(404, 'SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.`);
    }
    return secret;
  }

  private deletedVisible(secret: Secret): boolean {
    return secret.deleted !== undefined && secret.deleted.pendingPolls <= 0;
  }

  /** A deleted secret; while its deletion is "in progress" it is not found yet (and each look counts). */
  private deleted(name: string, countPoll: boolean): Secret {
    const secret = this.secrets.get(name);
    if (secret?.deleted !== undefined && secret.deleted.pendingPolls > 0 && countPoll) {
      secret.deleted.pendingPolls -= 1;
      throw new AzureError(404, 'DeletedSecretNotFound', `Deleted Secret not found: ${name}`);
    }
    if (secret === undefined || !this.deletedVisible(secret)) throw new AzureError(404, 'DeletedSecretNotFound', `Deleted Secret not found: ${name}`);
    return secret;
  }

  private id(name: string, version: Version): string {
    return `${this.url}/secrets/${name}/${version.id}`;
  }

  private attributes(version: Version) {
    return { enabled: version.enabled, created: version.created, updated: version.updated, recoveryLevel: this.purgeProtection ? 'Recoverable' : 'Recoverable+Purgeable', recoverableDays: 90 };
  }

  private bundle(secret: Secret, version: Version) {
    return { value: version.value, id: this.id(secret.name, version), attributes: this.attributes(version), tags: version.tags, ...(version.contentType === undefined ? {} : { contentType: version.contentType }) };
  }

  /** A list entry: the collection listing names the secret, the version listing each version. */
  private item(secret: Secret, version: Version, withVersion: boolean) {
    return { id: withVersion ? this.id(secret.name, version) : `${this.url}/secrets/${secret.name}`, attributes: this.attributes(version), tags: version.tags };
  }

  private deletedBundle(secret: Secret) {
    const latest = secret.versions.at(-1)!;
    const deleted = secret.deleted!;
    return {
      recoveryId: `${this.url}/deletedsecrets/${secret.name}`,
      deletedDate: deleted.deletedDate,
      scheduledPurgeDate: deleted.deletedDate + 90 * 86_400,
      id: this.id(secret.name, latest),
      attributes: this.attributes(latest),
      tags: latest.tags,
    };
  }

  private list(request: FakeRequest, context: string, items: unknown[]): unknown {
    const max = request.url.searchParams.get('maxresults');
    const size = max === null ? 25 : Number(max);
    if (!Number.isInteger(size) || size < 1 || size > 25) throw new AzureError(400, 'BadParameter', 'maxresults must be from 1 to 25.');
    let offset = 0;
    const skip = request.url.searchParams.get('$skiptoken');
    if (skip !== null) {
      const entry = this.pageTokens.get(skip);
      if (entry === undefined || entry.context !== context) throw new AzureError(400, 'BadParameter', 'The $skiptoken is not valid.');
      offset = entry.offset;
    }
    const page = items.slice(offset, offset + size);
    let nextLink: string | null = null;
    if (offset + size < items.length) {
      const token = randomBytes(16).toString('hex');
      this.pageTokens.set(token, { offset: offset + size, context });
      const path = request.url.pathname;
      nextLink = `${this.url}${path}?api-version=${request.url.searchParams.get('api-version')}&$skiptoken=${token}&maxresults=${size}`;
    }
    return { value: page, nextLink };
  }

  private body(request: FakeRequest): Record<string, unknown> {
    const parsed = request.json();
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new AzureError(400, 'BadParameter', 'The request body is not a JSON object.');
    return parsed as Record<string, unknown>;
  }

  private checkTags(tags: unknown): Record<string, string> {
    if (tags === undefined || tags === null) return {};
    if (typeof tags !== 'object') throw new AzureError(400, 'BadParameter', 'Property tags has invalid value.');
    const entries = Object.entries(tags as Record<string, unknown>);
    if (entries.length > 15) throw new AzureError(400, 'BadParameter', 'A secret can have at most 15 tags.');
    for (const [key, value] of entries) {
      if (key.length === 0 || key.length > 512 || typeof value !== 'string' || value.length > 256) throw new AzureError(400, 'BadParameter', 'Tag names are 1 to 512 characters and values at most 256.');
    }
    return tags as Record<string, string>;
  }

  private set(name: string, request: FakeRequest): unknown {
    const body = this.body(request);
    if (typeof body.value !== 'string') throw new AzureError(400, 'BadParameter', 'Property value is required.');
    if (Buffer.byteLength(body.value, 'utf8') > MAX_VALUE_BYTES) throw new AzureError(400, 'BadParameter', 'Property value has an invalid value: it exceeds the maximum size of 25 KB.');
    const existing = this.secrets.get(name);
    if (existing?.deleted !== undefined) {
      throw new AzureError(
        409,
        'Conflict',
        `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
        'ObjectIsDeletedButRecoverable',
      );
    }
    const secret = existing ?? { name, versions: [] };
    this.secrets.set(name, secret);
    const now = Math.floor(this.now() / 1000);
    const enabled = (body.attributes as { enabled?: unknown } | undefined)?.enabled;
    const version: Version = {
      id: randomBytes(16).toString('hex'),
      value: body.value,
      tags: this.checkTags(body.tags),
      enabled: enabled !== false,
      created: now,
      updated: now,
      ...(typeof body.contentType === 'string' ? { contentType: body.contentType } : {}),
    };
    secret.versions.push(version);
    return this.bundle(secret, version);
  }

  private version(secret: Secret, versionId: string | undefined): Version {
    const version = versionId === undefined || versionId === '' ? secret.versions.at(-1) : secret.versions.find((candidate) => candidate.id === versionId);
    if (version === undefined) throw new AzureError(404, 'SecretNotFound', `A secret with (name/id) ${secret.name}/${versionId ?? ''} was not found in this key vault.`);
    return version;
  }

  private get(name: string, versionId: string | undefined): unknown {
    const secret = this.live(name);
    const version = this.version(secret, versionId);
    if (!version.enabled) throw new AzureError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
    return this.bundle(secret, version);
  }

  private update(name: string, versionId: string, request: FakeRequest): unknown {
    const secret = this.live(name);
    const version = this.version(secret, versionId);
    const body = this.body(request);
    const enabled = (body.attributes as { enabled?: unknown } | undefined)?.enabled;
    if (enabled !== undefined) {
      if (typeof enabled !== 'boolean') throw new AzureError(400, 'BadParameter', 'attributes.enabled must be a boolean.');
      version.enabled = enabled;
    }
    if (body.tags !== undefined) version.tags = this.checkTags(body.tags);
    if (typeof body.contentType === 'string') version.contentType = body.contentType;
    version.updated = Math.floor(this.now() / 1000);
    const { value: _value, ...withoutValue } = this.bundle(secret, version);
    return withoutValue;
  }

  private delete(name: string): unknown {
    const secret = this.live(name);
    secret.deleted = { deletedDate: Math.floor(this.now() / 1000), pendingPolls: this.pendingDeletePolls };
    return this.deletedBundle(secret);
  }

  private recover(name: string): unknown {
    const secret = this.deleted(name, false);
    delete secret.deleted;
    const { value: _value, ...withoutValue } = this.bundle(secret, secret.versions.at(-1)!);
    return withoutValue;
  }

  private purge(name: string): null {
    const secret = this.deleted(name, false);
    if (this.purgeProtection) throw new AzureError(403, 'Forbidden', 'Operation "purge" is not allowed because purge protection is enabled for this vault.', 'PurgeProtectionEnabled');
    this.secrets.delete(secret.name);
    return null;
  }
}

function bearerOf(request: FakeRequest): string | undefined {
  const header = request.header('authorization');
  return header?.startsWith('Bearer ') === true ? header.slice('Bearer '.length) : undefined;
}

function errorResponse(error: AzureError): FakeResponse {
  return {
    status: error.status,
    headers: error.headers,
    body: { error: { code: error.code, message: error.message, ...(error.inner === undefined ? {} : { innererror: { code: error.inner } }) } },
  };
}
