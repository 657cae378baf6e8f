import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatchkeyError } from '../../../electron/core/errors';
import type { SecretBackend } from '../../../electron/core/secrets/backend';
import { connectionFromEnvironment } from '../../../electron/core/secrets/connections/connection-from-environment';
import { storeConnectionCredentials } from '../../../electron/core/secrets/connections/connection-credentials';
import { azureConnectionSchema, azureCredentialsSchema, type AzureConnection, type AzureCredentials } from '../../../electron/core/secrets/connections/connection-schema';
import { azureIdentityCredential, openBackend, type OpenConnection } from '../../../electron/core/secrets/connections/open-backend';
import { MemoryKeychain } from '../../doubles/memory-keychain';
import { AzureKeyVaultFake, type AzureTokenPolicy } from '../../fakes/azure-key-vault-fake';
import { EntraIdTokenFake } from '../../fakes/entra-id-token-fake';
import { FAST_RETRY } from '../../fakes/fast-retry';
import { createTestCertificates, opensslAvailable } from '../../harness/tls';
import { captureLogger } from '../../harness/log-capture';

// A service principal with a client secret, end to end: Latchkey's own openBackend builds the real
// @azure/identity ClientSecretCredential (through azureIdentityCredential), whose MSAL client gets a
// token by the OAuth 2.0 client-credentials grant from a wire-level fake of Microsoft Entra ID's token
// endpoint, and the Key Vault fake accepts that token. MSAL refuses a plain-http authority, so the
// token endpoint is served over TLS with a certificate from a CA made for this run; the only test-only
// setting is that the credential trusts that CA (tlsOptions.ca), where a real one trusts the public CAs.
// Instance discovery (a call to login.microsoftonline.com) is off, as for a private cloud.

const VAULT = 'kv-service-principal';
const CLIENT_ID = '3f1b6c8e-2d4a-4e7b-9c1d-5a6b7c8d9e0f';
const CLIENT_SECRET = 'canary-sp-secret-7Q~d8f2a9c4e1b';
const READER_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const READER_SECRET = 'canary-sp-reader-secret-4e6f0d1c';
const WRONG_SECRET = 'canary-sp-wrong-secret-b3d5f7a9';
const CANARIES = [CLIENT_SECRET, READER_SECRET, WRONG_SECRET];

