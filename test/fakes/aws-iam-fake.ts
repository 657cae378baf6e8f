import { randomBytes, randomUUID } from 'node:crypto';
import { verifySigV4 } from './aws-sigv4';
import { ServiceFake, type Fault, type FakeRequest, type FakeResponse } from './http-fake';

/**
 * A wire-level fake of AWS IAM and STS, written from their API references: both are AWS Query APIs
 * (POST / with a form-encoded body `Action=…&Version=…`, IAM `Version=2010-05-08`, STS
 * `Version=2011-06-15`; XML answers `<ActionResponse><ActionResult>…</ActionResult>` and XML errors
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`). Every call is
 * checked with Signature Version 4 (IAM signed for us-east-1 and service `iam`, STS for the fake's
 * region and `sts`) against the access keys the fake holds, so it knows which key signed which call.
 * A key that is Inactive or deleted is refused with `InvalidClientTokenId`, as AWS does.
 *
 * IAM actions: CreateAccessKey (at most two keys per user: `LimitExceeded`), ListAccessKeys,
 * UpdateAccessKey, DeleteAccessKey, GetUser, GetAccessKeyLastUsed. STS: GetCallerIdentity.
 * One server answers both (the clients are pointed at the same URL); which API a call is for is
 * decided by its Version and signing scope together, and a call that mixes them is refused.
 *
 * Who may do what: a user is `admin` (may manage every user's keys), `self` (may manage only its own
 * keys — the usual "iam:*AccessKey on ${aws:username}" policy) or `none`. A new key may be refused by
 * STS for its first few uses (`propagationCalls`), as IAM's eventual consistency does for seconds.
 */
export type IamPolicy = 'admin' | 'self' | 'none';

export interface AwsIamFakeOptions {
  region?: string;
  accountId?: string;
  /** STS refuses a new key for this many calls after it is created (default 0). */
  propagationCalls?: number;
  now?: () => number;
}

interface User {
  name: string;
  userId: string;
  policy: IamPolicy;
  createDate: number;
}

export interface FakeAccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  userName: string;
  status: 'Active' | 'Inactive';
  createDate: number;
  lastUsed?: { date: number; service: string; region: string };
  /** STS calls still to refuse while the key "propagates". */
  pendingCalls: number;
}

export interface FakeCall {
  api: 'iam' | 'sts';
  action: string;
  accessKeyId: string;
  ok: boolean;
  code?: string;
}

const IAM_VERSION = '2010-05-08';
const STS_VERSION = '2011-06-15';
const IAM_NS = `https://iam.amazonaws.com/doc/${IAM_VERSION}/`;
const STS_NS = `https://sts.amazonaws.com/doc/${STS_VERSION}/`;
const KEY_MANAGEMENT = new Set(['CreateAccessKey', 'ListAccessKeys', 'UpdateAccessKey', 'DeleteAccessKey', 'GetAccessKeyLastUsed', 'GetUser']);
const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const ACCESS_KEY_ID = /^[\w]{16,128}$/;

class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

export class AwsIamFake extends ServiceFake {
  readonly region: string;
  readonly accountId: string;
  /** Every authenticated call: which API and action, which key signed it, and how it ended. */
  readonly calls: FakeCall[] = [];
  private readonly users = new Map<string, User>();
  private readonly keys = new Map<string, FakeAccessKey>();
  private readonly now: () => number;
  private holds: { action: string; released: Promise<void>; arrive(): void }[] = [];
  propagationCalls: number;

  private constructor(options: AwsIamFakeOptions) {
    super();
    this.region = options.region ?? 'eu-west-1';
    this.accountId = options.accountId ?? '123456789012';
    this.propagationCalls = options.propagationCalls ?? 0;
    this.now = options.now ?? Date.now;
  }

  static start(options: AwsIamFakeOptions = {}): Promise<AwsIamFake> {
    return new AwsIamFake(options).listen();
  }

