import { generateKeyPairSync } from 'node:crypto';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GcpBackend, type GcpBackendOptions } from '../../../electron/core/secrets/backends/gcp/gcp-backend';
import { FAST_RETRY } from '../../fakes/fast-retry';
import { GcpSecretManagerFake, type GcpPolicy } from '../../fakes/gcp-secret-manager-fake';
import { captureLogger } from '../../harness/log-capture';

// Google-specific behaviour beyond the contract suite: @google-cloud/secret-manager in REST fallback
// mode against the wire-level fake.

let fake: GcpSecretManagerFake;
const opened: GcpBackend[] = [];

function tokenClient(policy: GcpPolicy = 'admin'): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: fake.issueAccessToken({ policy }), expiry_date: Date.now() + 3_600_000 });
  return client;
}

function gcp(options: Partial<GcpBackendOptions> = {}): GcpBackend {
  const backend = new GcpBackend({
    projectId: fake.projectId,
    endpoint: `http://127.0.0.1:${fake.port}`,
    credentials: { source: 'auth-client', client: tokenClient() },
    logger: captureLogger().logger,
    retry: FAST_RETRY,
    ...options,
  });
  opened.push(backend);
  return backend;
}

const accessOf = (id: string) => (request: { url: URL }) => request.url.pathname.includes(`/secrets/${id}/versions/`) && request.url.pathname.endsWith(':access');

beforeAll(async () => {
  fake = await GcpSecretManagerFake.start();
});
afterEach(() => fake.server.clearFaults());
afterAll(async () => {
  await Promise.all(opened.map((backend) => backend.close()));
  await fake.close();
});

describe('Google backend: the seed layout (wire-level fake)', () => {
  it('resolves the seed key github_token_user_123 to the secret handsfree-github-token-user-123, whose payload is the raw value', async () => {
    fake.seed('handsfree-github-token-user-123', 'ghp_from_seed', { scopes: 'repo_user' });
    const backend = gcp({ layout: 'handsfree' });
    expect((await backend.get('github_token_user_123')).value).toBe('ghp_from_seed');
    expect((await backend.get(`projects/${fake.projectId}/secrets/handsfree-github-token-user-123`)).value).toBe('ghp_from_seed');
    expect((await backend.describe('github_token_user_123')).metadata).toEqual({ scopes: 'repo_user' });
  });

  it('normalises keys as the seed does and stores metadata as labels by its rules', async () => {
    const backend = gcp({ layout: 'handsfree' });
    await backend.set('--Slack.Token__User 9--', 'xoxb', { metadata: { Scopes: 'Repo,User', expires_at: '2026-12-31' } });
    expect(fake.payloadOf('handsfree-slack-token-user-9')).toBe('xoxb');
    expect(fake.labelsOf('handsfree-slack-token-user-9')).toEqual({ scopes: 'repo_user', expires_at: '2026-12-31' });
    await expect(backend.set('x', 'v', { metadata: { '1st': 'a' } })).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('start with a letter') });
  });

  it('lists HandsFree secrets by key prefix, as full names that resolve', async () => {
    const backend = gcp({ layout: 'handsfree' });
    await backend.set('listing_a', 'a');
    await backend.set('listing_b', 'b');
    const page = await backend.list('listing_', { pageSize: 100 });
    expect(page.items.map((item) => item.path)).toEqual([`projects/${fake.projectId}/secrets/handsfree-listing-a`, `projects/${fake.projectId}/secrets/handsfree-listing-b`]);
    expect((await backend.get(page.items[1]!.path)).value).toBe('b');
  });

  it('a payload that is not UTF-8 text is InvalidInput, not mangled', async () => {
    fake.seed('binary-blob', Buffer.from([0xff, 0xfe, 0x00, 0x80]));
    await expect(gcp().get('binary-blob')).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('binary') });
  });
});

describe('Google backend: versions (wire-level fake)', () => {
  it('reads latest or version N, by option or by @N in the reference', async () => {
    const backend = gcp();
    await backend.set('numbered', 'one');
    await backend.set('numbered', 'two');
    expect((await backend.get('numbered', { version: '1' })).value).toBe('one');
    expect((await backend.get('numbered@1')).value).toBe('one');
    expect(await backend.get('numbered@latest')).toMatchObject({ value: 'two', version: '2' });
    await expect(backend.get('numbered@1', { version: '2' })).rejects.toMatchObject({ kind: 'InvalidInput' });
  });

  it('disable hides a version, enable brings it back, destroy erases it; describe shows each state', async () => {
    const backend = gcp();
    await backend.set('states', 'v1');
    await backend.set('states', 'v2');
    await backend.set('states', 'v3');
    await backend.disableVersion('states', '1');
    await expect(backend.get('states', { version: '1' })).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringContaining('disabled or destroyed') });
    await backend.enableVersion('states', '1');
    expect((await backend.get('states', { version: '1' })).value).toBe('v1');
    await backend.destroyVersion('states', '2');
    await expect(backend.enableVersion('states', '2')).rejects.toMatchObject({ kind: 'Conflict' });
    const { versions } = await backend.describe('states');
    expect(versions.map((version) => [version.version, version.state, version.current])).toEqual([
      ['1', 'enabled', false],
      ['2', 'destroyed', false],
      ['3', 'enabled', true],
    ]);
  });

  it('when the latest version is disabled, reading "latest" is NotFound rather than an older value', async () => {
    const backend = gcp();
    await backend.set('latest-off', 'old');
    await backend.set('latest-off', 'new');
    await backend.disableVersion('latest-off', '2');
    await expect(backend.get('latest-off')).rejects.toMatchObject({ kind: 'NotFound' });
  });
});

