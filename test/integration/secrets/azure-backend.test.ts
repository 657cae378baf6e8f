import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AzureBackend, type AzureBackendOptions } from '../../../electron/core/secrets/backends/azure/azure-backend';
import { CAPTURE_HEADER } from '../../../electron/core/secrets/backends/azure/azure-next-links';
import { FakeIssuerCredential } from '../../doubles/azure-fake-issuer-credential';
import { AzureKeyVaultFake } from '../../fakes/azure-key-vault-fake';
import { FAST_RETRY } from '../../fakes/fast-retry';
import { captureLogger } from '../../harness/log-capture';

// Azure-specific behaviour beyond the contract suite: @azure/keyvault-secrets against the wire-level
// Key Vault fake, with tokens from the fake's issuer. The real ClientSecretCredential getting its token
// from a fake Entra ID token endpoint is in azure-service-principal.test.ts.

const VAULT = 'latchkey-test';
let fake: AzureKeyVaultFake;

function azure(options: Partial<AzureBackendOptions> = {}, target: AzureKeyVaultFake = fake): AzureBackend {
  return new AzureBackend({
    credential: new FakeIssuerCredential(target),
    vaultUrl: target.url,
    vaultName: VAULT,
    disableChallengeResourceVerification: true,
    pollIntervalMs: 5,
    logger: captureLogger().logger,
    retry: FAST_RETRY,
    ...options,
  });
}
const path = (name: string) => `${VAULT}/${name}`;
/** GETs of the latest version of `name`, as recorded (url: string) or as seen by a fault (url: URL). */
const requestsTo = (name: string) => (request: { method: string; url: string | URL }) =>
  request.method === 'GET' && (typeof request.url === 'string' ? new URL(request.url, 'http://x') : request.url).pathname === `/secrets/${name}/`;

beforeAll(async () => {
  fake = await AzureKeyVaultFake.start({ pendingDeletePolls: 2 });
});
afterEach(() => fake.server.clearFaults());
afterAll(() => fake.close());

describe('Azure backend: authentication by challenge (wire-level fake)', () => {
  it('answers the 401 challenge: the credential is asked for the vault scope and the challenge tenant', async () => {
    const credential = new FakeIssuerCredential(fake);
    const backend = azure({ credential });
    await backend.set(path('challenge'), 'v');
    expect(credential.requests[0]).toMatchObject({ scopes: ['https://vault.azure.net/.default'], tenantId: fake.tenantId });
    expect(fake.server.requests.some((request) => request.headers.authorization === undefined)).toBe(true);
  });

  it('a revoked token gets a CAE challenge; the SDK asks for a new token with the claims and the request succeeds', async () => {
    const credential = new FakeIssuerCredential(fake);
    const backend = azure({ credential });
    await backend.set(path('cae'), 'v');
    fake.inject({ kind: 'expired-token', match: requestsTo('cae') });
    expect((await backend.get(path('cae'))).value).toBe('v');
    expect(credential.requests.some((request) => request.claims?.includes('nbf') === true)).toBe(true);
  });

  it('a credential that cannot get a token is Unauthenticated and says which variables to set', async () => {
    const failure = Object.assign(new Error('EnvironmentCredential is unavailable'), { name: 'CredentialUnavailableError' });
    const backend = azure({ credential: new FakeIssuerCredential(fake, 'all', failure), credentialsLabel: 'AZURE_CLIENT_SECRET' });
    const error = (await backend.get(path('x')).catch((caught: unknown) => caught)) as Error;
    expect(error).toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('AZURE_TENANT_ID') });
    expect(error.message).not.toContain('EnvironmentCredential is unavailable');
  });

  it('a read-only identity writing is PermissionDenied, and so is an injected RBAC denial', async () => {
    const reader = azure({ credential: new FakeIssuerCredential(fake, 'read') });
    await expect(reader.set(path('no-write'), 'v')).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('Key Vault Secrets Officer') });
    const writer = azure();
    await writer.set(path('rbac'), 'v');
    fake.inject({ kind: 'permission-denied', match: requestsTo('rbac') });
    await expect(writer.get(path('rbac'))).rejects.toMatchObject({ kind: 'PermissionDenied' });
  });
});