  addUser(name: string, policy: IamPolicy = 'none'): void {
    this.users.set(name, { name, policy, userId: `AIDA${randomId(17)}`, createDate: this.now() });
  }

  /**
   * Gives `userName` a key as the console would (not through the API, not counted in `calls`);
   * `secretAccessKey` lets a leak test make the secret a canary.
   */
  addKey(userName: string, status: 'Active' | 'Inactive' = 'Active', secretAccessKey?: string): { accessKeyId: string; secretAccessKey: string } {
    if (!this.users.has(userName)) throw new Error(`no user ${userName}`);
    const key = this.newKey(userName, 0);
    key.status = status;
    if (secretAccessKey !== undefined) key.secretAccessKey = secretAccessKey;
    return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  }

  /**
   * The next `action` is carried out but its answer is held until `release()` — for a test that kills
   * the client while the change is made and its answer is on the way.
   */
  hold(action: string): { reached: Promise<void>; release(): void } {
    let reached!: () => void;
    let release!: () => void;
    const hold = { action, reached: new Promise<void>((resolve) => (reached = resolve)), released: new Promise<void>((resolve) => (release = resolve)), arrive: () => reached() };
    this.holds.push(hold);
    return { reached: hold.reached, release };
  }

  keysOf(userName: string): FakeAccessKey[] {
    return [...this.keys.values()].filter((key) => key.userName === userName).sort((a, b) => a.createDate - b.createDate);
  }

  key(accessKeyId: string): FakeAccessKey | undefined {
    return this.keys.get(accessKeyId);
  }

  protected renderFault(fault: Fault, request: FakeRequest): FakeResponse | 'continue' {
    const sts = paramsOf(request).get('Version') === STS_VERSION;
    switch (fault.kind) {
      case 'server-error':
        return errorResponse(new QueryError(sts ? 'InternalFailure' : 'ServiceFailure', 'Request processing has failed due to some unknown error, exception or failure.', fault.status ?? 500, 'Receiver'), sts);
      case 'throttle':
        return errorResponse(new QueryError('Throttling', 'Rate exceeded'), sts);
      case 'expired-token':
        return errorResponse(new QueryError('ExpiredToken', 'The security token included in the request is expired', 403), sts);
      case 'permission-denied':
        return errorResponse(new QueryError('AccessDenied', `User is not authorized to perform: ${sts ? 'sts' : 'iam'}:${paramsOf(request).get('Action') ?? ''}`, 403), sts);
      default:
        return 'continue';
    }
  }

  protected async handle(request: FakeRequest): Promise<FakeResponse> {
    const response = this.answer(request);
    const action = paramsOf(request).get('Action');
    const hold = this.holds.find((candidate) => candidate.action === action);
    if (hold !== undefined) {
      this.holds = this.holds.filter((candidate) => candidate !== hold);
      hold.arrive();
      await hold.released;
    }
    return response;
  }

