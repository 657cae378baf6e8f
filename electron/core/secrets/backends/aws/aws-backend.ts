import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClientConfig,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
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
  SecretVersionInfo,
  WriteOptions,
  WriteResult,
} from '../../backend';
import { pageSizeOf } from '../../client-side-paging';
import { HANDSFREE_AWS_PREFIX, handsfreeAwsName } from '../../handsfree-layout';
import { withMappedRetry, type AttemptContext, type RetryOptions, retryOptionsFor, type RemoteBackendOptions } from '../../remote/retry';
import { assertValueFits } from '../../value-limits';
import { awsErrorName, mapAwsError, type AwsErrorContext } from './aws-errors';

/**
 * AWS Secrets Manager through @aws-sdk/client-secrets-manager. A value is stored the seed's way, as
 * `SecretString` JSON `{"value": …}`; a SecretString written by others that is not that envelope is
 * read as-is. Every write is a new version: AWSCURRENT moves to it and AWSPREVIOUS to the old one.
 * Delete waits out a recovery window (restore undoes it); force deletes at once, only when asked.
 * Metadata is kept as tags.
 */
export interface AwsStaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsBackendOptions extends RemoteBackendOptions {
  region: string;
  endpoint?: string;
  /** Absent: the SDK's standard credential chain (environment, shared config and profile, SSO, IAM role). */
  credentials?: AwsStaticCredentials;
  profile?: string;
  /** Prefix of names made from keys (pathForKey); the seed's is "handsfree/". */
  keyPrefix?: string;
  recoveryWindowDays?: number;
}

/** SecretString holds at most 65,536 bytes; the `{"value":""}` envelope takes 12 of them. */
export const AWS_SECRET_STRING_MAX_BYTES = 65_536;
export const AWS_MAX_VALUE_BYTES = AWS_SECRET_STRING_MAX_BYTES - JSON.stringify({ value: '' }).length;
const STAGES = new Set(['AWSCURRENT', 'AWSPREVIOUS', 'AWSPENDING']);
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;
const VERSION_ID = /^[A-Za-z0-9-]{32,64}$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

export class AwsBackend implements SecretBackend {
  readonly scheme = 'aws' as const;
  readonly capabilities: BackendCapabilities = { versions: true, softDelete: true, metadata: true, checkAndSet: false, maxValueBytes: AWS_MAX_VALUE_BYTES };
  readonly location: string;
  private readonly client: SecretsManagerClient;
  private readonly target: string;
  private readonly keyPrefix: string;
  private readonly recoveryWindowDays: number;
  private readonly credentialsLabel: string;
  private readonly logger: Logger;
  private readonly retry: Omit<RetryOptions, 'target'>;