describe('Azure backend: soft delete (wire-level fake)', () => {
  it('writing to a name that is deleted but recoverable recovers it instead of failing, keeping its history', async () => {
    const backend = azure();
    const first = await backend.set(path('phoenix'), 'before delete');
    await backend.delete(path('phoenix'));
    expect(fake.isDeleted('phoenix')).toBe(true);
    const second = await backend.set(path('phoenix'), 'after delete');
    expect(fake.isDeleted('phoenix')).toBe(false);
    expect((await backend.get(path('phoenix'))).value).toBe('after delete');
    expect((await backend.get(path('phoenix'), { version: first.version! })).value).toBe('before delete');
    expect((await backend.describe(path('phoenix'))).versions.map((version) => version.version)).toEqual([first.version, second.version]);
  });

  it('a transient failure while Azure finishes a deletion is retried, and the delete still completes', async () => {
    const backend = azure();
    await backend.set(path('slow-delete'), 'v');
    fake.inject({ kind: 'server-error', times: 2, match: (request) => request.url.pathname === '/deletedsecrets/slow-delete' });
    await backend.delete(path('slow-delete'));
    expect(fake.isDeleted('slow-delete')).toBe(true);
    await backend.restore(path('slow-delete'));
    expect((await backend.get(path('slow-delete'))).value).toBe('v');
  });

  it('describe of a deleted secret shows it as deleted, so it can be offered for restore', async () => {
    const backend = azure();
    await backend.set(path('tombstone'), 'v', { metadata: { owner: 'ops' } });
    await backend.delete(path('tombstone'));
    const described = await backend.describe(path('tombstone'));
    expect(described.versions).toEqual([expect.objectContaining({ state: 'deleted', current: true })]);
    expect(described.metadata).toEqual({ owner: 'ops' });
  });

  it('force delete purges, also a secret that was already soft-deleted', async () => {
    const backend = azure();
    await backend.set(path('purged'), 'v');
    await backend.delete(path('purged'));
    await backend.delete(path('purged'), { force: true });
    await expect(backend.describe(path('purged'))).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(backend.restore(path('purged'))).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('a vault with purge protection refuses force delete with PermissionDenied, leaving the secret recoverable', async () => {
    const protectedVault = await AzureKeyVaultFake.start({ purgeProtection: true });
    try {
      const backend = azure({}, protectedVault);
      await backend.set(path('kept'), 'v');
      await expect(backend.delete(path('kept'), { force: true })).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('purge protection') });
      await backend.restore(path('kept'));
      expect((await backend.get(path('kept'))).value).toBe('v');
    } finally {
      await protectedVault.close();
    }
  });
});

