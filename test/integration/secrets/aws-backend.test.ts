import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsBackend, type AwsBackendOptions } from '../../../electron/core/secrets/backends/aws/aws-backend';
import { AwsSecretsManagerFake } from '../../fakes/aws-secrets-manager-fake';
import { FAST_RETRY } from '../../fakes/fast-retry';
import { captureLogger } from '../../harness/log-capture';

// AWS-specific behaviour beyond the contract suite: @aws-sdk/client-secrets-manager against the
// wire-level fake, which checks every request's SigV4 signature.

let fake: AwsSecretsManagerFake;
const opened: AwsBackend[] = [];
function aws(options: Partial<AwsBackendOptions> = {}): AwsBackend {
  const backend = new AwsBackend({ region: fake.region, endpoint: fake.url, credentials: fake.addAccessKey(), logger: captureLogger().logger, retry: FAST_RETRY, ...options });
  opened.push(backend);
  return backend;
}
const isAction = (action: string) => (request: { headers: Record<string, unknown> }) => request.headers['x-amz-target'] === `secretsmanager.${action}`;

beforeAll(async () => {
  fake = await AwsSecretsManagerFake.start();
});
afterEach(() => fake.server.clearFaults());
afterAll(async () => {
  await Promise.all(opened.map((backend) => backend.close()));
  await fake.close();
});

describe('AWS backend: the seed layout (wire-level fake)', () => {
  it('resolves aws://handsfree/github_token_user_123 and reads the seed\'s {"value": …} SecretString', async () => {
    fake.seed('handsfree/github_token_user_123', JSON.stringify({ value: 'ghp_from_seed' }), { scopes: 'repo,user' });
    const backend = aws();
    expect(backend.pathForKey('github_token_user_123')).toBe('handsfree/github_token_user_123');
    expect((await backend.get('handsfree/github_token_user_123')).value).toBe('ghp_from_seed');
    expect((await backend.describe('handsfree/github_token_user_123')).metadata).toEqual({ scopes: 'repo,user' });
  });

  it('reads a plain SecretString written by others as-is, and other JSON as-is', async () => {
    fake.seed('others/plain', 'just-a-password');
    fake.seed('others/rds', '{"username":"admin","password":"pw"}');
    fake.seed('others/brace', '{not json');
    const backend = aws();
    expect((await backend.get('others/plain')).value).toBe('just-a-password');
    expect((await backend.get('others/rds')).value).toBe('{"username":"admin","password":"pw"}');
    expect((await backend.get('others/brace')).value).toBe('{not json');
  });

  it('writes the value as SecretString JSON {"value": …}, readable by the seed', async () => {
    const backend = aws();
    await backend.set('handsfree/new_key', 'line1\n"quoted"');
    expect(JSON.parse(fake.secretStringOf('handsfree/new_key')!)).toEqual({ value: 'line1\n"quoted"' });
  });

  it('addresses a secret by its ARN as well as its name', async () => {
    const backend = aws();
    await backend.set('by-arn', 'v');
    const arn = fake.arnOf('by-arn')!;
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:by-arn-/);
    expect((await backend.get(arn)).value).toBe('v');
  });
});