describe('Google backend: credentials (wire-level fake)', () => {
  it('a service-account key signs its own JWT per request, which the fake verifies with the public key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const email = 'latchkey@latchkey-test.iam.gserviceaccount.com';
    fake.addServiceAccount(email, publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const json = { type: 'service_account', project_id: fake.projectId, private_key_id: 'k1', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), client_email: email, client_id: '1' };
    const backend = gcp({ credentials: { source: 'key', json } });
    await backend.set('via-key', 'signed');
    expect((await backend.get('via-key')).value).toBe('signed');
  });

  it('a key the fake does not know is Unauthenticated, naming where the credentials came from', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const json = { type: 'service_account', project_id: fake.projectId, private_key_id: 'k2', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), client_email: 'stranger@x.iam.gserviceaccount.com', client_id: '2' };
    const backend = gcp({ credentials: { source: 'key', json }, credentialsLabel: 'GOOGLE_APPLICATION_CREDENTIALS' });
    await expect(backend.get('via-key')).rejects.toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('GOOGLE_APPLICATION_CREDENTIALS') });
  });

  it('an expired access token is Unauthenticated, also when the fake injects it', async () => {
    const backend = gcp({ credentials: { source: 'auth-client', client: tokenClient() } });
    await backend.set('expiry', 'v');
    fake.inject({ kind: 'expired-token', match: accessOf('expiry') });
    await expect(backend.get('expiry')).rejects.toMatchObject({ kind: 'Unauthenticated' });
    const later = gcp({ credentials: { source: 'auth-client', client: tokenClient() } });
    fake.expireAccessTokens();
    await expect(later.get('expiry')).rejects.toMatchObject({ kind: 'Unauthenticated' });
  });

  it('an accessor writing is PermissionDenied, and so is an injected permission error', async () => {
    const reader = gcp({ credentials: { source: 'auth-client', client: tokenClient('accessor') } });
    await expect(reader.set('no-write', 'v')).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('roles/secretmanager') });
    const admin = gcp();
    await admin.set('denied-read', 'v');
    fake.inject({ kind: 'permission-denied', match: accessOf('denied-read') });
    await expect(admin.get('denied-read')).rejects.toMatchObject({ kind: 'PermissionDenied' });
  });
});

describe('Google backend: transient failures (wire-level fake)', () => {
  it('UNAVAILABLE is retried by Latchkey alone (the library does not retry on top)', async () => {
    const backend = gcp();
    await backend.set('flaky', 'v');
    fake.inject({ kind: 'server-error', times: 2, match: accessOf('flaky') });
    const before = fake.server.countRequests((request) => request.url.includes('/secrets/flaky/versions/latest:access'));
    expect((await backend.get('flaky')).value).toBe('v');
    expect(fake.server.countRequests((request) => request.url.includes('/secrets/flaky/versions/latest:access')) - before).toBe(3);
  });

  it('RESOURCE_EXHAUSTED (quota) is retried', async () => {
    const backend = gcp();
    await backend.set('quota', 'v');
    fake.inject({ kind: 'throttle', times: 2, match: accessOf('quota') });
    expect((await backend.get('quota')).value).toBe('v');
  });

  it('a service that stays unavailable is BackendUnavailable with a retry hint after exactly the capped attempts', async () => {
    const backend = gcp();
    await backend.set('down', 'v');
    fake.inject({ kind: 'server-error', times: Infinity, match: accessOf('down') });
    const before = fake.server.countRequests((request) => request.url.includes('/secrets/down/'));
    await expect(backend.get('down')).rejects.toMatchObject({ kind: 'BackendUnavailable', retryAfterMs: expect.any(Number) });
    expect(fake.server.countRequests((request) => request.url.includes('/secrets/down/')) - before).toBe(FAST_RETRY.attempts);
  });

  it('a reset connection is retried', async () => {
    const backend = gcp();
    await backend.set('reset', 'v');
    fake.inject({ kind: 'reset', match: accessOf('reset') });
    expect((await backend.get('reset')).value).toBe('v');
  });

  it('a request slower than the timeout is abandoned and retried; always slow is BackendUnavailable', async () => {
    const backend = gcp({ retry: { ...FAST_RETRY, timeoutMs: 100, attempts: 2 } });
    await backend.set('slow', 'v');
    fake.inject({ kind: 'latency', ms: 400, match: accessOf('slow') });
    expect((await backend.get('slow')).value).toBe('v');
    fake.inject({ kind: 'latency', ms: 400, times: Infinity, match: accessOf('slow') });
    await expect(backend.get('slow')).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('did not answer within') });
  });
});
