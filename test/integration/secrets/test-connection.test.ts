import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretBackend } from '../../../electron/core/secrets/backend';
import { AwsBackend } from '../../../electron/core/secrets/backends/aws/aws-backend';
import { AzureBackend } from '../../../electron/core/secrets/backends/azure/azure-backend';
import { EnvBackend } from '../../../electron/core/secrets/backends/env-backend';
import { GcpBackend } from '../../../electron/core/secrets/backends/gcp/gcp-backend';
import { VaultBackend } from '../../../electron/core/secrets/backends/vault/vault-backend';
import { PROBE_KEY_PREFIX, testConnection } from '../../../electron/core/secrets/test-connection';
import { FakeIssuerCredential } from '../../doubles/azure-fake-issuer-credential';
import { AwsSecretsManagerFake } from '../../fakes/aws-secrets-manager-fake';
import { AzureKeyVaultFake } from '../../fakes/azure-key-vault-fake';
import { FAST_RETRY } from '../../fakes/fast-retry';
import { GcpSecretManagerFake } from '../../fakes/gcp-secret-manager-fake';
import { VaultFake } from '../../fakes/vault-fake';
import { captureLogger } from '../../harness/log-capture';
import { OAuth2Client } from 'google-auth-library';

// Test connection against the wire-level fakes: each step is reported on its own, and nothing is
// written unless asked (and then only a probe secret that is removed again).

let vault: VaultFake;
beforeAll(async () => {
  vault = await VaultFake.start();
});
afterAll(() => vault.close());

const logger = () => captureLogger().logger;
const vaultWith = (token: string, address = vault.url) => new VaultBackend({ address, auth: { method: 'token', token }, logger: logger(), retry: { ...FAST_RETRY, attempts: 2 } });
const writesTo = (fake: VaultFake) => fake.server.countRequests((request) => request.method !== 'GET');

describe('testConnection (wire-level fakes)', () => {
  it('without being asked to write, checks reach, credentials and listing, and writes nothing', async () => {
    const before = writesTo(vault);
    const report = await testConnection(vaultWith(vault.createToken()));
    expect(report).toMatchObject({
      location: expect.stringContaining('Vault at 127.0.0.1'),
      reachable: { outcome: 'passed' },
      authenticated: { outcome: 'passed' },
      canList: { outcome: 'passed' },
      canWrite: { outcome: 'skipped', detail: expect.stringContaining('nothing was written') },
    });
    expect(writesTo(vault)).toBe(before);
  });

  it('when asked, writes, reads back and removes a clearly named probe secret', async () => {
    const backend = vaultWith(vault.createToken());
    const report = await testConnection(backend, { write: true });
    expect(report.canWrite).toMatchObject({ outcome: 'passed', detail: expect.stringContaining(PROBE_KEY_PREFIX) });
    expect((await backend.list('')).items.filter((item) => item.path.includes(PROBE_KEY_PREFIX))).toEqual([]);
  });

  it('a read-only token: reachable, authenticated, can list, cannot write', async () => {
    const report = await testConnection(vaultWith(vault.createToken({ policy: 'read-only' })), { write: true });
    expect(report.reachable.outcome).toBe('passed');
    expect(report.authenticated.outcome).toBe('passed');
    expect(report.canList.outcome).toBe('passed');
    expect(report.canWrite).toMatchObject({ outcome: 'failed', error: { kind: 'PermissionDenied' } });
  });

  it('a token with no rights at all: authenticated, but listing refused', async () => {
    const report = await testConnection(vaultWith(vault.createToken({ policy: 'deny-all' })));
    expect(report.authenticated.outcome).toBe('passed');
    expect(report.canList).toMatchObject({ outcome: 'failed', error: { kind: 'PermissionDenied' } });
  });

  it('an invalid token: reachable, not authenticated, the rest not tried', async () => {
    const report = await testConnection(vaultWith('hvs.not-a-token'), { write: true });
    expect(report.reachable.outcome).toBe('passed');
    expect(report.authenticated).toMatchObject({ outcome: 'failed', error: { kind: 'Unauthenticated' } });
    expect(report.canList.outcome).toBe('skipped');
    expect(report.canWrite.outcome).toBe('skipped');
  });

  it('nothing listening: not reachable, with a readable error', async () => {
    const report = await testConnection(vaultWith('t', 'http://127.0.0.1:9'));
    expect(report.reachable).toMatchObject({ outcome: 'failed', error: { kind: 'BackendUnavailable', message: expect.stringContaining('could not be reached') } });
    expect(report.authenticated.outcome).toBe('skipped');
  });

  it('passes all four steps on AWS, Google, Azure and env, leaving no probe behind', async () => {
    const aws = await AwsSecretsManagerFake.start();
    const gcp = await GcpSecretManagerFake.start();
    const azure = await AzureKeyVaultFake.start();
    try {
      const client = new OAuth2Client();
      client.setCredentials({ access_token: gcp.issueAccessToken(), expiry_date: Date.now() + 3_600_000 });
      const backends: SecretBackend[] = [
        new AwsBackend({ region: aws.region, endpoint: aws.url, credentials: aws.addAccessKey(), logger: logger(), retry: FAST_RETRY }),
        new GcpBackend({ projectId: gcp.projectId, endpoint: `http://127.0.0.1:${gcp.port}`, credentials: { source: 'auth-client', client }, logger: logger(), retry: FAST_RETRY }),
        new AzureBackend({ credential: new FakeIssuerCredential(azure), vaultUrl: azure.url, vaultName: 'probe-kv', disableChallengeResourceVerification: true, pollIntervalMs: 5, logger: logger(), retry: FAST_RETRY }),
        new EnvBackend({ env: {} }),
      ];
      for (const backend of backends) {
        const report = await testConnection(backend, { write: true });
        expect([report.reachable, report.authenticated, report.canList, report.canWrite].map((check) => check.outcome)).toEqual(['passed', 'passed', 'passed', 'passed']);
        const left = await backend.list(backend.pathForKey!(''), { pageSize: 10 });
        expect(left.items.filter((item) => item.path.toLowerCase().includes('probe'))).toEqual([]);
      }
      await Promise.all(backends.map((backend) => backend.close?.()));
    } finally {
      await Promise.all([aws.close(), gcp.close(), azure.close()]);
    }
  });
});