describe('AWS backend: versions, staging and deletion (wire-level fake)', () => {
  it('AWSCURRENT and AWSPREVIOUS name the latest two versions', async () => {
    const backend = aws();
    const first = await backend.set('versions', 'one');
    const second = await backend.set('versions', 'two');
    expect((await backend.get('versions', { version: 'AWSPREVIOUS' })).value).toBe('one');
    expect((await backend.get('versions', { version: 'AWSCURRENT' })).value).toBe('two');
    expect(fake.stagesOf('versions')).toEqual({ [first.version!]: ['AWSPREVIOUS'], [second.version!]: ['AWSCURRENT'] });
    const { versions } = await backend.describe('versions');
    expect(versions.find((version) => version.version === first.version)).toMatchObject({ stages: ['AWSPREVIOUS'], current: false });
  });

  it('stage() adds an AWSPENDING version without touching AWSCURRENT; promote() makes it current', async () => {
    const backend = aws();
    const old = await backend.set('rotating', 'old-value');
    const staged = await backend.stage('rotating', 'new-value');
    expect((await backend.get('rotating')).value).toBe('old-value');
    expect((await backend.get('rotating', { version: 'AWSPENDING' })).value).toBe('new-value');
    await backend.promote('rotating', staged.version!);
    expect((await backend.get('rotating')).value).toBe('new-value');
    expect(fake.stagesOf('rotating')).toEqual({ [old.version!]: ['AWSPREVIOUS'], [staged.version!]: ['AWSCURRENT'] });
  });

  it('delete keeps the secret recoverable; the name cannot be reused until restore; force deletes at once', async () => {
    const backend = aws();
    await backend.set('recoverable', 'keep me');
    await backend.delete('recoverable');
    await expect(backend.get('recoverable')).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringContaining('scheduled for deletion') });
    await expect(backend.set('recoverable', 'other')).rejects.toMatchObject({ kind: 'Conflict', message: expect.stringContaining('Restore it') });
    await expect(backend.delete('recoverable')).rejects.toMatchObject({ kind: 'NotFound' });
    await backend.restore('recoverable');
    expect((await backend.get('recoverable')).value).toBe('keep me');
    await backend.delete('recoverable', { force: true });
    await expect(backend.describe('recoverable')).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('a recovery window outside 7 to 30 days is refused before anything is sent', async () => {
    const backend = aws();
    await backend.set('window', 'v');
    await expect(backend.delete('window', { recoveryWindowDays: 3 })).rejects.toMatchObject({ kind: 'InvalidInput' });
    expect((await backend.get('window')).value).toBe('v');
  });

  it('create-only (expectedVersion null) on an existing secret is a Conflict', async () => {
    const backend = aws();
    await backend.set('create-only', 'first', { expectedVersion: null });
    await expect(backend.set('create-only', 'second', { expectedVersion: null })).rejects.toMatchObject({ kind: 'Conflict' });
    expect((await backend.get('create-only')).value).toBe('first');
  });

  it('metadata becomes exactly the tags: changed keys are set and dropped keys removed', async () => {
    const backend = aws();
    await backend.set('tagged', 'v', { metadata: { owner: 'a', team: 'x' } });
    await backend.set('tagged', 'v2', { metadata: { owner: 'b' } });
    expect((await backend.describe('tagged')).metadata).toEqual({ owner: 'b' });
    await backend.set('tagged', 'v3');
    expect((await backend.describe('tagged')).metadata).toEqual({ owner: 'b' });
    await expect(backend.set('tagged', 'v4', { metadata: { 'bad key!': 'x' } })).rejects.toMatchObject({ kind: 'InvalidInput' });
  });

  it('a value that fits only before JSON escaping is refused with InvalidInput', async () => {
    const backend = aws();
    await expect(backend.set('escaped', '"'.repeat(40_000))).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('escaped') });
  });
});

