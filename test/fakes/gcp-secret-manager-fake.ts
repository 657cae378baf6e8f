import { createVerify, randomBytes } from 'node:crypto';
import { crc32c } from '../../electron/core/secrets/remote/crc32c';
import { ServiceFake, type Fault, type FakeRequest, type FakeResponse } from './http-fake';

/**
 * A wire-level fake of Google Secret Manager's REST API v1, written from its reference:
 * secrets (create with secretId, get, patch with updateMask, delete, list with pageSize/pageToken),
 * versions (:addVersion with an optional dataCrc32c, get, :access of N or "latest", :disable,
 * :enable, :destroy, list). Names in answers use the project number, as Google's do. Errors are
 * `{"error": {"code", "message", "status"}}`. Requests need `Authorization: Bearer` with either an
 * access token the fake issued or a service account's self-signed JWT (RS256, checked against the
 * account's public key). With `$alt=json;enum-encoding=int` (the Node client asks for it) enums are
 * numbers.
 */
export interface GcpFakeOptions {
  projectId?: string;
  projectNumber?: string;
  now?: () => number;
}

export type GcpPolicy = 'admin' | 'accessor';

interface Version {
  number: number;
  state: 'ENABLED' | 'DISABLED' | 'DESTROYED';
  data?: Buffer;
  createTime: string;
  destroyTime?: string;
}

interface Secret {
  id: string;
  labels: Record<string, string>;
  createTime: string;
  etag: string;
  versions: Map<number, Version>;
  nextVersion: number;
}

interface Principal {
  policy: GcpPolicy;
  expiresAt: number | undefined;
}

const STATE_NUMBERS = { ENABLED: 1, DISABLED: 2, DESTROYED: 3 } as const;
const STATUS_CODES: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
const MAX_PAYLOAD = 65_536;

class GcpError extends Error {
  constructor(
    readonly status: keyof typeof STATUS_CODES,
    message: string,
  ) {
    super(message);
  }
}

export class GcpSecretManagerFake extends ServiceFake {
  readonly projectId: string;
  readonly projectNumber: string;
  private readonly secrets = new Map<string, Secret>();
  private readonly tokens = new Map<string, Principal>();
  private readonly serviceAccounts = new Map<string, { publicKeyPem: string; policy: GcpPolicy }>();
  private readonly pageTokens = new Map<string, { offset: number; context: string }>();
  private readonly now: () => number;


  private constructor(options: GcpFakeOptions) {
    super();
    this.projectId = options.projectId ?? 'latchkey-test';
    this.projectNumber = options.projectNumber ?? '123456789012';
    this.now = options.now ?? Date.now;
  }

  static start(options: GcpFakeOptions = {}): Promise<GcpSecretManagerFake> {
    return new GcpSecretManagerFake(options).listen();
  }

  get port(): number {
    return this.server.port;
  }

