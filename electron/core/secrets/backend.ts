/**
 * The one interface every storage backend implements (file, env, keychain, Vault, AWS, Google, Azure).
 * A backend is addressed by the part of a reference after `scheme://` (its "path"); it throws
 * LatchkeyError with kinds NotFound, Conflict, PermissionDenied, Unauthenticated, BackendUnavailable or
 * InvalidInput — never returns an empty string for a missing secret.
 */
export const backendSchemes = ['file', 'env', 'keychain', 'vault', 'aws', 'gcp', 'azure'] as const;
export type BackendScheme = (typeof backendSchemes)[number];

export interface BackendCapabilities {
  /** Older values can be read and restored. */
  versions: boolean;
  /** Deleted secrets can be recovered for a while. */
  softDelete: boolean;
  /** String metadata (notes, labels, tags) is stored with the secret. */
  metadata: boolean;
  /** Writes can be made conditional on the version read (no silent overwrite between two writers). */
  checkAndSet: boolean;
  /** Largest value the backend accepts, in UTF-8 bytes. */
  maxValueBytes: number;
}

export type SecretMetadata = Record<string, string>;

export interface SecretVersionInfo {
  version: string;
  createdAt?: string;
  state: 'enabled' | 'disabled' | 'destroyed' | 'deleted';
  current: boolean;
  /** Backend labels of this version (AWSCURRENT, AWSPREVIOUS…). */
  stages?: string[];
}

export interface SecretSummary {
  /** The path of the secret within the backend (what follows `scheme://`). */
  path: string;
  createdAt?: string;
  updatedAt?: string;
  version?: string;
  metadata?: SecretMetadata;
  /**
   * The secret exists but cannot be read (a damaged or tampered file of the local store): what the person
   * should do. Listings carry such a secret instead of failing, so everything else stays reachable.
   */
  damaged?: string;
}

export interface SecretDescription extends SecretSummary {
  versions: SecretVersionInfo[];
}

export interface ReadResult {
  value: string;
  version?: string;
  createdAt?: string;
}

export interface WriteOptions {
  metadata?: SecretMetadata;
  /**
   * Check-and-set: the version the caller last read. `null` means "only if the secret does not exist".
   * A mismatch is a Conflict. Ignored by backends without the checkAndSet capability.
   */
  expectedVersion?: string | null;
}

export interface WriteResult {
  version?: string;
}

export interface ListOptions {
  /** The backend's own continuation token from the previous page. */
  pageToken?: string;
  pageSize?: number;
  signal?: AbortSignal;
}

export interface ListPage {
  items: SecretSummary[];
  nextPageToken?: string;
}

export interface DeleteOptions {
  /** Skip soft delete / recovery windows where the backend has them. */
  force?: boolean;
  recoveryWindowDays?: number;
}

export interface SecretBackend {
  readonly scheme: BackendScheme;
  readonly capabilities: BackendCapabilities;
  /** Where this backend keeps secrets, for people (e.g. "Vault at vault.example.com, mount secret"); never a credential. */
  readonly location?: string;
  get(path: string, options?: { version?: string }): Promise<ReadResult>;
  set(path: string, value: string, options?: WriteOptions): Promise<WriteResult>;
  delete(path: string, options?: DeleteOptions): Promise<void>;
  /** One page of secrets whose path starts with `prefix`. */
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  describe(path: string): Promise<SecretDescription>;
  /**
   * describe() and the current value together, where the backend reads both to describe anyway (Vault
   * reads the latest data for the metadata kept in it): a rotation saves a round trip.
   */
  describeWithCurrent?(path: string): Promise<{ description: SecretDescription; current: ReadResult }>;
  /** Replaces the metadata without writing a new value (where capabilities.metadata). */
  setMetadata?(path: string, metadata: SecretMetadata): Promise<void>;
  /** Undo a soft delete (capabilities.softDelete). */
  restore?(path: string): Promise<void>;
  /**
   * Two-phase write for rotation, where the backend has staging labels (AWS: AWSPENDING): the new value
   * is stored but not yet current, so a failure before promote() leaves the current value in place.
   */
  stage?(path: string, value: string): Promise<WriteResult>;
  /** Makes a staged version current (AWS: moves AWSCURRENT to it, AWSPREVIOUS to the old one). */
  promote?(path: string, version: string): Promise<void>;
  /**
   * The path at which this backend keeps the secret an application calls `key`, following the
   * connection's layout (HandsFree: `github_token_user_123` → Vault `github/token/user/123`, AWS
   * `handsfree/github_token_user_123`, Google `handsfree-github-token-user-123`, env
   * `HANDSFREE_SECRET_GITHUB_TOKEN_USER_123`).
   */
  pathForKey?(key: string): string;
  /** Makes one version unreadable but recoverable (Google: disable; Vault: soft-delete that version; Azure: disable). */
  disableVersion?(path: string, version: string): Promise<void>;
  /** Undoes disableVersion. */
  enableVersion?(path: string, version: string): Promise<void>;
  /** Erases one version's value for good (Google, Vault). */
  destroyVersion?(path: string, version: string): Promise<void>;
  close?(): Promise<void>;
}

/** Every secret under `prefix`, following the backend's paging. */
export async function* listAll(backend: SecretBackend, prefix: string, options: Omit<ListOptions, 'pageToken'> = {}): AsyncGenerator<SecretSummary> {
  let pageToken: string | undefined;
  do {
    options.signal?.throwIfAborted();
    const page = await backend.list(prefix, { ...options, ...(pageToken === undefined ? {} : { pageToken }) });
    yield* page.items;
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
}
