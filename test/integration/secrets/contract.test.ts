import { randomBytes } from 'node:crypto';
import { OAuth2Client } from 'google-auth-library';
import { EnvBackend } from '../../../electron/core/secrets/backends/env-backend';
import { KeychainBackend } from '../../../electron/core/secrets/backends/keychain-backend';
import { AzureBackend } from '../../../electron/core/secrets/backends/azure/azure-backend';
import { AwsBackend } from '../../../electron/core/secrets/backends/aws/aws-backend';
import { GcpBackend } from '../../../electron/core/secrets/backends/gcp/gcp-backend';
import { VaultBackend } from '../../../electron/core/secrets/backends/vault/vault-backend';
import { FakeIssuerCredential } from '../../doubles/azure-fake-issuer-credential';
import { AwsSecretsManagerFake } from '../../fakes/aws-secrets-manager-fake';
import { AzureKeyVaultFake } from '../../fakes/azure-key-vault-fake';
import { FAST_RETRY } from '../../fakes/fast-retry';
import { GcpSecretManagerFake } from '../../fakes/gcp-secret-manager-fake';
import { VaultFake } from '../../fakes/vault-fake';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { backendContractSuite } from './contract';
import { createCore } from '../../../electron/core';
import { createTempXdg } from '../../harness/temp-xdg';

// Every backend passes the same suite. Local ones run for real; remote ones through their real SDKs
// against the wire-level fakes in test/fakes/.

backendContractSuite('env (a real process environment object)', async () => {
  // A copy of this process's environment: real variables, and the test's writes stay in the copy.
  const env: Record<string, string | undefined> = { ...process.env };
  return { backend: new EnvBackend({ env }) };
});

describeWithKeyring('keychain backend on a real gnome-keyring', () => {
  backendContractSuite('keychain (real Secret Service)', async () => {
    const keychain = realKeychain();
    const service = `test-contract-${randomBytes(4).toString('hex')}`;
    return {
      backend: new KeychainBackend({ keychain, service }),
      cleanup: async () => {
        for (const account of await keychain.findAccounts(service)) await keychain.deletePassword(service, account);
      },
    };
  });
});

backendContractSuite('vault (node-vault against the wire-level fake, AppRole)', async () => {
  const fake = await VaultFake.start();
  const { logger, lines } = captureLogger();
  const { roleId, secretId } = fake.addAppRole({ ttlSeconds: 3600 });
  return {
    backend: new VaultBackend({ address: fake.url, auth: { method: 'approle', roleId, secretId }, logger, retry: FAST_RETRY }),
    logLines: () => lines,
    requestTraces: () => fake.server.traces(),
    cleanup: () => fake.close(),
  };
});

backendContractSuite('vault with the HandsFree layout (wire-level fake, token auth)', async () => {
  const fake = await VaultFake.start();
  const { logger, lines } = captureLogger();
  return {
    backend: new VaultBackend({ address: fake.url, layout: 'handsfree', auth: { method: 'token', token: fake.createToken() }, logger, retry: FAST_RETRY }),
    logLines: () => lines,
    requestTraces: () => fake.server.traces(),
    cleanup: () => fake.close(),
  };
});

backendContractSuite('aws (@aws-sdk/client-secrets-manager against the wire-level fake, SigV4-checked)', async () => {
  const fake = await AwsSecretsManagerFake.start();
  const { logger, lines } = captureLogger();
  return {
    backend: new AwsBackend({ region: fake.region, endpoint: fake.url, credentials: fake.addAccessKey(), logger, retry: FAST_RETRY }),
    logLines: () => lines,
    requestTraces: () => fake.server.traces(),
    cleanup: () => fake.close(),
  };
});

backendContractSuite('gcp (@google-cloud/secret-manager REST fallback against the wire-level fake)', async () => {
  const fake = await GcpSecretManagerFake.start();
  const { logger, lines } = captureLogger();
  const client = new OAuth2Client();
  client.setCredentials({ access_token: fake.issueAccessToken(), expiry_date: Date.now() + 3_600_000 });
  return {
    backend: new GcpBackend({ projectId: fake.projectId, endpoint: `http://127.0.0.1:${fake.port}`, credentials: { source: 'auth-client', client }, logger, retry: FAST_RETRY }),
    logLines: () => lines,
    requestTraces: () => fake.server.traces(),
    cleanup: () => fake.close(),
  };
});

backendContractSuite('azure (@azure/keyvault-secrets against the wire-level fake, challenge auth)', async () => {
  const fake = await AzureKeyVaultFake.start({ pendingDeletePolls: 1 });
  const { logger, lines } = captureLogger();
  return {
    backend: new AzureBackend({
      credential: new FakeIssuerCredential(fake),
      vaultUrl: fake.url,
      vaultName: 'latchkey-test',
      disableChallengeResourceVerification: true,
      pollIntervalMs: 5,
      logger,
      retry: FAST_RETRY,
    }),
    logLines: () => lines,
    requestTraces: () => fake.server.traces(),
    cleanup: () => fake.close(),
  };
});

describeWithKeyring('the local encrypted store on real files and a real keyring', () => {
  backendContractSuite('file (encrypted local store)', async () => {
    const xdg = await createTempXdg();
    const { logger, lines } = captureLogger();
    const core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger });
    await core.projects.createProject('contract');
    await core.projects.createEnvironment('contract', 'dev');
    return {
      backend: await core.backends.resolve({ scheme: 'file', path: 'contract/dev/PROBE' }),
      pathFor: (key) => `contract/dev/${key}`,
      logLines: () => lines,
      cleanup: () => xdg.cleanup(),
    };
  });
});