describe('AWS backend: credentials (wire-level fake)', () => {
  it('session credentials (access key, secret key, session token) work', async () => {
    const backend = aws({ credentials: fake.addAccessKey({ sessionToken: true }) });
    await backend.set('session', 'v');
    expect((await backend.get('session')).value).toBe('v');
  });

  it('an expired session token is Unauthenticated and says to refresh the credentials', async () => {
    const backend = aws({ credentials: fake.addAccessKey({ sessionToken: true }), credentialsLabel: 'AWS_SESSION_TOKEN' });
    await backend.set('expiring', 'v');
    fake.expireSessionTokens();
    await expect(backend.get('expiring')).rejects.toMatchObject({ kind: 'Unauthenticated', message: expect.stringMatching(/AWS_SESSION_TOKEN have expired/) });
  });

  it('an injected expired-token error is Unauthenticated and not retried', async () => {
    const backend = aws();
    await backend.set('expired-fault', 'v');
    fake.inject({ kind: 'expired-token', match: isAction('GetSecretValue') });
    const before = fake.server.countRequests();
    await expect(backend.get('expired-fault')).rejects.toMatchObject({ kind: 'Unauthenticated' });
    expect(fake.server.countRequests() - before).toBe(1);
  });

  it('a wrong secret key fails the SigV4 check and is Unauthenticated, without quoting the key', async () => {
    const good = fake.addAccessKey();
    const backend = aws({ credentials: { accessKeyId: good.accessKeyId, secretAccessKey: 'wrong-secret-access-key' } });
    const error = (await backend.get('x').catch((caught: unknown) => caught)) as Error;
    expect(error).toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('secret key is wrong') });
    expect(error.message).not.toContain('wrong-secret-access-key');
  });

  it('an unknown access key is Unauthenticated', async () => {
    const backend = aws({ credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' } });
    await expect(backend.list('')).rejects.toMatchObject({ kind: 'Unauthenticated' });
  });

  it('a read-only key writing is PermissionDenied, and an injected AccessDenied too', async () => {
    const backend = aws({ credentials: fake.addAccessKey({ policy: 'read-only' }) });
    await expect(backend.set('read-only', 'v')).rejects.toMatchObject({ kind: 'PermissionDenied' });
    fake.inject({ kind: 'permission-denied', match: isAction('ListSecrets') });
    await expect(backend.list('')).rejects.toMatchObject({ kind: 'PermissionDenied' });
  });

  it('without explicit credentials the standard chain is used: a named profile from the shared credentials file', async () => {
    const key = fake.addAccessKey();
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-aws-'));
    const file = join(dir, 'credentials');
    await writeFile(file, `[ci]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`, { mode: 0o600 });
    const saved = process.env.AWS_SHARED_CREDENTIALS_FILE;
    process.env.AWS_SHARED_CREDENTIALS_FILE = file;
    try {
      const backend = aws({ credentials: undefined, profile: 'ci' });
      await backend.set('from-profile', 'v');
      expect((await backend.get('from-profile')).value).toBe('v');
    } finally {
      if (saved === undefined) delete process.env.AWS_SHARED_CREDENTIALS_FILE;
      else process.env.AWS_SHARED_CREDENTIALS_FILE = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('AWS backend: transient failures (wire-level fake)', () => {
  it('a 500 InternalServiceError is retried and the request then succeeds', async () => {
    const backend = aws();
    await backend.set('flaky', 'v');
    fake.inject({ kind: 'server-error', times: 2, match: isAction('GetSecretValue') });
    const before = fake.server.countRequests();
    expect((await backend.get('flaky')).value).toBe('v');
    expect(fake.server.countRequests() - before).toBe(3);
  });

  it('ThrottlingException is retried', async () => {
    const backend = aws();
    await backend.set('throttled', 'v');
    fake.inject({ kind: 'throttle', times: 3, match: isAction('GetSecretValue') });
    expect((await backend.get('throttled')).value).toBe('v');
  });

  it('a service that stays unavailable is BackendUnavailable with a retry hint after the capped attempts', async () => {
    const backend = aws();
    fake.inject({ kind: 'server-error', status: 503, times: Infinity, match: isAction('ListSecrets') });
    const before = fake.server.countRequests();
    await expect(backend.list('')).rejects.toMatchObject({ kind: 'BackendUnavailable', retryAfterMs: expect.any(Number) });
    expect(fake.server.countRequests() - before).toBe(FAST_RETRY.attempts);
  });

  it('a reset connection is retried', async () => {
    const backend = aws();
    await backend.set('reset', 'v');
    fake.inject({ kind: 'reset', match: isAction('GetSecretValue') });
    expect((await backend.get('reset')).value).toBe('v');
  });

  it('a request slower than the timeout is abandoned and retried; always slow is BackendUnavailable', async () => {
    const backend = aws({ retry: { ...FAST_RETRY, timeoutMs: 100, attempts: 2 } });
    await backend.set('slow', 'v');
    fake.inject({ kind: 'latency', ms: 400, match: isAction('GetSecretValue') });
    expect((await backend.get('slow')).value).toBe('v');
    fake.inject({ kind: 'latency', ms: 400, times: Infinity, match: isAction('GetSecretValue') });
    await expect(backend.get('slow')).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('did not answer within') });
  });

  it('a write whose answer was lost is retried with the same ClientRequestToken, so AWS applies it once', async () => {
    const backend = aws();
    const first = await backend.set('idempotent', 'v1');
    fake.inject({ kind: 'lost-response', match: isAction('PutSecretValue') });
    const before = fake.server.requests.length;
    const second = await backend.set('idempotent', 'v2');
    const puts = fake.server.requests.slice(before).filter(isAction('PutSecretValue'));
    expect(puts).toHaveLength(2);
    // One new version, not two: the retry was recognised as the same write.
    expect(fake.stagesOf('idempotent')).toEqual({ [first.version!]: ['AWSPREVIOUS'], [second.version!]: ['AWSCURRENT'] });
  });
});
