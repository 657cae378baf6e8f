import { randomBytes, randomUUID } from 'node:crypto';
import { verifySigV4 } from './aws-sigv4';
import { ServiceFake, type Fault, type FakeRequest, type FakeResponse } from './http-fake';

/**
 * A wire-level fake of AWS Secrets Manager, written from its API reference: the AWS JSON 1.1 protocol
 * (POST / with `X-Amz-Target: secretsmanager.<Action>`, `Content-Type: application/x-amz-json-1.1`,
 * errors as `{"__type": …, "message": …}`), Signature Version 4 checked against the keys it knows,
 * session tokens (X-Amz-Security-Token) that expire, and the staging-label rules of versions
 * (AWSCURRENT, AWSPREVIOUS, AWSPENDING). Actions: CreateSecret, GetSecretValue, PutSecretValue,
 * DescribeSecret, ListSecrets (NextToken, name filter), ListSecretVersionIds,
 * UpdateSecretVersionStage, DeleteSecret (RecoveryWindowInDays / ForceDeleteWithoutRecovery),
 * RestoreSecret, TagResource, UntagResource.
 */
export interface AwsFakeOptions {
  region?: string;
  accountId?: string;
  now?: () => number;
}

export type KeyPolicy = 'read-write' | 'read-only';

interface AccessKey {
  secretAccessKey: string;
  sessionToken?: string;
  expiresAt?: number;
  policy: KeyPolicy;
}

interface SecretVersion {
  id: string;
  secretString?: string;
  stages: Set<string>;
  createdDate: number;
}

interface Secret {
  arn: string;
  name: string;
  versions: SecretVersion[];
  tags: Map<string, string>;
  createdDate: number;
  lastChangedDate: number;
  deletedDate?: number;
}

type Json = Record<string, unknown>;

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const READ_ACTIONS = new Set(['GetSecretValue', 'DescribeSecret', 'ListSecrets', 'ListSecretVersionIds']);
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const MAX_SECRET_STRING_BYTES = 65_536;

export class AwsSecretsManagerFake extends ServiceFake {
  readonly region: string;
  private readonly accountId: string;
  private readonly keys = new Map<string, AccessKey>();
  private readonly secrets = new Map<string, Secret>();
  private readonly pageTokens = new Map<string, { offset: number; context: string }>();
  private readonly now: () => number;


  private constructor(options: AwsFakeOptions) {
    super();
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.now = options.now ?? Date.now;
  }

  static start(options: AwsFakeOptions = {}): Promise<AwsSecretsManagerFake> {
    return new AwsSecretsManagerFake(options).listen();
  }

  /** A key the fake accepts; `accessKeyId`/`secretAccessKey` as given (LocalStack and moto take "test"), else AWS-shaped random ones. */
  addAccessKey(options: { policy?: KeyPolicy; sessionToken?: boolean; expiresInMs?: number; accessKeyId?: string; secretAccessKey?: string } = {}): {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  } {
    const accessKeyId = options.accessKeyId ?? `${options.sessionToken === true ? 'ASIA' : 'AKIA'}${randomBytes(8).toString('hex').toUpperCase()}`;
    const secretAccessKey = options.secretAccessKey ?? randomBytes(30).toString('base64');
    const key: AccessKey = { secretAccessKey, policy: options.policy ?? 'read-write' };
    if (options.sessionToken === true) key.sessionToken = randomBytes(48).toString('base64');
    if (options.expiresInMs !== undefined) key.expiresAt = this.now() + options.expiresInMs;
    this.keys.set(accessKeyId, key);
    return { accessKeyId, secretAccessKey, ...(key.sessionToken === undefined ? {} : { sessionToken: key.sessionToken }) };
  }

  expireSessionTokens(): void {
    for (const key of this.keys.values()) if (key.sessionToken !== undefined) key.expiresAt = this.now() - 1;
  }

  /** Seeds a secret as another writer would (e.g. a plain, non-JSON SecretString). */
  seed(name: string, secretString: string, tags: Record<string, string> = {}): void {
    const secret = this.newSecret(name);
    secret.tags = new Map(Object.entries(tags));
    this.addVersion(secret, randomUUID(), secretString, ['AWSCURRENT']);
    this.secrets.set(name, secret);
  }

  secretStringOf(name: string): string | undefined {
    return this.secrets.get(name)?.versions.find((version) => version.stages.has('AWSCURRENT'))?.secretString;
  }

  arnOf(name: string): string | undefined {
    return this.secrets.get(name)?.arn;
  }