describe('Azure backend: versions, tags, references and listing (wire-level fake)', () => {
  it('a disabled version cannot be read until enabled again', async () => {
    const backend = azure();
    const first = await backend.set(path('toggle'), 'one');
    await backend.set(path('toggle'), 'two');
    await backend.disableVersion(path('toggle'), first.version!);
    await expect(backend.get(path('toggle'), { version: first.version! })).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringContaining('disabled') });
    expect((await backend.describe(path('toggle'))).versions.find((version) => version.version === first.version)).toMatchObject({ state: 'disabled' });
    await backend.enableVersion(path('toggle'), first.version!);
    expect((await backend.get(path('toggle'), { version: first.version! })).value).toBe('one');
  });

  it('tags stay with the secret when a new value is written without metadata', async () => {
    const backend = azure();
    await backend.set(path('tagged'), 'one', { metadata: { owner: 'payments' } });
    await backend.set(path('tagged'), 'two');
    expect((await backend.describe(path('tagged'))).metadata).toEqual({ owner: 'payments' });
  });

  it('a connection with its own URL refuses references to another vault', async () => {
    await expect(azure().get('some-other-vault/x')).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('some-other-vault') });
  });

  it('without a URL, a vault is found at https://<name>.<dnsSuffix>', () => {
    const backend = new AzureBackend({ credential: new FakeIssuerCredential(fake), vaultName: 'prod-kv', dnsSuffix: 'vault.azure.cn', logger: captureLogger().logger });
    expect(backend.location).toBe('Azure Key Vault prod-kv');
    expect(backend.pathForKey('db.password')).toBe('prod-kv/db-password');
  });

  it("listing hands out Azure's nextLink as the page token; the capture header never reaches Azure", async () => {
    const backend = azure();
    for (let i = 0; i < 4; i += 1) await backend.set(path(`paged${i}`), 'v');
    const first = await backend.list(path('paged'), { pageSize: 2 });
    expect(first.nextPageToken).toMatch(new RegExp(`^${fake.url}/secrets\\?.*\\$skiptoken=`));
    const second = await backend.list(path('paged'), { pageSize: 2, pageToken: first.nextPageToken! });
    expect([...first.items, ...second.items].map((item) => item.path)).toEqual(expect.arrayContaining([path('paged0'), path('paged3')]));
    expect(fake.server.requests.every((request) => request.headers[CAPTURE_HEADER] === undefined)).toBe(true);
  });

  it('a page token leading to another host is refused, so the bearer token is never sent there', async () => {
    await expect(azure().list(path(''), { pageToken: 'https://attacker.example/secrets?$skiptoken=x' })).rejects.toMatchObject({ kind: 'InvalidInput' });
  });
});

describe('Azure backend: transient failures (wire-level fake)', () => {
  it('a 500 is retried by Latchkey alone (the pipeline does not retry on top)', async () => {
    const backend = azure();
    await backend.set(path('flaky'), 'v');
    fake.inject({ kind: 'server-error', times: 2, match: requestsTo('flaky') });
    const before = fake.server.countRequests(requestsTo('flaky'));
    expect((await backend.get(path('flaky'))).value).toBe('v');
    expect(fake.server.countRequests(requestsTo('flaky')) - before).toBe(3);
  });

  it("429 is retried, waiting at least the server's Retry-After", async () => {
    const delays: number[] = [];
    const backend = azure({ retry: { ...FAST_RETRY, maxDelayMs: 60_000 }, sleep: async (ms) => void delays.push(ms) });
    await backend.set(path('throttled'), 'v');
    fake.inject({ kind: 'throttle', retryAfterSeconds: 7, match: requestsTo('throttled') });
    expect((await backend.get(path('throttled'))).value).toBe('v');
    expect(delays).toEqual([7_000]);
  });

  it('a vault that stays unavailable is BackendUnavailable with a retry hint after exactly the capped attempts', async () => {
    const backend = azure();
    await backend.set(path('down'), 'v');
    fake.inject({ kind: 'server-error', status: 503, times: Infinity, match: requestsTo('down') });
    const before = fake.server.countRequests(requestsTo('down'));
    await expect(backend.get(path('down'))).rejects.toMatchObject({ kind: 'BackendUnavailable', retryAfterMs: expect.any(Number) });
    expect(fake.server.countRequests(requestsTo('down')) - before).toBe(FAST_RETRY.attempts);
  });

  it('a reset connection is retried', async () => {
    const backend = azure();
    await backend.set(path('reset'), 'v');
    fake.inject({ kind: 'reset', match: requestsTo('reset') });
    expect((await backend.get(path('reset'))).value).toBe('v');
  });

  it('a request slower than the timeout is abandoned and retried; always slow is BackendUnavailable', async () => {
    const backend = azure({ retry: { ...FAST_RETRY, timeoutMs: 150, attempts: 2 } });
    await backend.set(path('slow'), 'v');
    fake.inject({ kind: 'latency', ms: 500, match: requestsTo('slow') });
    expect((await backend.get(path('slow'))).value).toBe('v');
    fake.inject({ kind: 'latency', ms: 500, times: Infinity, match: requestsTo('slow') });
    await expect(backend.get(path('slow'))).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('did not answer within') });
  });
});
