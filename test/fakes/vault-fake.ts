import { randomBytes, randomUUID } from 'node:crypto';
import { ServiceFake, type Fault, type FakeRequest, type FakeResponse } from './http-fake';

/**
 * A wire-level fake of HashiCorp Vault's HTTP API, written from its public documentation:
 * - KV secrets engine v2: /v1/<mount>/data, /metadata (read, LIST via ?list=true, delete, write),
 *   /delete, /undelete, /destroy; check-and-set through options.cas; version history with max_versions.
 * - AppRole: POST /v1/auth/<mount>/login; tokens: GET /v1/auth/token/lookup-self, POST renew-self.
 * - Namespaces (Enterprise) through the X-Vault-Namespace header; a token belongs to one namespace.
 * - GET /v1/sys/health without a token.
 * Errors are `{"errors": [...]}`: 400 invalid or CAS mismatch, 403 for a missing, invalid or expired
 * token and for a policy denial, 404 not found, 429 rate limited, 5xx.
 */
export interface VaultFakeOptions {
  now?: () => number;
  /** Namespaces besides the root one (""). */
  namespaces?: string[];
  /** KV v2 mounts in every namespace (default ["secret"]). */
  mounts?: string[];
  maxVersions?: number;
  tls?: { key: string; cert: string };
}

export type TokenPolicy = 'read-write' | 'read-only' | 'deny-all';

interface Token {
  id: string;
  namespace: string;
  policy: TokenPolicy;
  /** 0: never expires (a root token). */
  ttlSeconds: number;
  maxTtlSeconds: number;
  renewable: boolean;
  issuedAt: number;
  expiresAt: number | undefined;
  revoked: boolean;
}

interface Version {
  data: Record<string, unknown>;
  createdTime: string;
  deletionTime: string;
  destroyed: boolean;
}

interface KvSecret {
  versions: Map<number, Version>;
  currentVersion: number;
  oldestVersion: number;
  maxVersions: number;
  casRequired: boolean;
  customMetadata: Record<string, string> | null;
  createdTime: string;
  updatedTime: string;
}

interface AppRole {
  roleId: string;
  secretId: string;
  namespace: string;
  mount: string;
  policy: TokenPolicy;
  ttlSeconds: number;
  maxTtlSeconds: number;
}

const VAULT_ERRORS = (status: number, ...errors: string[]): FakeResponse => ({ status, body: { errors } });
const PERMISSION_DENIED = () => VAULT_ERRORS(403, 'permission denied');

export class VaultFake extends ServiceFake {
  readonly tokens = new Map<string, Token>();
  readonly logins: { roleId: string; namespace: string }[] = [];
  renewals = 0;
  private readonly approles: AppRole[] = [];
  private readonly stores = new Map<string, Map<string, KvSecret>>();
  private readonly now: () => number;
  private readonly namespaces: Set<string>;
  private readonly mounts: string[];
  private readonly maxVersions: number;


  private constructor(options: VaultFakeOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.namespaces = new Set(['', ...(options.namespaces ?? [])]);
    this.mounts = options.mounts ?? ['secret'];
    this.maxVersions = options.maxVersions ?? 10;
  }

  static start(options: VaultFakeOptions = {}): Promise<VaultFake> {
    return new VaultFake(options).listen({
      maxBodyBytes: 32 * 1024 * 1024,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    });
  }

  createToken(options: { namespace?: string; policy?: TokenPolicy; ttlSeconds?: number; maxTtlSeconds?: number; renewable?: boolean } = {}): string {
    const id = `hvs.${randomBytes(18).toString('base64url')}`;
    const ttlSeconds = options.ttlSeconds ?? 0;
    this.tokens.set(id, {
      id,
      namespace: options.namespace ?? '',
      policy: options.policy ?? 'read-write',
      ttlSeconds,
      maxTtlSeconds: options.maxTtlSeconds ?? ttlSeconds * 4,
      renewable: options.renewable ?? ttlSeconds > 0,
      issuedAt: this.now(),
      expiresAt: ttlSeconds > 0 ? this.now() + ttlSeconds * 1000 : undefined,
      revoked: false,
    });
    return id;
  }