  constructor(options: AwsBackendOptions) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(options.region)) throw invalidInput(`"${options.region.slice(0, 40)}" is not an AWS region such as us-east-1 (AWS_REGION).`);
    this.target = `AWS Secrets Manager (${options.region})`;
    this.location = options.endpoint === undefined ? this.target : `${this.target} at ${new URL(options.endpoint).host}`;
    this.keyPrefix = options.keyPrefix ?? HANDSFREE_AWS_PREFIX;
    this.recoveryWindowDays = checkRecoveryWindow(options.recoveryWindowDays ?? 30);
    this.credentialsLabel = options.credentialsLabel ?? 'the standard AWS credential chain';
    this.logger = options.logger.child({ backend: 'aws', region: options.region });
    const config: SecretsManagerClientConfig = {
      region: options.region,
      // Retries are ours (capped, jittered, and only for transient failures), so the SDK makes one attempt.
      maxAttempts: 1,
      ...(options.endpoint === undefined ? {} : { endpoint: checkEndpoint(options.endpoint) }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.profile === undefined ? {} : { profile: options.profile }),
    };
    this.client = new SecretsManagerClient(config);
    this.retry = retryOptionsFor(options, this.logger, 'aws');
  }

  pathForKey(key: string): string {
    return handsfreeAwsName(key, this.keyPrefix);
  }

  async get(path: string, options?: { version?: string }): Promise<ReadResult> {
    const secretId = checkSecretId(path);
    const version = options?.version === undefined ? {} : versionSelector(options.version);
    const answer = await this.call(path, 'NotFound', (context) => this.client.send(new GetSecretValueCommand({ SecretId: secretId, ...version }), { abortSignal: context.signal }));
    if (answer.SecretString === undefined) {
      throw invalidInput(`${this.target} holds ${describe(path)} as binary data; Latchkey reads text secrets only.`);
    }
    return {
      value: unwrapSecretString(answer.SecretString),
      ...(answer.VersionId === undefined ? {} : { version: answer.VersionId }),
      ...(answer.CreatedDate === undefined ? {} : { createdAt: answer.CreatedDate.toISOString() }),
    };
  }

  async set(path: string, value: string, options: WriteOptions = {}): Promise<WriteResult> {
    const secretString = this.envelope(value);
    const tags = options.metadata === undefined ? undefined : toTags(options.metadata);
    // One token for every attempt: AWS treats a retried write with the same token as the same write.
    const token = randomUUID();
    if (options.expectedVersion === null) return this.create(path, secretString, token, tags);
    const secretId = checkSecretId(path);
    let versionId: string | undefined;
    try {
      const put = await this.call(path, 'Conflict', (context) =>
        this.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: secretString, ClientRequestToken: token }), { abortSignal: context.signal }),
      );
      versionId = put.VersionId;
    } catch (error) {
      if (!(isLatchkeyError(error) && error.kind === 'NotFound')) throw error;
      try {
        return await this.create(path, secretString, token, tags);
      } catch (createError) {
        // Someone created it between our two requests: it exists now, so add a version to it.
        if (!(isLatchkeyError(createError) && createError.kind === 'Conflict' && awsErrorName(createError.cause) === 'ResourceExistsException')) throw createError;
        const put = await this.call(path, 'Conflict', (context) =>
          this.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: secretString, ClientRequestToken: randomUUID() }), { abortSignal: context.signal }),
        );
        versionId = put.VersionId;
      }
    }
    if (tags !== undefined) await this.replaceTags(path, tags);
    return versionId === undefined ? {} : { version: versionId };
  }

  /** Stores `value` as a new version labelled AWSPENDING: AWSCURRENT stays where it is until promote(). */
  async stage(path: string, value: string): Promise<WriteResult> {
    const secretId = checkSecretId(path);
    const token = randomUUID();
    const put = await this.call(path, 'Conflict', (context) =>
      this.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: this.envelope(value), ClientRequestToken: token, VersionStages: ['AWSPENDING'] }), {
        abortSignal: context.signal,
      }),
    );
    return put.VersionId === undefined ? {} : { version: put.VersionId };
  }

  /** Moves AWSCURRENT to `version` (AWS moves AWSPREVIOUS to the old current) and drops its AWSPENDING. */
  async promote(path: string, version: string): Promise<void> {
    const secretId = checkSecretId(path);
    if (!VERSION_ID.test(version)) throw invalidInput(`"${version.slice(0, 70)}" is not an AWS version id.`);
    const described = await this.call(path, 'NotFound', (context) => this.client.send(new DescribeSecretCommand({ SecretId: secretId }), { abortSignal: context.signal }));
    const stages = described.VersionIdsToStages ?? {};
    if (stages[version] === undefined) throw invalidInput(`${describe(path)} has no staged version ${version}; stage a value first.`);
    const current = Object.entries(stages).find(([, labels]) => labels.includes('AWSCURRENT'))?.[0];
    if (current !== version) {
      await this.call(path, 'Conflict', (context) =>
        this.client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT', MoveToVersionId: version, ...(current === undefined ? {} : { RemoveFromVersionId: current }) }), {
          abortSignal: context.signal,
        }),
      );
    }
    if (stages[version]?.includes('AWSPENDING') === true) {
      await this.call(path, 'Conflict', (context) =>
        this.client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: version }), { abortSignal: context.signal }),
      );
    }
  }

  async delete(path: string, options: DeleteOptions = {}): Promise<void> {
    const secretId = checkSecretId(path);
    const request =
      options.force === true ? { SecretId: secretId, ForceDeleteWithoutRecovery: true } : { SecretId: secretId, RecoveryWindowInDays: checkRecoveryWindow(options.recoveryWindowDays ?? this.recoveryWindowDays) };
    await this.call(path, 'NotFound', (context) => this.client.send(new DeleteSecretCommand(request), { abortSignal: context.signal }));
  }

  async restore(path: string): Promise<void> {
    const secretId = checkSecretId(path);
    await this.call(path, 'NotFound', (context) => this.client.send(new RestoreSecretCommand({ SecretId: secretId }), { abortSignal: context.signal }));
  }

  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    const size = pageSizeOf(options, 100);
    if (prefix !== '' && !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(prefix)) throw invalidInput(`"${prefix.slice(0, 80)}" cannot start an AWS secret name: use A-Z a-z 0-9 / _ + = . @ -.`);
    const answer = await this.call(
      `names starting with "${prefix}"`,
      'NotFound',
      (context) =>
        this.client.send(
          new ListSecretsCommand({
            MaxResults: size,
            ...(options?.pageToken === undefined ? {} : { NextToken: options.pageToken }),
            ...(prefix === '' ? {} : { Filters: [{ Key: 'name', Values: [prefix] }] }),
          }),
          { abortSignal: context.signal },
        ),
      options?.signal,
    );
    const items = (answer.SecretList ?? [])
      .filter((entry): entry is typeof entry & { Name: string } => typeof entry.Name === 'string' && entry.Name.startsWith(prefix))
      .map((entry) => ({
        path: entry.Name,
        ...(entry.CreatedDate === undefined ? {} : { createdAt: entry.CreatedDate.toISOString() }),
        ...(entry.LastChangedDate === undefined ? {} : { updatedAt: entry.LastChangedDate.toISOString() }),
        ...metadataOf(entry.Tags),
      }));
    return { items, ...(answer.NextToken === undefined ? {} : { nextPageToken: answer.NextToken }) };
  }

  async describe(path: string): Promise<SecretDescription> {
    const secretId = checkSecretId(path);
    const described = await this.call(path, 'NotFound', (context) => this.client.send(new DescribeSecretCommand({ SecretId: secretId }), { abortSignal: context.signal }));
    const deleted = described.DeletedDate !== undefined;
    const versions: SecretVersionInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call(path, 'NotFound', (context) =>
        this.client.send(new ListSecretVersionIdsCommand({ SecretId: secretId, MaxResults: 100, ...(nextToken === undefined ? {} : { NextToken: nextToken }) }), { abortSignal: context.signal }),
      );
      for (const version of page.Versions ?? []) {
        if (version.VersionId === undefined) continue;
        const stages = version.VersionStages ?? [];
        versions.push({
          version: version.VersionId,
          ...(version.CreatedDate === undefined ? {} : { createdAt: version.CreatedDate.toISOString() }),
          state: deleted ? 'deleted' : 'enabled',
          current: stages.includes('AWSCURRENT'),
          stages,
        });
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    versions.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
    const current = versions.find((version) => version.current)?.version;
    return {
      path,
      ...(described.CreatedDate === undefined ? {} : { createdAt: described.CreatedDate.toISOString() }),
      ...(described.LastChangedDate === undefined ? {} : { updatedAt: described.LastChangedDate.toISOString() }),
      ...(current === undefined ? {} : { version: current }),
      ...metadataOf(described.Tags),
      versions,
    };
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private envelope(value: string): string {
    assertValueFits(value, AWS_MAX_VALUE_BYTES, 'AWS Secrets Manager');
    const secretString = JSON.stringify({ value });
    // JSON escapes quotes, backslashes and control characters, which can push a value over the limit.
    if (Buffer.byteLength(secretString, 'utf8') > AWS_SECRET_STRING_MAX_BYTES) {
      throw invalidInput(`The value holds many characters that must be escaped and no longer fits AWS Secrets Manager's ${AWS_SECRET_STRING_MAX_BYTES} bytes. Store a smaller value.`);
    }
    return secretString;
  }

  private async create(path: string, secretString: string, token: string, tags: Tag[] | undefined): Promise<WriteResult> {
    if (!NAME.test(path)) throw invalidInput(`A new AWS secret needs a name, not an ARN: "${path.slice(0, 80)}". Use A-Z a-z 0-9 / _ + = . @ - (at most 512).`);
    const created = await this.call(path, 'Conflict', (context) =>
      this.client.send(new CreateSecretCommand({ Name: path, SecretString: secretString, ClientRequestToken: token, ...(tags === undefined || tags.length === 0 ? {} : { Tags: tags }) }), {
        abortSignal: context.signal,
      }),
    );
    return created.VersionId === undefined ? {} : { version: created.VersionId };
  }

  /** Tags become exactly `tags`: new and changed ones are set, the others removed (AWS's own aws:* tags stay). */
  private async replaceTags(path: string, tags: Tag[]): Promise<void> {
    const secretId = checkSecretId(path);
    const described = await this.call(path, 'NotFound', (context) => this.client.send(new DescribeSecretCommand({ SecretId: secretId }), { abortSignal: context.signal }));
    const wanted = new Set(tags.map((tag) => tag.Key));
    const stale = (described.Tags ?? []).map((tag) => tag.Key).filter((key): key is string => key !== undefined && !key.startsWith('aws:') && !wanted.has(key));
    if (stale.length > 0) {
      await this.call(path, 'Conflict', (context) => this.client.send(new UntagResourceCommand({ SecretId: secretId, TagKeys: stale }), { abortSignal: context.signal }));
    }
    if (tags.length > 0) {
      await this.call(path, 'Conflict', (context) => this.client.send(new TagResourceCommand({ SecretId: secretId, Tags: tags }), { abortSignal: context.signal }));
    }
  }

  private call<T>(path: string, scheduledForDeletion: AwsErrorContext['scheduledForDeletion'], request: (context: AttemptContext) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const errorContext: AwsErrorContext = { target: this.target, what: describe(path), scheduledForDeletion, credentialsLabel: this.credentialsLabel };
    return withMappedRetry(request, (error) => mapAwsError(error, errorContext), { ...this.retry, target: this.target }, signal);
  }
}

/** The seed's `{"value": …}` envelope; any other SecretString (plain text, other JSON) is the value itself. */
export function unwrapSecretString(secretString: string): string {
  if (!secretString.startsWith('{')) return secretString;
  try {
    const parsed: unknown = JSON.parse(secretString);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && typeof (parsed as { value?: unknown }).value === 'string') {
      return (parsed as { value: string }).value;
    }
  } catch {
    // Not JSON after all: a plain string that starts with "{".
  }
  return secretString;
}