  private answer(request: FakeRequest): FakeResponse {
    const params = paramsOf(request);
    const sts = params.get('Version') === STS_VERSION;
    try {
      if (request.method !== 'POST' || request.url.pathname !== '/') throw new QueryError('InvalidAction', 'Only POST / is served.', 404);
      if (!(request.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
        throw new QueryError('InvalidParameterValue', 'The body must be application/x-www-form-urlencoded.');
      }
      const action = params.get('Action') ?? '';
      const version = params.get('Version');
      if (version !== IAM_VERSION && version !== STS_VERSION) throw new QueryError('InvalidAction', `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`);
      const api = sts ? 'sts' : 'iam';
      const caller = this.authenticate(request, api);
      try {
        const body = sts ? this.dispatchSts(action, caller) : this.dispatchIam(action, params, caller);
        this.calls.push({ api, action, accessKeyId: caller.key.accessKeyId, ok: true });
        caller.key.lastUsed = { date: this.now(), service: api, region: api === 'iam' ? 'us-east-1' : this.region };
        return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() }, body: resultXml(action, body, sts ? STS_NS : IAM_NS) };
      } catch (error) {
        if (error instanceof QueryError) this.calls.push({ api, action, accessKeyId: caller.key.accessKeyId, ok: false, code: error.code });
        throw error;
      }
    } catch (error) {
      if (error instanceof QueryError) return errorResponse(error, sts);
      throw error;
    }
  }

  private authenticate(request: FakeRequest, api: 'iam' | 'sts'): { key: FakeAccessKey; user: User } {
    const verdict = verifySigV4(request, {
      region: api === 'iam' ? 'us-east-1' : this.region,
      service: api,
      // An Inactive or deleted key is unknown to the authentication step, as in AWS.
      lookup: (id) => {
        const key = this.keys.get(id);
        return key?.status === 'Active' ? key : undefined;
      },
    });
    if (!verdict.ok) {
      if (verdict.type === 'UnrecognizedClientException') throw new QueryError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
      if (verdict.type === 'MissingAuthenticationTokenException') throw new QueryError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
      if (verdict.type === 'InvalidSignatureException') throw new QueryError('SignatureDoesNotMatch', verdict.message, 403);
      throw new QueryError('IncompleteSignature', verdict.message, 403);
    }
    const key = this.keys.get(verdict.accessKeyId)!;
    if (api === 'sts' && key.pendingCalls > 0) {
      key.pendingCalls -= 1;
      throw new QueryError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    }
    return { key, user: this.users.get(key.userName)! };
  }

  private dispatchSts(action: string, caller: { user: User }): string {
    if (action !== 'GetCallerIdentity') throw new QueryError('InvalidAction', `Could not find operation ${action} for version ${STS_VERSION}`);
    return `<Arn>${this.arnOf(caller.user)}</Arn><UserId>${caller.user.userId}</UserId><Account>${this.accountId}</Account>`;
  }

  private dispatchIam(action: string, params: URLSearchParams, caller: { key: FakeAccessKey; user: User }): string {
    if (!KEY_MANAGEMENT.has(action)) throw new QueryError('InvalidAction', `Could not find operation ${action} for version ${IAM_VERSION}`);
    if (action === 'GetAccessKeyLastUsed') return this.getAccessKeyLastUsed(required(params, 'AccessKeyId', ACCESS_KEY_ID), caller.user);
    // UserName defaults to the caller, as documented for the access-key actions and GetUser.
    const userName = optional(params, 'UserName', USER_NAME) ?? caller.user.name;
    this.authorize(caller.user, action, userName);
    const user = this.users.get(userName);
    if (user === undefined) throw new QueryError('NoSuchEntity', `The user with name ${userName} cannot be found.`, 404);
    switch (action) {
      case 'GetUser':
        return `<User><Path>/</Path><UserName>${user.name}</UserName><UserId>${user.userId}</UserId><Arn>${this.arnOf(user)}</Arn><CreateDate>${iso(user.createDate)}</CreateDate></User>`;
      case 'CreateAccessKey': {
        if (this.keysOf(userName).length >= 2) throw new QueryError('LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2', 409);
        const key = this.newKey(userName, this.propagationCalls);
        return `<AccessKey><UserName>${userName}</UserName><AccessKeyId>${key.accessKeyId}</AccessKeyId><Status>Active</Status><SecretAccessKey>${key.secretAccessKey}</SecretAccessKey><CreateDate>${iso(key.createDate)}</CreateDate></AccessKey>`;
      }
      case 'ListAccessKeys':
        return (
          `<AccessKeyMetadata>` +
          this.keysOf(userName)
            .map((key) => `<member><UserName>${userName}</UserName><AccessKeyId>${key.accessKeyId}</AccessKeyId><Status>${key.status}</Status><CreateDate>${iso(key.createDate)}</CreateDate></member>`)
            .join('') +
          `</AccessKeyMetadata><IsTruncated>false</IsTruncated>`
        );
      case 'UpdateAccessKey': {
        const key = this.ownedKey(userName, required(params, 'AccessKeyId', ACCESS_KEY_ID));
        const status = required(params, 'Status', /^(Active|Inactive)$/);
        key.status = status as FakeAccessKey['status'];
        return '';
      }
      case 'DeleteAccessKey':
        this.keys.delete(this.ownedKey(userName, required(params, 'AccessKeyId', ACCESS_KEY_ID)).accessKeyId);
        return '';
      default:
        throw new QueryError('InvalidAction', `Could not find operation ${action}`);
    }
  }

  private getAccessKeyLastUsed(accessKeyId: string, caller: User): string {
    const key = this.keys.get(accessKeyId);
    if (key === undefined) throw new QueryError('AccessDenied', `User: ${this.arnOf(caller)} is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key ${accessKeyId}`, 403);
    this.authorize(caller, 'GetAccessKeyLastUsed', key.userName);
    const lastUsed = key.lastUsed === undefined ? '<ServiceName>N/A</ServiceName><Region>N/A</Region>' : `<LastUsedDate>${iso(key.lastUsed.date)}</LastUsedDate><ServiceName>${key.lastUsed.service}</ServiceName><Region>${key.lastUsed.region}</Region>`;
    return `<UserName>${key.userName}</UserName><AccessKeyLastUsed>${lastUsed}</AccessKeyLastUsed>`;
  }

  private authorize(caller: User, action: string, userName: string): void {
    if (caller.policy === 'admin' || (caller.policy === 'self' && userName === caller.name)) return;
    throw new QueryError('AccessDenied', `User: ${this.arnOf(caller)} is not authorized to perform: iam:${action} on resource: user ${userName} because no identity-based policy allows the iam:${action} action`, 403);
  }

  private ownedKey(userName: string, accessKeyId: string): FakeAccessKey {
    const key = this.keys.get(accessKeyId);
    if (key === undefined || key.userName !== userName) throw new QueryError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`, 404);
    return key;
  }

  private newKey(userName: string, pendingCalls: number): FakeAccessKey {
    const key: FakeAccessKey = {
      accessKeyId: `AKIA${randomId(16)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      userName,
      status: 'Active',
      // Distinct creation times keep "oldest first" well defined.
      createDate: Math.max(this.now(), ...[...this.keys.values()].map((other) => other.createDate + 1)),
      pendingCalls,
    };
    this.keys.set(key.accessKeyId, key);
    return key;
  }

  private arnOf(user: User): string {
    return `arn:aws:iam::${this.accountId}:user/${user.name}`;
  }
}