if (!opensslAvailable()) console.warn('[skipped] Azure service principal tests: the openssl command is missing, so no certificate for the Entra ID fake can be made.');
describe.skipIf(!opensslAvailable())('Azure service principal: ClientSecretCredential against a wire-level Entra ID token endpoint fake (TLS, private CA)', () => {
  let vault: AzureKeyVaultFake;
  let entra: EntraIdTokenFake;
  let caPem: string;
  /** Access tokens the Entra ID fake handed out. */
  const issued = new Set<string>();
  const logs = captureLogger();
  const errors: unknown[] = [];

  beforeAll(async () => {
    const certificates = await createTestCertificates();
    caPem = certificates.caPem;
    vault = await AzureKeyVaultFake.start();
    const issue = (policy: AzureTokenPolicy) => {
      const token = vault.issueToken(policy);
      issued.add(token.token);
      return token;
    };
    entra = await EntraIdTokenFake.start({ tls: { key: certificates.keyPem, cert: certificates.certPem }, tenantId: vault.tenantId, issue });
    entra.addServicePrincipal(CLIENT_ID, CLIENT_SECRET);
    entra.addServicePrincipal(READER_ID, READER_SECRET, 'read');
  });

  afterAll(async () => {
    const found = leaks();
    await Promise.all([vault?.close(), entra?.close()]);
    expect(found).toEqual([]);
  });

  /** The client secrets found in a URL or header either fake saw, a log line or an error (none, ever). */
  function leaks(): string[] {
    const seen = [...entra.server.traces(), ...vault.server.traces(), ...logs.lines, ...errors.map(everythingIn)].join('\n');
    return CANARIES.filter((canary) => seen.includes(canary));
  }

  /** An app connection: settings in config, the client secret in its keychain entry. */
  function connection(clientId: string): AzureConnection {
    return azureConnectionSchema.parse({
      kind: 'azure',
      vaultUrl: vault.url,
      vaultName: VAULT,
      disableChallengeResourceVerification: true,
      authorityHost: entra.authorityHost,
      disableInstanceDiscovery: true,
      credentials: { source: 'client-secret', tenantId: vault.tenantId, clientId },
      credentialsAccount: `azure-sp-${clientId}`,
    });
  }

  async function open(open: OpenConnection, keychain = new MemoryKeychain()): Promise<SecretBackend> {
    return openBackend(open, {
      logger: logs.logger,
      keychain,
      env: {},
      retry: FAST_RETRY,
      // Latchkey's own credential factory; the test adds only trust in this run's CA.
      azureCredential: (settings: AzureConnection, credentials: AzureCredentials | undefined) => azureIdentityCredential(settings, credentials, { tlsOptions: { ca: caPem } }),
    });
  }

  it('ClientSecretCredential gets a token from a wire-level Entra ID token endpoint fake and reads/writes through the Key Vault fake', async () => {
    const keychain = new MemoryKeychain();
    const settings = connection(CLIENT_ID);
    await storeConnectionCredentials(keychain, `azure-sp-${CLIENT_ID}`, azureCredentialsSchema, { clientSecret: CLIENT_SECRET });
    const before = entra.tokenRequests.length;
    const backend = await open({ connection: settings, name: 'azure-sp' }, keychain);

    await backend.set(`${VAULT}/db-password`, 'round-trip value');
    expect(vault.valueOf('db-password')).toBe('round-trip value');
    expect((await backend.get(`${VAULT}/db-password`)).value).toBe('round-trip value');

    const asked = entra.tokenRequests.slice(before);
    expect(asked.length).toBeGreaterThan(0);
    for (const request of asked) {
      expect(request).toMatchObject({ tenant: vault.tenantId, grantType: 'client_credentials', clientId: CLIENT_ID, scope: 'https://vault.azure.net/.default', clientSecretMatched: true });
    }
    // MSAL read the tenant's endpoints from the fake, not from login.microsoftonline.com.
    expect(entra.server.requests.some((request) => request.method === 'GET' && request.url === `/${vault.tenantId}/v2.0/.well-known/openid-configuration`)).toBe(true);
    const posts = entra.server.requests.filter((request) => request.method === 'POST').map((request) => new URL(request.url, entra.authorityHost));
    expect(posts.length).toBeGreaterThan(0);
    for (const url of posts) expect(url.pathname).toBe(`/${vault.tenantId}/oauth2/v2.0/token`);
    // Every bearer token the vault was shown came from the token endpoint's answers.
    const bearers = vault.server.requests.map((request) => request.headers.authorization).filter((header) => header !== undefined);
    expect(bearers.length).toBeGreaterThan(0);
    for (const header of bearers) expect(issued.has(header.replace(/^Bearer /, ''))).toBe(true);
    // The secret travelled only in the token request's form body: no URL or header carried it.
    expect(leaks()).toEqual([]);
  });

  it('from the variables AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_AUTHORITY_HOST (the CLI) it reads and writes the same way', async () => {
    vault.seed('from-env', 'seeded by another writer');
    const environment = connectionFromEnvironment(
      {
        AZURE_KEYVAULT_URL: vault.url,
        AZURE_KEYVAULT_NAME: VAULT,
        AZURE_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
        AZURE_AUTHORITY_HOST: entra.authorityHost,
        AZURE_DISABLE_INSTANCE_DISCOVERY: 'true',
        AZURE_TENANT_ID: vault.tenantId,
        AZURE_CLIENT_ID: CLIENT_ID,
        AZURE_CLIENT_SECRET: CLIENT_SECRET,
      },
      { scheme: 'azure' },
    );
    expect(environment.connection).toMatchObject({ authorityHost: entra.authorityHost, disableInstanceDiscovery: true, credentials: { source: 'client-secret', clientId: CLIENT_ID } });
    const before = entra.tokenRequests.length;
    const backend = await open({ connection: environment.connection, credentials: environment.credentials!, credentialsLabel: environment.credentialsLabel });
    expect((await backend.get(`${VAULT}/from-env`)).value).toBe('seeded by another writer');
    await backend.set(`${VAULT}/from-env`, 'written from the CLI');
    expect(vault.valueOf('from-env')).toBe('written from the CLI');
    expect(entra.tokenRequests.slice(before)).toContainEqual(expect.objectContaining({ clientId: CLIENT_ID, scope: 'https://vault.azure.net/.default', clientSecretMatched: true }));
  });

  it('a wrong client secret is Unauthenticated (Entra ID answers 401 invalid_client); the secret is in no message, stack, log or URL', async () => {
    const keychain = new MemoryKeychain();
    await storeConnectionCredentials(keychain, `azure-sp-${CLIENT_ID}`, azureCredentialsSchema, { clientSecret: WRONG_SECRET });
    const before = entra.tokenRequests.length;
    const withToken = () => vault.server.requests.filter((request) => request.headers.authorization !== undefined).length;
    const tokensBefore = withToken();
    const backend = await open({ connection: connection(CLIENT_ID), name: 'azure-sp' }, keychain);
    const error = (await backend.get(`${VAULT}/db-password`).catch((caught: unknown) => caught)) as LatchkeyError;
    errors.push(error);
    expect(error).toMatchObject({ kind: 'Unauthenticated', message: expect.stringContaining('connection "azure-sp"') });
    expect(error.message).toContain('client secret');
    // Entra ID's own text (AADSTS…) is not passed on.
    expect(error.message).not.toContain('AADSTS');
    expect(entra.tokenRequests.slice(before)).toContainEqual(expect.objectContaining({ clientId: CLIENT_ID, clientSecretMatched: false }));
    expect(everythingIn(error)).not.toContain(WRONG_SECRET);
    expect(leaks()).toEqual([]);
    // Nothing reached the vault with a token.
    expect(withToken()).toBe(tokensBefore);
  });

  it('a service principal with only read rights in the vault can read but writing is PermissionDenied', async () => {
    const keychain = new MemoryKeychain();
    await storeConnectionCredentials(keychain, `azure-sp-${READER_ID}`, azureCredentialsSchema, { clientSecret: READER_SECRET });
    const backend = await open({ connection: connection(READER_ID), name: 'azure-reader' }, keychain);
    vault.seed('readable', 'r');
    expect((await backend.get(`${VAULT}/readable`)).value).toBe('r');
    const error = await backend.set(`${VAULT}/readable`, 'w').catch((caught: unknown) => caught);
    errors.push(error);
    expect(error).toMatchObject({ kind: 'PermissionDenied' });
  });
});

/** An error's message, stack and cause chain, and its enumerable fields, as one string. */
function everythingIn(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    if (typeof current === 'object') {
      const record = current as { message?: unknown; stack?: unknown; cause?: unknown };
      parts.push(String(record.message), String(record.stack));
      try {
        parts.push(JSON.stringify(current));
      } catch {
        parts.push('[unserializable]');
      }
      current = record.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return parts.join('\n');
}