  issueAccessToken(options: { policy?: GcpPolicy; expiresInMs?: number } = {}): string {
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { policy: options.policy ?? 'admin', expiresAt: options.expiresInMs === undefined ? undefined : this.now() + options.expiresInMs });
    return token;
  }

  expireAccessTokens(): void {
    for (const principal of this.tokens.values()) principal.expiresAt = this.now() - 1;
  }

  /** A service account whose self-signed JWTs (signed with the matching private key) are accepted. */
  addServiceAccount(email: string, publicKeyPem: string, policy: GcpPolicy = 'admin'): void {
    this.serviceAccounts.set(email, { publicKeyPem, policy });
  }

  /** Seeds a secret with one version, as another writer (the HandsFree server) would. */
  seed(secretId: string, payload: string | Buffer, labels: Record<string, string> = {}): void {
    const secret = this.newSecret(secretId, labels);
    this.secrets.set(secretId, secret);
    this.addVersionTo(secret, typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload);
  }

  labelsOf(secretId: string): Record<string, string> | undefined {
    return this.secrets.get(secretId)?.labels;
  }

  payloadOf(secretId: string): string | undefined {
    const secret = this.secrets.get(secretId);
    return secret?.versions.get(secret.nextVersion - 1)?.data?.toString('utf8');
  }

  protected renderFault(fault: Fault, request: FakeRequest): FakeResponse | 'continue' {
    switch (fault.kind) {
      case 'server-error':
        return errorResponse(new GcpError(fault.status === 500 ? 'INTERNAL' : 'UNAVAILABLE', 'The service is currently unavailable.'));
      case 'throttle':
        return errorResponse(new GcpError('RESOURCE_EXHAUSTED', "Quota exceeded for quota metric 'Access requests' and limit 'Access requests per minute'."));
      case 'expired-token': {
        const principal = this.tokens.get(bearerOf(request) ?? '');
        if (principal !== undefined) principal.expiresAt = this.now() - 1;
        return errorResponse(new GcpError('UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.'));
      }
      case 'permission-denied':
        return errorResponse(new GcpError('PERMISSION_DENIED', `Permission denied on resource '${request.url.pathname}' (or it may not exist).`));
      default:
        return 'continue';
    }
  }

  protected handle(request: FakeRequest): FakeResponse {
    const numericEnums = (request.url.searchParams.get('$alt') ?? '').includes('enum-encoding=int');
    try {
      const principal = this.authenticate(request);
      const body = this.route(request, principal);
      return { status: 200, body: numericEnums ? numberEnums(body) : body };
    } catch (error) {
      if (error instanceof GcpError) return errorResponse(error);
      throw error;
    }
  }

  private authenticate(request: FakeRequest): Principal {
    const bearer = bearerOf(request);
    const invalid = () => new GcpError('UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    if (bearer === undefined) throw invalid();
    const principal = this.tokens.get(bearer) ?? this.verifySelfSignedJwt(bearer);
    if (principal === undefined) throw invalid();
    if (principal.expiresAt !== undefined && this.now() >= principal.expiresAt) throw invalid();
    return principal;
  }

  /** A service account's JWT: RS256 over header.payload, iss = sub = the account, not expired. */
  private verifySelfSignedJwt(token: string): Principal | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    try {
      const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: string };
      const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { iss?: string; sub?: string; exp?: number; aud?: string; scope?: string };
      if (header.alg !== 'RS256' || claims.iss === undefined || claims.iss !== claims.sub) return undefined;
      const account = this.serviceAccounts.get(claims.iss);
      if (account === undefined) return undefined;
      const verifier = createVerify('RSA-SHA256');
      verifier.update(`${parts[0]}.${parts[1]}`);
      if (!verifier.verify(account.publicKeyPem, Buffer.from(parts[2]!, 'base64url'))) return undefined;
      if (typeof claims.exp !== 'number') return undefined;
      if (claims.aud === undefined && claims.scope === undefined) return undefined;
      return { policy: account.policy, expiresAt: claims.exp * 1000 };
    } catch {
      return undefined;
    }
  }

  private route(request: FakeRequest, principal: Principal): unknown {
    const path = decodeURIComponent(request.url.pathname);
    const match = /^\/v1\/projects\/([^/]+)\/secrets(?:\/([^/:]+)(\/versions(?:\/([^/:]+))?)?)?(?::([a-zA-Z]+))?$/.exec(path);
    if (match === null) throw new GcpError('NOT_FOUND', `The requested URL ${path} was not found on this server.`);
    const [, project, secretId, versionsPart, versionId, verb] = match as unknown as [string, string, string | undefined, string | undefined, string | undefined, string | undefined];
    if (project !== this.projectId && project !== this.projectNumber) throw new GcpError('PERMISSION_DENIED', `Permission denied on resource project ${project}.`);
    const inVersions = versionsPart !== undefined;
    const write = request.method !== 'GET' && verb !== 'access';
    if (write && principal.policy !== 'admin') {
      throw new GcpError('PERMISSION_DENIED', `Permission 'secretmanager.secrets.update' denied for resource 'projects/${project}/secrets/${secretId ?? ''}' (or it may not exist).`);
    }

    if (secretId === undefined) {
      if (request.method === 'GET') return this.listSecrets(request);
      if (request.method === 'POST' && verb === undefined) return this.createSecret(request);
    } else if (!inVersions) {
      if (request.method === 'GET' && verb === undefined) return this.secretResource(this.find(secretId));
      if (request.method === 'PATCH') return this.updateSecret(secretId, request);
      if (request.method === 'DELETE') {
        this.find(secretId);
        this.secrets.delete(secretId);
        return {};
      }
      if (request.method === 'POST' && verb === 'addVersion') return this.addVersion(secretId, request);
    } else if (versionId === undefined) {
      if (request.method === 'GET') return this.listVersions(secretId, request);
    } else {
      const secret = this.find(secretId);
      const version = this.version(secret, versionId);
      if (request.method === 'GET' && verb === undefined) return this.versionResource(secret, version);
      if (request.method === 'GET' && verb === 'access') return this.access(secret, version);
      if (request.method === 'POST' && (verb === 'disable' || verb === 'enable' || verb === 'destroy')) return this.changeState(secret, version, verb);
    }
    throw new GcpError('NOT_FOUND', `The requested URL ${path} was not found on this server.`);
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private secretName(id: string): string {
    return `projects/${this.projectNumber}/secrets/${id}`;
  }

  private newSecret(id: string, labels: Record<string, string>): Secret {
    return { id, labels, createTime: this.iso(), etag: `"${randomBytes(6).toString('hex')}"`, versions: new Map(), nextVersion: 1 };
  }

  private find(secretId: string): Secret {
    const secret = this.secrets.get(secretId);
    if (secret === undefined) throw new GcpError('NOT_FOUND', `Secret [${this.secretName(secretId)}] not found or has no versions.`);
    return secret;
  }

  private version(secret: Secret, versionId: string): Version {
    const number = versionId === 'latest' ? secret.nextVersion - 1 : /^[1-9]\d*$/.test(versionId) ? Number(versionId) : Number.NaN;
    if (Number.isNaN(number)) throw new GcpError('INVALID_ARGUMENT', `Invalid resource field value in the request: version ${versionId}.`);
    const version = secret.versions.get(number);
    if (version === undefined) throw new GcpError('NOT_FOUND', `Secret Version [${this.secretName(secret.id)}/versions/${versionId}] not found.`);
    return version;
  }

  private checkLabels(labels: unknown): Record<string, string> {
    if (labels === undefined) return {};
    if (labels === null || typeof labels !== 'object') throw new GcpError('INVALID_ARGUMENT', 'labels must be a map.');
    const entries = Object.entries(labels as Record<string, unknown>);
    if (entries.length > 64) throw new GcpError('INVALID_ARGUMENT', 'A secret can have at most 64 labels.');
    for (const [key, value] of entries) {
      if (!LABEL_KEY.test(key) || typeof value !== 'string' || !LABEL_VALUE.test(value)) throw new GcpError('INVALID_ARGUMENT', `Invalid label: ${key}.`);
    }
    return labels as Record<string, string>;
  }

  private bodyOf(request: FakeRequest): Record<string, unknown> {
    const body = request.body.length === 0 ? {} : (request.json() as unknown);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new GcpError('INVALID_ARGUMENT', 'Invalid JSON payload received.');
    return body as Record<string, unknown>;
  }

  private createSecret(request: FakeRequest): unknown {
    const secretId = request.url.searchParams.get('secretId') ?? '';
    if (!SECRET_ID.test(secretId)) throw new GcpError('INVALID_ARGUMENT', 'Secret ID must be 1 to 255 characters of letters, numbers, underscores and hyphens.');
    const body = this.bodyOf(request);
    const replication = body.replication as { automatic?: unknown; userManaged?: unknown } | undefined;
    if (replication === undefined || (replication.automatic === undefined && replication.userManaged === undefined)) {
      throw new GcpError('INVALID_ARGUMENT', 'Secret.replication is required.');
    }
    if (this.secrets.has(secretId)) throw new GcpError('ALREADY_EXISTS', `Secret [${this.secretName(secretId)}] already exists.`);
    const secret = this.newSecret(secretId, this.checkLabels(body.labels));
    this.secrets.set(secretId, secret);
    return this.secretResource(secret);
  }

  private updateSecret(secretId: string, request: FakeRequest): unknown {
    const secret = this.find(secretId);
    const mask = request.url.searchParams.get('updateMask');
    if (mask === null || mask === '') throw new GcpError('INVALID_ARGUMENT', 'update_mask is required.');
    const body = this.bodyOf(request);
    for (const field of mask.split(',')) {
      if (field !== 'labels') throw new GcpError('INVALID_ARGUMENT', `This fake updates only labels, not ${field}.`);
      secret.labels = this.checkLabels(body.labels);
    }
    secret.etag = `"${randomBytes(6).toString('hex')}"`;
    return this.secretResource(secret);
  }

  private addVersionTo(secret: Secret, data: Buffer): Version {
    const version: Version = { number: secret.nextVersion, state: 'ENABLED', data, createTime: this.iso() };
    secret.versions.set(version.number, version);
    secret.nextVersion += 1;
    return version;
  }

  private addVersion(secretId: string, request: FakeRequest): unknown {
    const secret = this.find(secretId);
    const payload = this.bodyOf(request).payload as { data?: unknown; dataCrc32c?: unknown } | undefined;
    if (payload === undefined || typeof payload.data !== 'string') throw new GcpError('INVALID_ARGUMENT', 'payload.data is required.');
    const data = Buffer.from(payload.data, 'base64');
    if (data.toString('base64') !== payload.data) throw new GcpError('INVALID_ARGUMENT', 'payload.data is not valid base64.');
    if (data.length > MAX_PAYLOAD) throw new GcpError('INVALID_ARGUMENT', `Secret payload cannot exceed ${MAX_PAYLOAD} bytes.`);
    if (payload.dataCrc32c !== undefined && String(crc32c(data)) !== String(payload.dataCrc32c)) {
      throw new GcpError('INVALID_ARGUMENT', 'The checksum in field dataCrc32c does not match the payload.');
    }
    return this.versionResource(secret, this.addVersionTo(secret, data), payload.dataCrc32c !== undefined);
  }

  private access(secret: Secret, version: Version): unknown {
    if (version.state !== 'ENABLED') throw new GcpError('FAILED_PRECONDITION', `Secret Version [${this.secretName(secret.id)}/versions/${version.number}] is in ${version.state} state.`);
    return { name: `${this.secretName(secret.id)}/versions/${version.number}`, payload: { data: version.data!.toString('base64'), dataCrc32c: String(crc32c(version.data!)) } };
  }

  private changeState(secret: Secret, version: Version, verb: 'disable' | 'enable' | 'destroy'): unknown {
    if (version.state === 'DESTROYED') throw new GcpError('FAILED_PRECONDITION', `Secret Version [${this.secretName(secret.id)}/versions/${version.number}] is in DESTROYED state.`);
    if (verb === 'destroy') {
      version.state = 'DESTROYED';
      delete version.data;
      version.destroyTime = this.iso();
    } else {
      version.state = verb === 'disable' ? 'DISABLED' : 'ENABLED';
    }
    return this.versionResource(secret, version);
  }

  private secretResource(secret: Secret): unknown {
    return { name: this.secretName(secret.id), replication: { automatic: {} }, createTime: secret.createTime, labels: secret.labels, etag: secret.etag };
  }

  private versionResource(secret: Secret, version: Version, checksummed = false): unknown {
    return {
      name: `${this.secretName(secret.id)}/versions/${version.number}`,
      createTime: version.createTime,
      state: version.state,
      etag: `"${version.number}"`,
      clientSpecifiedPayloadChecksum: checksummed,
      ...(version.destroyTime === undefined ? {} : { destroyTime: version.destroyTime }),
    };
  }

  private page<T>(items: T[], request: FakeRequest, context: string): { page: T[]; nextPageToken?: string } {
    const sizeParam = request.url.searchParams.get('pageSize');
    const size = sizeParam === null ? 25_000 : Number(sizeParam);
    if (!Number.isInteger(size) || size < 0 || size > 25_000) throw new GcpError('INVALID_ARGUMENT', 'page_size must be from 0 to 25000.');
    const effective = size === 0 ? 25_000 : size;
    let offset = 0;
    const token = request.url.searchParams.get('pageToken');
    if (token !== null && token !== '') {
      const entry = this.pageTokens.get(token);
      if (entry === undefined || entry.context !== context) throw new GcpError('INVALID_ARGUMENT', 'Invalid page token.');
      offset = entry.offset;
    }
    const page = items.slice(offset, offset + effective);
    if (offset + effective >= items.length) return { page };
    const next = randomBytes(18).toString('base64url');
    this.pageTokens.set(next, { offset: offset + effective, context });
    return { page, nextPageToken: next };
  }

  private listSecrets(request: FakeRequest): unknown {
    if (request.url.searchParams.get('filter') !== null) throw new GcpError('INVALID_ARGUMENT', 'This fake does not implement filters.');
    const secrets = [...this.secrets.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const { page, nextPageToken } = this.page(secrets, request, 'secrets');
    return { secrets: page.map((secret) => this.secretResource(secret)), totalSize: secrets.length, ...(nextPageToken === undefined ? {} : { nextPageToken }) };
  }

  private listVersions(secretId: string, request: FakeRequest): unknown {
    const secret = this.find(secretId);
    const versions = [...secret.versions.values()].sort((a, b) => b.number - a.number);
    const { page, nextPageToken } = this.page(versions, request, `versions:${secretId}`);
    return { versions: page.map((version) => this.versionResource(secret, version)), totalSize: versions.length, ...(nextPageToken === undefined ? {} : { nextPageToken }) };
  }
}

function bearerOf(request: FakeRequest): string | undefined {
  const header = request.header('authorization');
  return header?.startsWith('Bearer ') === true ? header.slice('Bearer '.length) : undefined;
}

function errorResponse(error: GcpError): FakeResponse {
  return { status: STATUS_CODES[error.status] ?? 500, body: { error: { code: STATUS_CODES[error.status] ?? 500, message: error.message, status: error.status } } };
}

/** Enum fields as numbers, for clients that ask with $alt=json;enum-encoding=int. */
function numberEnums(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(numberEnums);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => [key, key === 'state' && typeof field === 'string' ? STATE_NUMBERS[field as keyof typeof STATE_NUMBERS] : numberEnums(field)]),
    );
  }
  return value;
}