  addAppRole(options: { namespace?: string; mount?: string; policy?: TokenPolicy; ttlSeconds?: number; maxTtlSeconds?: number } = {}): { roleId: string; secretId: string } {
    const role: AppRole = {
      roleId: randomUUID(),
      secretId: randomUUID(),
      namespace: options.namespace ?? '',
      mount: options.mount ?? 'approle',
      policy: options.policy ?? 'read-write',
      ttlSeconds: options.ttlSeconds ?? 3600,
      maxTtlSeconds: options.maxTtlSeconds ?? 4 * 3600,
    };
    this.approles.push(role);
    return { roleId: role.roleId, secretId: role.secretId };
  }

  revokeAllTokens(): void {
    for (const token of this.tokens.values()) token.revoked = true;
  }

  /** Seeds a secret the way another writer (the HandsFree server) would have. */
  seed(path: string, data: Record<string, unknown>, options: { namespace?: string; mount?: string } = {}): void {
    this.writeVersion(this.store(options.namespace ?? '', options.mount ?? 'secret'), path, data);
  }

  /** The data of the latest version as stored (for layout checks). */
  stored(path: string, options: { namespace?: string; mount?: string } = {}): Record<string, unknown> | undefined {
    const secret = this.store(options.namespace ?? '', options.mount ?? 'secret').get(path);
    return secret?.versions.get(secret.currentVersion)?.data;
  }

  setCasRequired(path: string, required: boolean, options: { namespace?: string; mount?: string } = {}): void {
    const secret = this.store(options.namespace ?? '', options.mount ?? 'secret').get(path);
    if (secret !== undefined) secret.casRequired = required;
  }

  private store(namespace: string, mount: string): Map<string, KvSecret> {
    const key = `${namespace}\0${mount}`;
    let store = this.stores.get(key);
    if (store === undefined) {
      store = new Map();
      this.stores.set(key, store);
    }
    return store;
  }

  protected renderFault(fault: Fault, request: FakeRequest): FakeResponse | 'continue' {
    switch (fault.kind) {
      case 'server-error':
        return fault.status === 503 ? VAULT_ERRORS(503, 'Vault is sealed') : VAULT_ERRORS(fault.status ?? 500, 'internal error');
      case 'throttle':
        return {
          status: 429,
          headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
          body: { errors: [`request path "${request.url.pathname.replace(/^\/v1\//, '')}": rate limit quota exceeded`] },
        };
      case 'expired-token': {
        // The token presented has reached its end of life: it stays invalid from now on.
        const token = this.tokens.get(request.header('x-vault-token') ?? '');
        if (token !== undefined) token.expiresAt = this.now() - 1;
        return 'continue';
      }
      case 'permission-denied':
        return PERMISSION_DENIED();
      default:
        return 'continue';
    }
  }