  stagesOf(name: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const version of this.secrets.get(name)?.versions ?? []) if (version.stages.size > 0) out[version.id] = [...version.stages].sort();
    return out;
  }

  protected renderFault(fault: Fault, request: FakeRequest): FakeResponse | 'continue' {
    switch (fault.kind) {
      case 'server-error':
        return errorResponse(new AwsError(fault.status === 503 ? 'ServiceUnavailable' : 'InternalServiceError', 'An error occurred on the server side.', fault.status ?? 500));
      case 'throttle':
        return errorResponse(new AwsError('ThrottlingException', 'Rate exceeded'));
      case 'expired-token': {
        const accessKeyId = /Credential=([^/]+)\//.exec(request.header('authorization') ?? '')?.[1];
        const key = accessKeyId === undefined ? undefined : this.keys.get(accessKeyId);
        if (key !== undefined) key.expiresAt = this.now() - 1;
        return errorResponse(new AwsError('ExpiredTokenException', 'The security token included in the request is expired'));
      }
      case 'permission-denied':
        return errorResponse(new AwsError('AccessDeniedException', `User: arn:aws:iam::${this.accountId}:user/fake is not authorized to perform: secretsmanager:${actionOf(request)} because no identity-based policy allows it`));
      default:
        return 'continue';
    }
  }

  protected handle(request: FakeRequest): FakeResponse {
    try {
      if (request.method !== 'POST' || request.url.pathname !== '/') throw new AwsError('UnknownOperationException', 'Unknown operation', 404);
      if (request.header('content-type') !== 'application/x-amz-json-1.1') throw new AwsError('SerializationException', 'Content-Type must be application/x-amz-json-1.1');
      const target = request.header('x-amz-target') ?? '';
      if (!target.startsWith('secretsmanager.')) throw new AwsError('UnknownOperationException', 'Missing or unknown X-Amz-Target');
      const action = target.slice('secretsmanager.'.length);
      const key = this.authenticate(request);
      if (key.policy === 'read-only' && !READ_ACTIONS.has(action)) {
        throw new AwsError('AccessDeniedException', `User: arn:aws:iam::${this.accountId}:user/fake is not authorized to perform: secretsmanager:${action} because no identity-based policy allows it`);
      }
      let body: Json;
      try {
        const parsed = JSON.parse(request.text() || '{}') as unknown;
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        body = parsed as Json;
      } catch {
        throw new AwsError('SerializationException', 'Request body is not a JSON object');
      }
      return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() }, body: this.dispatch(action, body) };
    } catch (error) {
      if (error instanceof AwsError) return errorResponse(error);
      throw error;
    }
  }

  private authenticate(request: FakeRequest): AccessKey {
    const verdict = verifySigV4(request, { region: this.region, service: 'secretsmanager', lookup: (id) => this.keys.get(id) });
    if (!verdict.ok) throw new AwsError(verdict.type, verdict.message, verdict.type === 'MissingAuthenticationTokenException' ? 403 : 400);
    const key = this.keys.get(verdict.accessKeyId)!;
    if (key.sessionToken !== undefined && request.header('x-amz-security-token') !== key.sessionToken) {
      throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    if (key.expiresAt !== undefined && this.now() >= key.expiresAt) throw new AwsError('ExpiredTokenException', 'The security token included in the request is expired');
    return key;
  }

  private dispatch(action: string, body: Json): Json {
    switch (action) {
      case 'CreateSecret':
        return this.createSecret(body);
      case 'GetSecretValue':
        return this.getSecretValue(body);
      case 'PutSecretValue':
        return this.putSecretValue(body);
      case 'DescribeSecret':
        return this.describeSecret(body);
      case 'ListSecrets':
        return this.listSecrets(body);
      case 'ListSecretVersionIds':
        return this.listSecretVersionIds(body);
      case 'UpdateSecretVersionStage':
        return this.updateSecretVersionStage(body);
      case 'DeleteSecret':
        return this.deleteSecret(body);
      case 'RestoreSecret':
        return this.restoreSecret(body);
      case 'TagResource':
        return this.tagResource(body);
      case 'UntagResource':
        return this.untagResource(body);
      default:
        throw new AwsError('UnknownOperationException', `Unknown operation ${action}`);
    }
  }

  private newSecret(name: string): Secret {
    const now = this.now() / 1000;
    return { arn: `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${randomBytes(3).toString('hex')}`, name, versions: [], tags: new Map(), createdDate: now, lastChangedDate: now };
  }

  /** A secret by name or ARN; a secret scheduled for deletion only when `allowDeleted`. */
  private find(secretId: unknown, options: { allowDeleted?: boolean } = {}): Secret {
    if (typeof secretId !== 'string' || secretId.length === 0 || secretId.length > 2048) throw new AwsError('InvalidParameterException', 'SecretId is required.');
    const secret = this.secrets.get(secretId) ?? [...this.secrets.values()].find((candidate) => candidate.arn === secretId);
    if (secret === undefined) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    if (secret.deletedDate !== undefined && options.allowDeleted !== true) {
      throw new AwsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
    }
    return secret;
  }

  private checkSecretString(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new AwsError('InvalidParameterException', 'SecretString must be a string.');
    if (Buffer.byteLength(value, 'utf8') > MAX_SECRET_STRING_BYTES) {
      throw new AwsError('InvalidParameterException', `1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to ${MAX_SECRET_STRING_BYTES}`);
    }
    return value;
  }

  private checkToken(token: unknown): string {
    if (token === undefined) return randomUUID();
    if (typeof token !== 'string' || token.length < 32 || token.length > 64) throw new AwsError('InvalidParameterException', 'ClientRequestToken must be 32 to 64 characters.');
    return token;
  }

  private checkTags(tags: unknown): [string, string][] {
    if (tags === undefined) return [];
    if (!Array.isArray(tags)) throw new AwsError('InvalidParameterException', 'Tags must be a list.');
    return tags.map((tag: unknown) => {
      const { Key, Value } = (tag ?? {}) as { Key?: unknown; Value?: unknown };
      if (typeof Key !== 'string' || Key.length < 1 || Key.length > 128 || typeof Value !== 'string' || Value.length > 256) {
        throw new AwsError('ValidationException', 'Tag keys must be 1 to 128 characters and values at most 256.');
      }
      if (Key.startsWith('aws:')) throw new AwsError('InvalidParameterException', 'Tag keys starting with aws: are reserved.');
      return [Key, Value];
    });
  }

  /** Adds a version, moving the given stages to it; moving AWSCURRENT moves AWSPREVIOUS to the old current. */
  private addVersion(secret: Secret, id: string, secretString: string | undefined, stages: string[]): SecretVersion {
    const version: SecretVersion = { id, stages: new Set(), createdDate: this.now() / 1000, ...(secretString === undefined ? {} : { secretString }) };
    secret.versions.push(version);
    for (const stage of stages) this.moveStage(secret, stage, version);
    secret.lastChangedDate = this.now() / 1000;
    // Versions without a stage are deprecated; AWS keeps about 100 of them.
    const deprecated = secret.versions.filter((candidate) => candidate.stages.size === 0);
    if (deprecated.length > 100) secret.versions = secret.versions.filter((candidate) => candidate !== deprecated[0]);
    return version;
  }

  private moveStage(secret: Secret, stage: string, to: SecretVersion): void {
    const from = secret.versions.find((candidate) => candidate.stages.has(stage));
    if (from === to) return;
    from?.stages.delete(stage);
    to.stages.add(stage);
    if (stage === 'AWSCURRENT' && from !== undefined) {
      for (const candidate of secret.versions) candidate.stages.delete('AWSPREVIOUS');
      from.stages.add('AWSPREVIOUS');
    }
  }

  private createSecret(body: Json): Json {
    const name = body.Name;
    if (typeof name !== 'string' || !NAME.test(name)) throw new AwsError('InvalidParameterException', 'Name must be 1 to 512 characters of A-Z a-z 0-9 /_+=.@-');
    const secretString = this.checkSecretString(body.SecretString);
    const token = this.checkToken(body.ClientRequestToken);
    const tags = this.checkTags(body.Tags);
    const existing = this.secrets.get(name);
    if (existing !== undefined) {
      if (existing.deletedDate !== undefined) throw new AwsError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
      // A retried request with the same token and value is answered as the first one was.
      const same = existing.versions.find((version) => version.id === token);
      if (same !== undefined && same.secretString === secretString) return { ARN: existing.arn, Name: existing.name, VersionId: same.id };
      throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    }
    const secret = this.newSecret(name);
    secret.tags = new Map(tags);
    this.secrets.set(name, secret);
    if (secretString === undefined) return { ARN: secret.arn, Name: secret.name };
    const version = this.addVersion(secret, token, secretString, ['AWSCURRENT']);
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
  }

  private getSecretValue(body: Json): Json {
    const secret = this.find(body.SecretId);
    const { VersionId, VersionStage } = body as { VersionId?: unknown; VersionStage?: unknown };
    if (VersionId !== undefined && (typeof VersionId !== 'string' || VersionId.length < 32 || VersionId.length > 64)) {
      throw new AwsError('InvalidParameterException', 'VersionId must be 32 to 64 characters.');
    }
    let version: SecretVersion | undefined;
    if (VersionId !== undefined) {
      version = secret.versions.find((candidate) => candidate.id === VersionId);
      if (version !== undefined && VersionStage !== undefined && !version.stages.has(String(VersionStage))) version = undefined;
    } else {
      const stage = VersionStage === undefined ? 'AWSCURRENT' : String(VersionStage);
      version = secret.versions.find((candidate) => candidate.stages.has(stage));
    }
    if (version === undefined || version.secretString === undefined) {
      throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value for the requested version or stage.");
    }
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id, SecretString: version.secretString, VersionStages: [...version.stages], CreatedDate: version.createdDate };
  }

  private putSecretValue(body: Json): Json {
    const secret = this.find(body.SecretId);
    const secretString = this.checkSecretString(body.SecretString);
    if (secretString === undefined) throw new AwsError('InvalidRequestException', 'You must provide either SecretString or SecretBinary.');
    const token = this.checkToken(body.ClientRequestToken);
    const stages = body.VersionStages === undefined ? ['AWSCURRENT'] : body.VersionStages;
    if (!Array.isArray(stages) || stages.length === 0 || stages.some((stage) => typeof stage !== 'string')) throw new AwsError('InvalidParameterException', 'VersionStages must be a list of strings.');
    const same = secret.versions.find((version) => version.id === token);
    if (same !== undefined) {
      if (same.secretString === secretString) return { ARN: secret.arn, Name: secret.name, VersionId: same.id, VersionStages: [...same.stages] };
      throw new AwsError('ResourceExistsException', 'A version with this ClientRequestToken already exists with a different value.');
    }
    const version = this.addVersion(secret, token, secretString, stages as string[]);
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
  }

  private describeSecret(body: Json): Json {
    const secret = this.find(body.SecretId, { allowDeleted: true });
    const versionIdsToStages: Record<string, string[]> = {};
    for (const version of secret.versions) if (version.stages.size > 0) versionIdsToStages[version.id] = [...version.stages];
    return {
      ARN: secret.arn,
      Name: secret.name,
      CreatedDate: secret.createdDate,
      LastChangedDate: secret.lastChangedDate,
      Tags: [...secret.tags].map(([Key, Value]) => ({ Key, Value })),
      VersionIdsToStages: versionIdsToStages,
      ...(secret.deletedDate === undefined ? {} : { DeletedDate: secret.deletedDate }),
    };
  }

  private page<T>(items: T[], body: Json, context: string): { page: T[]; NextToken?: string } {
    const max = body.MaxResults ?? 100;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 100) throw new AwsError('InvalidParameterException', 'MaxResults must be from 1 to 100.');
    let offset = 0;
    if (body.NextToken !== undefined) {
      const entry = typeof body.NextToken === 'string' ? this.pageTokens.get(body.NextToken) : undefined;
      if (entry === undefined || entry.context !== context) throw new AwsError('InvalidNextTokenException', 'The NextToken value is not valid.');
      offset = entry.offset;
    }
    const page = items.slice(offset, offset + max);
    if (offset + max >= items.length) return { page };
    const token = randomBytes(24).toString('base64');
    this.pageTokens.set(token, { offset: offset + max, context });
    return { page, NextToken: token };
  }

  private listSecrets(body: Json): Json {
    const filters = body.Filters ?? [];
    if (!Array.isArray(filters)) throw new AwsError('InvalidParameterException', 'Filters must be a list.');
    const prefixes: string[] = [];
    for (const filter of filters as { Key?: unknown; Values?: unknown }[]) {
      if (filter.Key !== 'name' || !Array.isArray(filter.Values) || filter.Values.some((value) => typeof value !== 'string' || value.length === 0 || value.length > 512)) {
        throw new AwsError('InvalidParameterException', 'This fake supports only the "name" filter with 1 to 512 character values.');
      }
      prefixes.push(...(filter.Values as string[]));
    }
    const includeDeleted = body.IncludePlannedDeletion === true;
    const matching = [...this.secrets.values()]
      .filter((secret) => (includeDeleted || secret.deletedDate === undefined) && (prefixes.length === 0 || prefixes.some((prefix) => secret.name.startsWith(prefix))))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const { page, NextToken } = this.page(matching, body, `list:${JSON.stringify(prefixes)}:${includeDeleted}`);
    return {
      SecretList: page.map((secret) => ({
        ARN: secret.arn,
        Name: secret.name,
        CreatedDate: secret.createdDate,
        LastChangedDate: secret.lastChangedDate,
        Tags: [...secret.tags].map(([Key, Value]) => ({ Key, Value })),
        SecretVersionsToStages: Object.fromEntries(secret.versions.filter((version) => version.stages.size > 0).map((version) => [version.id, [...version.stages]])),
      })),
      ...(NextToken === undefined ? {} : { NextToken }),
    };
  }

  private listSecretVersionIds(body: Json): Json {
    const secret = this.find(body.SecretId, { allowDeleted: true });
    const versions = secret.versions.filter((version) => body.IncludeDeprecated === true || version.stages.size > 0);
    const { page, NextToken } = this.page(versions, body, `versions:${secret.arn}`);
    return {
      ARN: secret.arn,
      Name: secret.name,
      Versions: page.map((version) => ({ VersionId: version.id, VersionStages: [...version.stages], CreatedDate: version.createdDate })),
      ...(NextToken === undefined ? {} : { NextToken }),
    };
  }

  private updateSecretVersionStage(body: Json): Json {
    const secret = this.find(body.SecretId);
    const stage = body.VersionStage;
    if (typeof stage !== 'string' || stage.length === 0 || stage.length > 256) throw new AwsError('InvalidParameterException', 'VersionStage is required.');
    const holder = secret.versions.find((version) => version.stages.has(stage));
    const { MoveToVersionId, RemoveFromVersionId } = body as { MoveToVersionId?: unknown; RemoveFromVersionId?: unknown };
    if (RemoveFromVersionId !== undefined && holder?.id !== RemoveFromVersionId) {
      throw new AwsError('InvalidParameterException', `The staging label ${stage} is not attached to version ${String(RemoveFromVersionId)}.`);
    }
    if (MoveToVersionId !== undefined) {
      const target = secret.versions.find((version) => version.id === MoveToVersionId);
      if (target === undefined) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret version.");
      if (holder !== undefined && holder !== target && RemoveFromVersionId === undefined) {
        throw new AwsError('InvalidParameterException', `The staging label ${stage} is currently attached to version ${holder.id}; specify RemoveFromVersionId to move it.`);
      }
      this.moveStage(secret, stage, target);
    } else if (holder !== undefined && RemoveFromVersionId !== undefined) {
      if (stage === 'AWSCURRENT') throw new AwsError('InvalidParameterException', 'AWSCURRENT cannot be removed without moving it.');
      holder.stages.delete(stage);
    }
    secret.lastChangedDate = this.now() / 1000;
    return { ARN: secret.arn, Name: secret.name };
  }

  private deleteSecret(body: Json): Json {
    const secret = this.find(body.SecretId, { allowDeleted: true });
    const { RecoveryWindowInDays, ForceDeleteWithoutRecovery } = body as { RecoveryWindowInDays?: unknown; ForceDeleteWithoutRecovery?: unknown };
    if (RecoveryWindowInDays !== undefined && ForceDeleteWithoutRecovery === true) {
      throw new AwsError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    if (ForceDeleteWithoutRecovery === true) {
      this.secrets.delete(secret.name);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: this.now() / 1000 };
    }
    const days = RecoveryWindowInDays ?? 30;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 7 || days > 30) throw new AwsError('InvalidParameterException', 'RecoveryWindowInDays must be from 7 to 30.');
    if (secret.deletedDate !== undefined) throw new AwsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
    secret.deletedDate = this.now() / 1000;
    return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletedDate + days * 86_400 };
  }

  private restoreSecret(body: Json): Json {
    const secret = this.find(body.SecretId, { allowDeleted: true });
    delete secret.deletedDate;
    return { ARN: secret.arn, Name: secret.name };
  }

  private tagResource(body: Json): Json {
    const secret = this.find(body.SecretId);
    for (const [key, value] of this.checkTags(body.Tags)) secret.tags.set(key, value);
    if (secret.tags.size > 50) throw new AwsError('ValidationException', 'A secret can have at most 50 tags.');
    return {};
  }

  private untagResource(body: Json): Json {
    const secret = this.find(body.SecretId);
    if (!Array.isArray(body.TagKeys) || body.TagKeys.some((key) => typeof key !== 'string')) throw new AwsError('InvalidParameterException', 'TagKeys must be a list of strings.');
    for (const key of body.TagKeys as string[]) secret.tags.delete(key);
    return {};
  }
}

function errorResponse(error: AwsError): FakeResponse {
  return { status: error.status, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': error.type, 'x-amzn-requestid': randomUUID() }, body: { __type: error.type, message: error.message } };
}

function actionOf(request: FakeRequest): string {
  return (request.header('x-amz-target') ?? '').replace('secretsmanager.', '');
}
