import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VaultBackend, type VaultBackendOptions } from '../../../electron/core/secrets/backends/vault/vault-backend';
import { FAST_RETRY } from '../../fakes/fast-retry';
import { ManualClock } from '../../fakes/http-fake';
import { VaultFake } from '../../fakes/vault-fake';
import { captureLogger } from '../../harness/log-capture';
import { createTestCertificates, opensslAvailable } from '../../harness/tls';

// Vault-specific behaviour beyond the contract suite, through node-vault against the wire-level fake.

function vault(fake: VaultFake, options: Partial<VaultBackendOptions> & Pick<VaultBackendOptions, 'auth'>): VaultBackend {
  return new VaultBackend({ address: fake.url, logger: captureLogger().logger, retry: FAST_RETRY, ...options });
}

describe('Vault backend: the seed layout and explicit references (wire-level fake)', () => {
  let fake: VaultFake;
  beforeAll(async () => {
    fake = await VaultFake.start();
  });
  afterAll(() => fake.close());

  it('reads what the HandsFree server stored at vault://github_token_user_123 (secret/data/github/token/user/123, {value, metadata})', async () => {
    fake.seed('github/token/user/123', { value: 'ghp_seeded', metadata: { scopes: 'repo,user', expires_at: '2026-12-31' } });
    const backend = vault(fake, { layout: 'handsfree', auth: { method: 'token', token: fake.createToken() } });
    expect(await backend.get('github_token_user_123')).toMatchObject({ value: 'ghp_seeded', version: '1' });
    expect((await backend.describe('github_token_user_123')).metadata).toEqual({ scopes: 'repo,user', expires_at: '2026-12-31' });
  });

  it('writes through the HandsFree layout the way the seed reads it back', async () => {
    const backend = vault(fake, { layout: 'handsfree', auth: { method: 'token', token: fake.createToken() } });
    await backend.set('slack_token.user_9', 'xoxb-new', { metadata: { source: 'oauth' } });
    expect(fake.stored('slack/token/user/9')).toEqual({ value: 'xoxb-new', metadata: { source: 'oauth' } });
  });

  it('lists HandsFree paths so that every listed path resolves back to its secret', async () => {
    fake.seed('plain_name', { value: 'native-writer' });
    const backend = vault(fake, { layout: 'handsfree', auth: { method: 'token', token: fake.createToken() } });
    const page = await backend.list('', { pageSize: 100 });
    const paths = page.items.map((item) => item.path);
    expect(paths).toContain('github/token/user/123');
    expect(paths).toContain('secret/plain_name#value');
    expect((await backend.get('secret/plain_name#value')).value).toBe('native-writer');
  });

  it('vault://<mount>/<path>#<field> reads one field, and a write keeps the other fields', async () => {
    fake.seed('app/db', { username: 'app', password: 'old-password' });
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() } });
    expect((await backend.get('secret/app/db#password')).value).toBe('old-password');
    await backend.set('secret/app/db#password', 'new-password');
    expect(fake.stored('app/db')).toEqual({ username: 'app', password: 'new-password' });
    await expect(backend.get('secret/app/db#missing')).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringContaining('no field "missing"') });
  });

  it('a field that is not text is InvalidInput, not a mangled value', async () => {
    fake.seed('numbers', { value: 42 });
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() } });
    await expect(backend.get('numbers')).rejects.toMatchObject({ kind: 'InvalidInput' });
  });

  it('a secret that requires check-and-set is still written by a plain set, guarded by the current version', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() } });
    await backend.set('guarded', 'one');
    fake.setCasRequired('guarded', true);
    expect(await backend.set('guarded', 'two')).toEqual({ version: '2' });
    expect((await backend.get('guarded')).value).toBe('two');
  });

  it('plain writers racing each other never lose an update silently: each write is its own version or a Conflict', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() } });
    await backend.set('raced', 'start');
    const outcomes = await Promise.allSettled(['a', 'b', 'c', 'd', 'e'].map((writer) => backend.set('raced', `writer ${writer}`)));
    const written = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.version!] : []));
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ kind: 'Conflict' });
    expect(written.length).toBeGreaterThan(0);
    expect((await backend.describe('raced')).versions).toHaveLength(1 + written.length);
    const values = await Promise.all(written.map(async (version) => (await backend.get('raced', { version })).value));
    expect(new Set(values).size).toBe(written.length);
  });

  it('versions can be disabled (soft-deleted), enabled again and destroyed', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() } });
    await backend.set('history', 'v1');
    await backend.set('history', 'v2');
    await backend.disableVersion('history', '1');
    await expect(backend.get('history', { version: '1' })).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringContaining('was deleted') });
    await backend.enableVersion('history', '1');
    expect((await backend.get('history', { version: '1' })).value).toBe('v1');
    await backend.destroyVersion('history', '1');
    await expect(backend.get('history', { version: '1' })).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringContaining('destroyed') });
    const { versions } = await backend.describe('history');
    expect(versions).toEqual([expect.objectContaining({ version: '1', state: 'destroyed', current: false }), expect.objectContaining({ version: '2', state: 'enabled', current: true })]);
  });

  it('a mount that is not a KV engine is InvalidInput naming VAULT_MOUNT', async () => {
    const backend = vault(fake, { mount: 'nope', auth: { method: 'token', token: fake.createToken() } });
    await expect(backend.get('x')).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('VAULT_MOUNT') });
  });

  it('never sends the VAULT_TOKEN, VAULT_NAMESPACE or VAULT_PREFIX of the process environment', async () => {
    const saved = { token: process.env.VAULT_TOKEN, namespace: process.env.VAULT_NAMESPACE, prefix: process.env.VAULT_PREFIX };
    process.env.VAULT_TOKEN = 'hvs.from-the-shell';
    process.env.VAULT_NAMESPACE = 'shell-namespace';
    process.env.VAULT_PREFIX = '/shell-prefix';
    try {
      const { roleId, secretId } = fake.addAppRole();
      const backend = vault(fake, { auth: { method: 'approle', roleId, secretId } });
      const before = fake.server.requests.length;
      await backend.set('isolation', 'x');
      const sent = fake.server.requests.slice(before);
      expect(sent.length).toBeGreaterThan(0);
      for (const request of sent) {
        expect(request.headers['x-vault-token']).not.toBe('hvs.from-the-shell');
        expect(request.headers['x-vault-namespace']).toBeUndefined();
        expect(request.url).not.toContain('shell-prefix');
      }
    } finally {
      for (const [name, value] of [['VAULT_TOKEN', saved.token], ['VAULT_NAMESPACE', saved.namespace], ['VAULT_PREFIX', saved.prefix]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('Vault backend: namespaces (X-Vault-Namespace, wire-level fake)', () => {
  let fake: VaultFake;
  beforeAll(async () => {
    fake = await VaultFake.start({ namespaces: ['team-a', 'team-b'] });
  });
  afterAll(() => fake.close());

  it('logs in and writes inside the namespace, and another namespace does not see it', async () => {
    const { roleId, secretId } = fake.addAppRole({ namespace: 'team-a' });
    const teamA = vault(fake, { namespace: 'team-a', auth: { method: 'approle', roleId, secretId } });
    await teamA.set('db', 'team-a-password');
    expect(fake.stored('db', { namespace: 'team-a' })).toEqual({ value: 'team-a-password' });
    expect(fake.stored('db')).toBeUndefined();
    expect(fake.server.requests.filter((request) => request.url.includes('/data/db')).every((request) => request.headers['x-vault-namespace'] === 'team-a')).toBe(true);

    const teamB = vault(fake, { namespace: 'team-b', auth: { method: 'token', token: fake.createToken({ namespace: 'team-b' }) } });
    await expect(teamB.get('db')).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('an AppRole of one namespace cannot log in to another', async () => {
    const { roleId, secretId } = fake.addAppRole({ namespace: 'team-a' });
    const wrong = vault(fake, { namespace: 'team-b', auth: { method: 'approle', roleId, secretId }, credentialsLabel: 'VAULT_ROLE_ID/VAULT_SECRET_ID' });
    await expect(wrong.get('db')).rejects.toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('VAULT_ROLE_ID/VAULT_SECRET_ID') });
  });
});

describe('Vault backend: token lifetimes (renewal before expiry, re-login, wire-level fake with a shared clock)', () => {
  let fake: VaultFake;
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock();
    fake = await VaultFake.start({ now: clock.now });
  });
  afterAll(() => fake.close());

  it('AppRole: renews the token once 70% of its lease has passed, then logs in again when the max TTL caps it', async () => {
    const { roleId, secretId } = fake.addAppRole({ ttlSeconds: 100, maxTtlSeconds: 150 });
    const backend = vault(fake, { auth: { method: 'approle', roleId, secretId }, now: clock.date });
    const loginsOf = () => fake.logins.filter((login) => login.roleId === roleId).length;
    await backend.set('lifetime', 'v');
    expect(loginsOf()).toBe(1);

    clock.advance(60_000);
    await backend.get('lifetime');
    expect(fake.renewals).toBe(0);

    clock.advance(15_000); // 75 s into a 100 s lease
    const renewalsBefore = fake.renewals;
    await backend.get('lifetime');
    expect(fake.renewals).toBe(renewalsBefore + 1);
    expect(loginsOf()).toBe(1);

    // The renewal was capped at the 150 s max TTL (75 s left): at the next renewal point, log in again.
    clock.advance(60_000);
    await backend.get('lifetime');
    expect(loginsOf()).toBe(2);
    expect(fake.renewals).toBe(renewalsBefore + 1);
  });

  it('AppRole: logs in again when renewal fails (the token was revoked)', async () => {
    const { roleId, secretId } = fake.addAppRole({ ttlSeconds: 100, maxTtlSeconds: 1000 });
    const backend = vault(fake, { auth: { method: 'approle', roleId, secretId }, now: clock.date });
    await backend.set('revoked-renewal', 'v');
    fake.revokeAllTokens();
    clock.advance(80_000);
    expect((await backend.get('revoked-renewal')).value).toBe('v');
    expect(fake.logins.filter((login) => login.roleId === roleId)).toHaveLength(2);
  });

  it('AppRole: a token revoked mid-lease is replaced by a new login and the request succeeds', async () => {
    const { roleId, secretId } = fake.addAppRole({ ttlSeconds: 1000 });
    const backend = vault(fake, { auth: { method: 'approle', roleId, secretId }, now: clock.date });
    await backend.set('mid-lease', 'v');
    fake.revokeAllTokens();
    expect((await backend.get('mid-lease')).value).toBe('v');
    expect(fake.logins.filter((login) => login.roleId === roleId)).toHaveLength(2);
  });

  it('AppRole: an injected expired token is replaced by a new login', async () => {
    const { roleId, secretId } = fake.addAppRole({ ttlSeconds: 1000 });
    const backend = vault(fake, { auth: { method: 'approle', roleId, secretId }, now: clock.date });
    await backend.set('expired-fault', 'v');
    fake.inject({ kind: 'expired-token' });
    expect((await backend.get('expired-fault')).value).toBe('v');
    expect(fake.logins.filter((login) => login.roleId === roleId)).toHaveLength(2);
  });

  it('token auth: renews a renewable token before it expires', async () => {
    const token = fake.createToken({ ttlSeconds: 100, maxTtlSeconds: 10_000 });
    const backend = vault(fake, { auth: { method: 'token', token }, now: clock.date });
    await backend.set('static-renew', 'v');
    const before = fake.renewals;
    clock.advance(80_000);
    await backend.get('static-renew');
    expect(fake.renewals).toBe(before + 1);
    clock.advance(80_000); // past the original 100 s: only alive because it was renewed
    expect((await backend.get('static-renew')).value).toBe('v');
  });

  it('token auth: an expired token is Unauthenticated and names where the token came from', async () => {
    const token = fake.createToken({ ttlSeconds: 10, renewable: false });
    const backend = vault(fake, { auth: { method: 'token', token }, now: clock.date, credentialsLabel: 'VAULT_TOKEN' });
    await backend.set('static-expire', 'v');
    clock.advance(11_000);
    const error = await backend.get('static-expire').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('VAULT_TOKEN') });
    expect(String((error as Error).message)).not.toContain(token);
  });
});

describe('Vault backend: permission errors and faults (wire-level fake)', () => {
  let fake: VaultFake;
  beforeAll(async () => {
    fake = await VaultFake.start();
  });
  afterEach(() => fake.server.clearFaults());
  afterAll(() => fake.close());

  it('a read-only token writing is PermissionDenied (the token itself is valid)', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken({ policy: 'read-only' }) } });
    await expect(backend.set('denied', 'v')).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringContaining('Vault at 127.0.0.1') });
  });

  it('an AppRole whose policy denies everything is PermissionDenied after exactly one fresh login', async () => {
    const { roleId, secretId } = fake.addAppRole({ policy: 'deny-all' });
    const backend = vault(fake, { auth: { method: 'approle', roleId, secretId } });
    await expect(backend.get('anything')).rejects.toMatchObject({ kind: 'PermissionDenied' });
    expect(fake.logins.filter((login) => login.roleId === roleId)).toHaveLength(2);
  });

  it('an injected permission error is reported as PermissionDenied for a static token', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() } });
    fake.inject({ kind: 'permission-denied', match: (request) => request.url.pathname.includes('/data/') });
    await expect(backend.get('perm')).rejects.toMatchObject({ kind: 'PermissionDenied' });
  });

  it('a wrong AppRole secret id is Unauthenticated, and the message holds neither id', async () => {
    const { roleId } = fake.addAppRole();
    const backend = vault(fake, { auth: { method: 'approle', roleId, secretId: 'wrong-secret-id' }, credentialsLabel: 'VAULT_ROLE_ID/VAULT_SECRET_ID' });
    const error = (await backend.get('x').catch((caught: unknown) => caught)) as Error;
    expect(error).toMatchObject({ kind: 'Unauthenticated' });
    expect(error.message).not.toContain('wrong-secret-id');
    expect(error.message).not.toContain(roleId);
  });

  it('a 500 is retried and the request then succeeds', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() } });
    await backend.set('flaky', 'v');
    fake.inject({ kind: 'server-error', status: 500, times: 2, match: (request) => request.url.pathname.endsWith('/data/flaky') });
    const before = fake.server.countRequests((request) => request.url.endsWith('/data/flaky'));
    expect((await backend.get('flaky')).value).toBe('v');
    expect(fake.server.countRequests((request) => request.url.endsWith('/data/flaky')) - before).toBe(3);
  });

  it('a sealed Vault (503 on every attempt) is BackendUnavailable with a retry hint, after the capped number of attempts', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() } });
    fake.inject({ kind: 'server-error', status: 503, times: Infinity, match: (request) => request.url.pathname.endsWith('/data/sealed') });
    const before = fake.server.countRequests((request) => request.url.endsWith('/data/sealed'));
    await expect(backend.get('sealed')).rejects.toMatchObject({ kind: 'BackendUnavailable', retryAfterMs: expect.any(Number), message: expect.stringContaining('sealed') });
    expect(fake.server.countRequests((request) => request.url.endsWith('/data/sealed')) - before).toBe(FAST_RETRY.attempts);
  });

  it('throttling (429) is retried', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() } });
    await backend.set('throttled', 'v');
    fake.inject({ kind: 'throttle', times: 2, match: (request) => request.url.pathname.endsWith('/data/throttled') });
    expect((await backend.get('throttled')).value).toBe('v');
  });

  it('a reset connection is retried', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() } });
    await backend.set('reset', 'v');
    fake.inject({ kind: 'reset', match: (request) => request.url.pathname.endsWith('/data/reset') });
    expect((await backend.get('reset')).value).toBe('v');
  });

  it('a request slower than the timeout is abandoned and retried; always slow is BackendUnavailable', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() }, retry: { ...FAST_RETRY, timeoutMs: 100, attempts: 2 } });
    await backend.set('slow', 'v');
    fake.inject({ kind: 'latency', ms: 400, match: (request) => request.url.pathname.endsWith('/data/slow') });
    expect((await backend.get('slow')).value).toBe('v');
    fake.inject({ kind: 'latency', ms: 400, times: Infinity, match: (request) => request.url.pathname.endsWith('/data/slow') });
    await expect(backend.get('slow')).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('did not answer within') });
  });

  it('a check-and-set write whose answer was lost is recognised as applied on retry, not reported as a conflict', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() } });
    const first = await backend.set('lost-answer', 'v1');
    fake.inject({ kind: 'lost-response', match: (request) => request.method === 'POST' && request.url.pathname.endsWith('/data/lost-answer') });
    expect(await backend.set('lost-answer', 'v2', { expectedVersion: first.version! })).toEqual({ version: '2' });
    expect((await backend.get('lost-answer')).value).toBe('v2');
    expect((await backend.describe('lost-answer')).versions).toHaveLength(2);
  });

  it('a 4xx is not retried', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken({ policy: 'read-only' }) } });
    const writes = () => fake.server.countRequests((request) => request.method === 'POST' && request.url.endsWith('/data/once'));
    const before = writes();
    await expect(backend.set('once', 'v')).rejects.toMatchObject({ kind: 'PermissionDenied' });
    expect(writes() - before).toBe(1);
  });

  it('a server that is not Vault is BackendUnavailable, not a crash', async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login portal</html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const backend = new VaultBackend({ address: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auth: { method: 'token', token: 't' }, logger: captureLogger().logger, retry: FAST_RETRY });
      await expect(backend.get('x')).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining("not Vault's KV version 2 API") });
    } finally {
      server.close();
    }
  });

  it('an address nobody listens on is BackendUnavailable after retries', async () => {
    const backend = new VaultBackend({ address: 'http://127.0.0.1:9', auth: { method: 'token', token: 't' }, logger: captureLogger().logger, retry: FAST_RETRY });
    await expect(backend.get('x')).rejects.toMatchObject({ kind: 'BackendUnavailable', retryAfterMs: expect.any(Number) });
  });
});