function describe(path: string): string {
  return `secret "${path.slice(0, 200)}"`;
}

function checkSecretId(path: string): string {
  if (!NAME.test(path) && !ARN.test(path)) {
    throw invalidInput(`"${path.slice(0, 80)}" is not an AWS secret name or ARN. Names use A-Z a-z 0-9 / _ + = . @ - (e.g. aws://handsfree/github_token_user_123).`);
  }
  return path;
}

function checkEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalidInput(`"${endpoint.slice(0, 80)}" is not an endpoint URL (AWS_SECRETS_MANAGER_ENDPOINT).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidInput('An AWS endpoint must start with https:// (AWS_SECRETS_MANAGER_ENDPOINT).');
  if (url.username !== '' || url.password !== '') throw invalidInput('An AWS endpoint must not contain a user name or password.');
  return endpoint;
}

function checkRecoveryWindow(days: number): number {
  if (!Number.isInteger(days) || days < 7 || days > 30) throw invalidInput(`AWS keeps a deleted secret recoverable for 7 to 30 days; ${days} is outside that.`);
  return days;
}

function versionSelector(version: string): { VersionId: string } | { VersionStage: string } {
  if (STAGES.has(version)) return { VersionStage: version };
  if (VERSION_ID.test(version)) return { VersionId: version };
  throw invalidInput(`"${version.slice(0, 70)}" is not an AWS version: use a version id or AWSCURRENT, AWSPREVIOUS, AWSPENDING.`);
}

function toTags(metadata: SecretMetadata): Tag[] {
  const entries = Object.entries(metadata);
  if (entries.length > 50) throw invalidInput(`AWS keeps at most 50 tags per secret; this metadata has ${entries.length} entries.`);
  return entries.map(([key, value]) => {
    if (!TAG_KEY.test(key) || key.startsWith('aws:')) throw invalidInput(`The metadata name "${key.slice(0, 64)}" cannot be an AWS tag key: 1 to 128 letters, digits, spaces and _ . : / = + - @, not starting with aws:.`);
    if (!TAG_VALUE.test(value)) throw invalidInput(`The metadata "${key.slice(0, 64)}" cannot be an AWS tag value: at most 256 letters, digits, spaces and _ . : / = + - @.`);
    return { Key: key, Value: value };
  });
}

function metadataOf(tags: Tag[] | undefined): { metadata?: SecretMetadata } {
  const entries = (tags ?? []).filter((tag): tag is { Key: string; Value: string } => typeof tag.Key === 'string' && typeof tag.Value === 'string' && !tag.Key.startsWith('aws:'));
  return entries.length === 0 ? {} : { metadata: Object.fromEntries(entries.map((tag) => [tag.Key, tag.Value])) };
}