function paramsOf(request: FakeRequest): URLSearchParams {
  return new URLSearchParams(request.text());
}

function required(params: URLSearchParams, name: string, pattern: RegExp): string {
  const value = params.get(name);
  if (value === null) throw new QueryError('ValidationError', `1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`);
  if (!pattern.test(value)) throw new QueryError('ValidationError', `1 validation error detected: Value at '${lowerFirst(name)}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern.source}`);
  return value;
}

function optional(params: URLSearchParams, name: string, pattern: RegExp): string | undefined {
  return params.has(name) ? required(params, name, pattern) : undefined;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

function randomId(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...randomBytes(length)].map((byte) => alphabet[byte % 32]).join('');
}

const iso = (ms: number) => new Date(ms).toISOString();

function resultXml(action: string, inner: string, namespace: string): string {
  const requestId = `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
  const result = inner === '' ? '' : `<${action}Result>${inner}</${action}Result>`;
  return `<${action}Response xmlns="${namespace}">${result}${requestId}</${action}Response>`;
}

function errorResponse(error: QueryError, sts: boolean): FakeResponse {
  const message = error.message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() },
    body: `<ErrorResponse xmlns="${sts ? STS_NS : IAM_NS}"><Error><Type>${error.type}</Type><Code>${error.code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}