  protected handle(request: FakeRequest): FakeResponse {
    const path = request.url.pathname;
    if (!path.startsWith('/v1/')) return VAULT_ERRORS(404, 'no handler for route');
    const route = path
      .slice(4)
      .split('/')
      .map((segment) => decodeURIComponent(segment));
    const namespace = (request.header('x-vault-namespace') ?? '').replace(/^\/+|\/+$/g, '');
    if (!this.namespaces.has(namespace)) return VAULT_ERRORS(404, `no handler for route "${namespace}"`);

    if (route.join('/') === 'sys/health' && request.method === 'GET') {
      return { status: 200, body: { initialized: true, sealed: false, standby: false, version: '1.17.0-fake', cluster_name: 'fake' } };
    }
    if (route[0] === 'auth' && route[2] === 'login' && route.length === 3 && request.method === 'POST') {
      return this.login(route[1]!, namespace, request);
    }

    const token = this.authenticate(request, namespace);
    if (token === undefined) return PERMISSION_DENIED();

    if (route[0] === 'auth' && route[1] === 'token') {
      if (route[2] === 'lookup-self' && request.method === 'GET') return this.lookupSelf(token);
      if (route[2] === 'renew-self' && (request.method === 'POST' || request.method === 'PUT')) return this.renewSelf(token, request);
      return VAULT_ERRORS(405, 'unsupported operation');
    }

    const mount = route[0] ?? '';
    if (!this.mounts.includes(mount)) return VAULT_ERRORS(404, `no handler for route "${route.join('/')}". route entry not found.`);
    const operation = route[1];
    const secretPath = route.slice(2).join('/');
    const list = request.method === 'LIST' || (request.method === 'GET' && ['true', '1'].includes(request.url.searchParams.get('list') ?? ''));
    const store = this.store(namespace, mount);

    const needs = list || request.method === 'GET' ? 'read' : 'write';
    if (token.policy === 'deny-all' || (needs === 'write' && token.policy === 'read-only')) return VAULT_ERRORS(403, '1 error occurred:\n\t* permission denied\n\n');

    if (operation === 'metadata' && list) return this.listKeys(store, secretPath);
    if (secretPath === '' || secretPath.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
      return VAULT_ERRORS(400, 'invalid path');
    }
    switch (`${operation} ${request.method}`) {
      case 'data GET':
        return this.readData(store, secretPath, request);
      case 'data POST':
      case 'data PUT':
        return this.writeData(store, secretPath, request);
      case 'data DELETE':
        return this.deleteLatest(store, secretPath);
      case 'metadata GET':
        return this.readMetadata(store, secretPath);
      case 'metadata DELETE':
        store.delete(secretPath);
        return { status: 204 };
      case 'metadata POST':
      case 'metadata PUT':
        return this.writeMetadata(store, secretPath, request);
      case 'delete POST':
      case 'delete PUT':
        return this.changeVersions(store, secretPath, request, (version) => {
          if (!version.destroyed && version.deletionTime === '') version.deletionTime = this.iso();
        });
      case 'undelete POST':
      case 'undelete PUT':
        return this.changeVersions(store, secretPath, request, (version) => {
          if (!version.destroyed) version.deletionTime = '';
        });
      case 'destroy POST':
      case 'destroy PUT':
        return this.changeVersions(store, secretPath, request, (version) => {
          version.destroyed = true;
          version.data = {};
        });
      default:
        return VAULT_ERRORS(405, 'unsupported operation');
    }
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private authenticate(request: FakeRequest, namespace: string): Token | undefined {
    const token = this.tokens.get(request.header('x-vault-token') ?? '');
    if (token === undefined || token.revoked) return undefined;
    if (token.expiresAt !== undefined && this.now() >= token.expiresAt) return undefined;
    // A token is valid in its own namespace and the ones below it.
    if (token.namespace !== '' && namespace !== token.namespace && !namespace.startsWith(`${token.namespace}/`)) return undefined;
    return token;
  }

  private login(mount: string, namespace: string, request: FakeRequest): FakeResponse {
    const body = request.json() as { role_id?: unknown; secret_id?: unknown } | null;
    if (body === null || typeof body !== 'object' || typeof body.role_id !== 'string' || body.role_id === '') {
      return VAULT_ERRORS(400, 'missing role_id');
    }
    const role = this.approles.find((candidate) => candidate.roleId === body.role_id && candidate.mount === mount && candidate.namespace === namespace);
    if (role === undefined) return VAULT_ERRORS(400, 'invalid role or secret ID');
    if (body.secret_id !== role.secretId) return VAULT_ERRORS(400, 'invalid role or secret ID');
    const clientToken = this.createToken({ namespace, policy: role.policy, ttlSeconds: role.ttlSeconds, maxTtlSeconds: role.maxTtlSeconds, renewable: true });
    this.logins.push({ roleId: role.roleId, namespace });
    return {
      status: 200,
      body: {
        request_id: randomUUID(),
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data: null,
        auth: {
          client_token: clientToken,
          accessor: randomUUID(),
          policies: ['default', role.policy],
          token_policies: ['default', role.policy],
          metadata: { role_name: 'fake' },
          lease_duration: role.ttlSeconds,
          renewable: true,
          entity_id: randomUUID(),
          token_type: 'service',
          orphan: true,
        },
      },
    };
  }

  private remainingSeconds(token: Token): number {
    return token.expiresAt === undefined ? 0 : Math.max(0, Math.floor((token.expiresAt - this.now()) / 1000));
  }

  private lookupSelf(token: Token): FakeResponse {
    return {
      status: 200,
      body: {
        data: {
          id: token.id,
          accessor: 'fake-accessor',
          policies: ['default', token.policy],
          ttl: this.remainingSeconds(token),
          creation_ttl: token.ttlSeconds,
          explicit_max_ttl: 0,
          renewable: token.renewable,
          expire_time: token.expiresAt === undefined ? null : new Date(token.expiresAt).toISOString(),
          namespace_path: token.namespace === '' ? '' : `${token.namespace}/`,
        },
      },
    };
  }

  private renewSelf(token: Token, request: FakeRequest): FakeResponse {
    if (!token.renewable || token.expiresAt === undefined) return VAULT_ERRORS(400, 'lease is not renewable');
    const body = request.body.length === 0 ? {} : (request.json() as { increment?: unknown });
    let increment = token.ttlSeconds;
    if (body.increment !== undefined) {
      const parsed = typeof body.increment === 'number' ? body.increment : Number.parseInt(String(body.increment), 10);
      if (!Number.isInteger(parsed) || parsed < 0) return VAULT_ERRORS(400, 'invalid increment');
      increment = parsed;
    }
    // A renewal never goes past the token's max TTL.
    const maxEnd = token.issuedAt + token.maxTtlSeconds * 1000;
    token.expiresAt = Math.min(this.now() + increment * 1000, maxEnd);
    this.renewals += 1;
    const lease = this.remainingSeconds(token);
    return {
      status: 200,
      body: {
        auth: { client_token: token.id, policies: ['default', token.policy], lease_duration: lease, renewable: token.renewable },
        warnings: lease < increment ? ['TTL of "' + increment + 's" exceeded the effective max_ttl; TTL value is capped accordingly'] : null,
      },
    };
  }

  private versionMetadata(secret: KvSecret, number: number, version: Version) {
    return {
      created_time: version.createdTime,
      custom_metadata: secret.customMetadata,
      deletion_time: version.deletionTime,
      destroyed: version.destroyed,
      version: number,
    };
  }

  private readData(store: Map<string, KvSecret>, path: string, request: FakeRequest): FakeResponse {
    const secret = store.get(path);
    const versionParam = request.url.searchParams.get('version');
    let number = secret?.currentVersion ?? 0;
    if (versionParam !== null && versionParam !== '0') {
      if (!/^\d+$/.test(versionParam)) return VAULT_ERRORS(400, 'invalid version');
      number = Number(versionParam);
    }
    const version = secret?.versions.get(number);
    if (secret === undefined || version === undefined) return VAULT_ERRORS(404);
    const metadata = this.versionMetadata(secret, number, version);
    if (version.destroyed || version.deletionTime !== '') {
      return { status: 404, body: { data: { data: null, metadata } } };
    }
    return {
      status: 200,
      body: { request_id: randomUUID(), lease_id: '', renewable: false, lease_duration: 0, data: { data: version.data, metadata }, wrap_info: null, warnings: null, auth: null },
    };
  }

  private writeVersion(store: Map<string, KvSecret>, path: string, data: Record<string, unknown>): { secret: KvSecret; number: number } {
    const now = this.iso();
    let secret = store.get(path);
    if (secret === undefined) {
      secret = { versions: new Map(), currentVersion: 0, oldestVersion: 0, maxVersions: 0, casRequired: false, customMetadata: null, createdTime: now, updatedTime: now };
      store.set(path, secret);
    }
    const number = secret.currentVersion + 1;
    secret.versions.set(number, { data, createdTime: now, deletionTime: '', destroyed: false });
    secret.currentVersion = number;
    secret.updatedTime = now;
    const keep = secret.maxVersions > 0 ? secret.maxVersions : this.maxVersions;
    for (const old of [...secret.versions.keys()].sort((a, b) => a - b)) {
      if (secret.versions.size <= keep) break;
      secret.versions.delete(old);
    }
    secret.oldestVersion = Math.min(...secret.versions.keys());
    return { secret, number };
  }

  private writeData(store: Map<string, KvSecret>, path: string, request: FakeRequest): FakeResponse {
    const body = request.json() as { data?: unknown; options?: { cas?: unknown } } | null;
    if (body === null || typeof body !== 'object' || body.data === null || typeof body.data !== 'object' || Array.isArray(body.data)) {
      return VAULT_ERRORS(400, 'no data provided');
    }
    const existing = store.get(path);
    const cas = body.options?.cas;
    if (cas !== undefined && (typeof cas !== 'number' || !Number.isInteger(cas) || cas < 0)) return VAULT_ERRORS(400, 'invalid cas parameter');
    if (cas === undefined && existing?.casRequired === true) {
      return VAULT_ERRORS(400, 'check-and-set parameter required for this call');
    }
    if (cas !== undefined && cas !== (existing?.currentVersion ?? 0)) {
      return VAULT_ERRORS(400, 'check-and-set parameter did not match the current version');
    }
    const { secret, number } = this.writeVersion(store, path, body.data as Record<string, unknown>);
    return { status: 200, body: { data: this.versionMetadata(secret, number, secret.versions.get(number)!) } };
  }

  private deleteLatest(store: Map<string, KvSecret>, path: string): FakeResponse {
    const secret = store.get(path);
    const latest = secret?.versions.get(secret.currentVersion);
    if (latest !== undefined && latest.deletionTime === '' && !latest.destroyed) latest.deletionTime = this.iso();
    return { status: 204 };
  }

  private readMetadata(store: Map<string, KvSecret>, path: string): FakeResponse {
    const secret = store.get(path);
    if (secret === undefined) return VAULT_ERRORS(404);
    const versions: Record<string, unknown> = {};
    for (const [number, version] of secret.versions) {
      versions[String(number)] = { created_time: version.createdTime, deletion_time: version.deletionTime, destroyed: version.destroyed };
    }
    return {
      status: 200,
      body: {
        data: {
          cas_required: secret.casRequired,
          created_time: secret.createdTime,
          current_version: secret.currentVersion,
          custom_metadata: secret.customMetadata,
          delete_version_after: '0s',
          max_versions: secret.maxVersions,
          oldest_version: secret.oldestVersion,
          updated_time: secret.updatedTime,
          versions,
        },
      },
    };
  }

  private writeMetadata(store: Map<string, KvSecret>, path: string, request: FakeRequest): FakeResponse {
    const body = request.json() as { max_versions?: unknown; cas_required?: unknown; custom_metadata?: unknown };
    let secret = store.get(path);
    if (secret === undefined) {
      const now = this.iso();
      secret = { versions: new Map(), currentVersion: 0, oldestVersion: 0, maxVersions: 0, casRequired: false, customMetadata: null, createdTime: now, updatedTime: now };
      store.set(path, secret);
    }
    if (body.max_versions !== undefined) {
      if (typeof body.max_versions !== 'number' || !Number.isInteger(body.max_versions) || body.max_versions < 0) return VAULT_ERRORS(400, 'invalid max_versions');
      secret.maxVersions = body.max_versions;
    }
    if (body.cas_required !== undefined) {
      if (typeof body.cas_required !== 'boolean') return VAULT_ERRORS(400, 'invalid cas_required');
      secret.casRequired = body.cas_required;
    }
    if (body.custom_metadata !== undefined) {
      const custom = body.custom_metadata;
      if (custom === null || typeof custom !== 'object' || Object.values(custom).some((value) => typeof value !== 'string')) {
        return VAULT_ERRORS(400, 'custom_metadata must be a map of strings');
      }
      secret.customMetadata = custom as Record<string, string>;
    }
    return { status: 204 };
  }

  private changeVersions(store: Map<string, KvSecret>, path: string, request: FakeRequest, change: (version: Version) => void): FakeResponse {
    const body = request.json() as { versions?: unknown } | null;
    const versions = body?.versions;
    if (!Array.isArray(versions) || versions.length === 0 || versions.some((version) => typeof version !== 'number' || !Number.isInteger(version))) {
      return VAULT_ERRORS(400, 'no version number provided');
    }
    const secret = store.get(path);
    if (secret === undefined) return { status: 204 };
    for (const number of versions as number[]) {
      const version = secret.versions.get(number);
      if (version !== undefined) change(version);
    }
    return { status: 204 };
  }

  private listKeys(store: Map<string, KvSecret>, folder: string): FakeResponse {
    const base = folder === '' || folder.endsWith('/') ? folder : `${folder}/`;
    const keys = new Set<string>();
    for (const path of store.keys()) {
      if (!path.startsWith(base)) continue;
      const rest = path.slice(base.length);
      const slash = rest.indexOf('/');
      keys.add(slash === -1 ? rest : rest.slice(0, slash + 1));
    }
    if (keys.size === 0) return VAULT_ERRORS(404);
    return { status: 200, body: { data: { keys: [...keys].sort() } } };
  }
}