if (!opensslAvailable()) console.warn('[skipped] Vault TLS tests: the openssl command is missing, so no test certificates can be made.');
describe.skipIf(!opensslAvailable())('Vault backend over TLS with a private CA (wire-level fake)', () => {
  let fake: VaultFake;
  let caPem: string;
  beforeAll(async () => {
    const certificates = await createTestCertificates();
    caPem = certificates.caPem;
    fake = await VaultFake.start({ tls: { key: certificates.keyPem, cert: certificates.certPem } });
  });
  afterAll(() => fake.close());

  it('verifies the server against the configured CA', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() }, tls: { ca: caPem } });
    await backend.set('tls', 'over-tls');
    expect((await backend.get('tls')).value).toBe('over-tls');
  });

  it('checks the certificate against the configured server name', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() }, tls: { ca: caPem, serverName: 'vault.other.example' } });
    await expect(backend.get('tls')).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('server name') });
  });

  it('skips verification only when told to', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() }, tls: { insecureSkipVerify: true } });
    expect((await backend.get('tls')).value).toBe('over-tls');
  });

  it('without the CA the certificate is refused with a message that says to set it', async () => {
    const backend = vault(fake, { auth: { method: 'token', token: fake.createToken() } });
    await expect(backend.get('tls')).rejects.toMatchObject({ kind: 'BackendUnavailable', message: expect.stringContaining('CA certificate') });
  });
});
