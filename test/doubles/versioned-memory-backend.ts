import { conflict, invalidInput, notFound } from '../../electron/core/errors';
import type {
  BackendCapabilities,
  BackendScheme,
  ListOptions,
  ListPage,
  ReadResult,
  SecretBackend,
  SecretDescription,
  SecretMetadata,
  WriteOptions,
  WriteResult,
} from '../../electron/core/secrets/backend';

/**
 * TEST DOUBLE: an in-memory SecretBackend with the semantics the rotation code relies on — numbered
 * versions that stay readable, check-and-set, metadata — and optionally AWS-style staging labels
 * (stage → AWSPENDING, promote → AWSCURRENT/AWSPREVIOUS) or no history at all (like the OS keychain).
 * It stands in until the real file store and the Vault/AWS fakes are merged; the rotation suites are
 * written against the SecretBackend interface so they can run on those too.
 */
export interface VersionedMemoryOptions {
  scheme?: BackendScheme;
  /** 'history' keeps every version (Vault, file store); 'staging' adds AWS labels; 'none' keeps one value. */
  mode?: 'history' | 'staging' | 'none';
  now?: () => Date;
}

interface StoredVersion {
  version: string;
  value: string;
  createdAt: string;
}

interface StoredSecret {
  versions: StoredVersion[];
  current: string;
  stages: Map<string, string>;
  metadata: SecretMetadata;
  createdAt: string;
  updatedAt: string;
}

export class VersionedMemoryBackend implements SecretBackend {
  readonly scheme: BackendScheme;
  readonly capabilities: BackendCapabilities;
  readonly stage?: (path: string, value: string) => Promise<WriteResult>;
  readonly promote?: (path: string, version: string) => Promise<void>;
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly mode: 'history' | 'staging' | 'none';
  private readonly now: () => Date;

  constructor(options: VersionedMemoryOptions = {}) {
    this.scheme = options.scheme ?? 'vault';
    this.mode = options.mode ?? 'history';
    this.now = options.now ?? (() => new Date());
    const versioned = this.mode !== 'none';
    this.capabilities = { versions: versioned, softDelete: false, metadata: versioned, checkAndSet: versioned, maxValueBytes: 65_536 };
    if (this.mode === 'staging') {
      this.stage = (path, value) => this.stageValue(path, value);
      this.promote = (path, version) => this.promoteVersion(path, version);
    }
  }

  async get(path: string, options: { version?: string } = {}): Promise<ReadResult> {
    const secret = this.require(path);
    if (options.version !== undefined && this.mode === 'none') throw invalidInput('This backend keeps no versions.');
    const wanted = options.version ?? secret.current;
    const found = secret.versions.find((item) => item.version === wanted);
    if (found === undefined) throw notFound(`Version ${wanted} of ${path} does not exist.`);
    return { value: found.value, version: found.version, createdAt: found.createdAt };
  }

  async set(path: string, value: string, options: WriteOptions = {}): Promise<WriteResult> {
    const existing = this.secrets.get(path);
    if (this.capabilities.checkAndSet && options.expectedVersion !== undefined) {
      const actual = existing?.current ?? null;
      if (actual !== options.expectedVersion) throw conflict(`${path} changed since it was read (expected version ${options.expectedVersion ?? 'none'}).`);
    }
    const time = this.now().toISOString();
    if (existing === undefined) {
      const secret: StoredSecret = { versions: [], current: '', stages: new Map(), metadata: {}, createdAt: time, updatedAt: time };
      this.secrets.set(path, secret);
      return this.append(secret, value, time, options.metadata, true);
    }
    return this.append(existing, value, time, options.metadata, true);
  }

  async delete(path: string): Promise<void> {
    this.require(path);
    this.secrets.delete(path);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListPage> {
    const paths = [...this.secrets.keys()].filter((path) => path.startsWith(prefix)).sort();
    const start = options.pageToken === undefined ? 0 : Number(options.pageToken);
    const size = options.pageSize ?? 50;
    const items = paths.slice(start, start + size).map((path) => {
      const secret = this.secrets.get(path) as StoredSecret;
      return { path, createdAt: secret.createdAt, updatedAt: secret.updatedAt, version: secret.current, metadata: { ...secret.metadata } };
    });
    return start + size < paths.length ? { items, nextPageToken: String(start + size) } : { items };
  }

  async describe(path: string): Promise<SecretDescription> {
    const secret = this.require(path);
    const versions = [...secret.versions].reverse().map((item) => {
      const stages = [...secret.stages.entries()].filter(([, version]) => version === item.version).map(([stage]) => stage);
      return {
        version: item.version,
        createdAt: item.createdAt,
        state: 'enabled' as const,
        current: item.version === secret.current,
        ...(this.mode === 'staging' ? { stages } : {}),
      };
    });
    return {
      path,
      createdAt: secret.createdAt,
      updatedAt: secret.updatedAt,
      version: secret.current,
      metadata: { ...secret.metadata },
      versions: this.mode === 'none' ? [] : versions,
    };
  }

  /** Test helper: every path, for assertions. */
  paths(): string[] {
    return [...this.secrets.keys()].sort();
  }

  private append(secret: StoredSecret, value: string, time: string, metadata: SecretMetadata | undefined, makeCurrent: boolean): WriteResult {
    const version = String(this.mode === 'none' ? 1 : secret.versions.length + 1);
    const entry = { version, value, createdAt: time };
    secret.versions = this.mode === 'none' ? [entry] : [...secret.versions, entry];
    if (metadata !== undefined && this.capabilities.metadata) secret.metadata = { ...metadata };
    if (makeCurrent) {
      const previous = secret.current;
      secret.current = version;
      secret.updatedAt = time;
      if (this.mode === 'staging') {
        if (previous !== '') secret.stages.set('AWSPREVIOUS', previous);
        secret.stages.set('AWSCURRENT', version);
      }
    }
    return { version };
  }

  private async stageValue(path: string, value: string): Promise<WriteResult> {
    const secret = this.require(path);
    const result = this.append(secret, value, this.now().toISOString(), undefined, false);
    secret.stages.set('AWSPENDING', result.version as string);
    return result;
  }

  private async promoteVersion(path: string, version: string): Promise<void> {
    const secret = this.require(path);
    if (!secret.versions.some((item) => item.version === version)) throw notFound(`Version ${version} of ${path} does not exist.`);
    if (secret.current === version) return;
    secret.stages.set('AWSPREVIOUS', secret.current);
    secret.stages.set('AWSCURRENT', version);
    if (secret.stages.get('AWSPENDING') === version) secret.stages.delete('AWSPENDING');
    secret.current = version;
    secret.updatedAt = this.now().toISOString();
  }

  private require(path: string): StoredSecret {
    const secret = this.secrets.get(path);
    if (secret === undefined) throw notFound(`${path} does not exist.`);
    return secret;
  }
}
