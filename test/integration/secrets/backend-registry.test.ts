import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendRegistry, createEnvironmentRegistry } from '../../../electron/core/secrets/backend-registry';
import { EnvBackend } from '../../../electron/core/secrets/backends/env-backend';
import { parseRef } from '../../../electron/core/secrets/reference';
import { FakeIssuerCredential } from '../../doubles/azure-fake-issuer-credential';
import { MemoryKeychain } from '../../doubles/memory-keychain';
import { AwsSecretsManagerFake } from '../../fakes/aws-secrets-manager-fake';
import { AzureKeyVaultFake } from '../../fakes/azure-key-vault-fake';
import { FAST_RETRY } from '../../fakes/fast-retry';
import { GcpSecretManagerFake } from '../../fakes/gcp-secret-manager-fake';
import { VaultFake } from '../../fakes/vault-fake';
import { captureLogger } from '../../harness/log-capture';

// "Done when": the seed's references resolve in the CLI from the seed's environment variables, and
// the app can bind environments to different connections side by side. Remote services are the
// wire-level fakes, driven through the real SDKs.

let vault: VaultFake;
let aws: AwsSecretsManagerFake;
let gcp: GcpSecretManagerFake;
let azure: AzureKeyVaultFake;
let dir: string;
let keyFile: string;

beforeAll(async () => {
  [vault, aws, gcp, azure] = await Promise.all([VaultFake.start(), AwsSecretsManagerFake.start(), GcpSecretManagerFake.start(), AzureKeyVaultFake.start()]);
  vault.seed('github/token/user/123', { value: 'ghp_vault', metadata: { scopes: 'repo,user' } });
  aws.seed('handsfree/github_token_user_123', JSON.stringify({ value: 'ghp_aws' }));
  gcp.seed('handsfree-github-token-user-123', 'ghp_gcp');

  dir = await mkdtemp(join(tmpdir(), 'latchkey-registry-'));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const email = 'cli@latchkey-test.iam.gserviceaccount.com';
  gcp.addServiceAccount(email, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  keyFile = join(dir, 'sa.json');
  await writeFile(keyFile, JSON.stringify({ type: 'service_account', project_id: gcp.projectId, private_key_id: 'k', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), client_email: email, client_id: '1' }), { mode: 0o600 });
});

afterAll(async () => {
  await Promise.all([vault.close(), aws.close(), gcp.close(), azure.close()]);
  await rm(dir, { recursive: true, force: true });
});

function seedEnvironment(): Record<string, string | undefined> {
  const key = aws.addAccessKey();
  return {
    HANDSFREE_SECRET_GITHUB_TOKEN_USER_123: 'ghp_env',
    VAULT_ADDR: vault.url,
    VAULT_TOKEN: vault.createToken(),
    AWS_REGION: aws.region,
    AWS_SECRETS_MANAGER_ENDPOINT: aws.url,
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    GCP_PROJECT_ID: gcp.projectId,
    GCP_SECRET_MANAGER_ENDPOINT: `http://127.0.0.1:${gcp.port}`,
    GOOGLE_APPLICATION_CREDENTIALS: keyFile,
  };
}

describe('the CLI registry: the seed references resolve from the seed variables (wire-level fakes)', () => {
  it.each([
    ['env://HANDSFREE_SECRET_GITHUB_TOKEN_USER_123', 'ghp_env'],
    ['vault://github_token_user_123', 'ghp_vault'],
    ['aws://handsfree/github_token_user_123', 'ghp_aws'],
    ['gcp://github_token_user_123', 'ghp_gcp'],
  ])('%s', async (reference, expected) => {
    const registry = createEnvironmentRegistry({ env: seedEnvironment(), keychain: new MemoryKeychain(), logger: captureLogger().logger, retry: FAST_RETRY });
    try {
      const ref = parseRef(reference);
      expect((await (await registry.resolve(ref)).get(ref.path)).value).toBe(expected);
    } finally {
      await registry.close();
    }
  });

  it('a store by key lands where the seed would look for it, on each backend', async () => {
    const env = seedEnvironment();
    const registry = createEnvironmentRegistry({ env, keychain: new MemoryKeychain(), logger: captureLogger().logger, retry: FAST_RETRY });
    try {
      for (const scheme of ['env', 'vault', 'aws', 'gcp'] as const) {
        const backend = await registry.resolve({ scheme, path: 'x' });
        await backend.set(backend.pathForKey!('slack_token_user_7'), `xoxb-${scheme}`);
      }
      expect(env.HANDSFREE_SECRET_SLACK_TOKEN_USER_7).toBe('xoxb-env');
      expect(vault.stored('slack/token/user/7')).toEqual({ value: 'xoxb-vault' });
      expect(JSON.parse(aws.secretStringOf('handsfree/slack_token_user_7')!)).toEqual({ value: 'xoxb-aws' });
      expect(gcp.payloadOf('handsfree-slack-token-user-7')).toBe('xoxb-gcp');
    } finally {
      await registry.close();
    }
  });

  it('a scheme without its variables fails with InvalidInput naming them', async () => {
    const registry = createEnvironmentRegistry({ env: {}, keychain: new MemoryKeychain(), logger: captureLogger().logger });
    await expect(registry.resolve(parseRef('vault://x'))).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('VAULT_ADDR') });
    await expect(registry.resolve(parseRef('aws://x'))).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('AWS_REGION') });
    await expect(registry.resolve(parseRef('gcp://x'))).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('GCP_PROJECT_ID') });
  });

  it('a key file that is missing or not a Google key fails before any request', async () => {
    const missing = createEnvironmentRegistry({ env: { ...seedEnvironment(), GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'nope.json') }, keychain: new MemoryKeychain(), logger: captureLogger().logger });
    await expect(missing.resolve(parseRef('gcp://x'))).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringContaining('GOOGLE_APPLICATION_CREDENTIALS') });
    const notKey = join(dir, 'not-a-key.json');
    await writeFile(notKey, '{"hello": "world"}');
    const wrong = createEnvironmentRegistry({ env: { ...seedEnvironment(), GOOGLE_APPLICATION_CREDENTIALS: notKey }, keychain: new MemoryKeychain(), logger: captureLogger().logger });
    await expect(wrong.resolve(parseRef('gcp://x'))).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('not a Google credentials file') });
  });
});

describe('the app registry: environments bound to connections side by side (wire-level fakes)', () => {
  it('dev on the local store, staging on Vault, prod on AWS, and an Azure vault, each from its own connection', async () => {
    const fileBackend = new EnvBackend({ env: { DEV_DB_PASSWORD: 'dev-pw' } });
    const keychain = new MemoryKeychain();
    await keychain.setPassword('latchkey-connections', 'vault-staging', JSON.stringify({ token: vault.createToken() }));
    await keychain.setPassword('latchkey-connections', 'aws-prod', JSON.stringify(aws.addAccessKey()));
    const registry = new BackendRegistry({
      env: {},
      keychain,
      logger: captureLogger().logger,
      retry: FAST_RETRY,
      fileBackend,
      azureCredential: () => new FakeIssuerCredential(azure),
    });
    const staging = { name: 'staging', connection: { kind: 'vault' as const, address: vault.url, mount: 'secret', field: 'value', layout: 'native' as const, auth: { method: 'token' as const }, tls: { insecureSkipVerify: false }, credentialsAccount: 'vault-staging' } };
    const prod = { name: 'prod', connection: { kind: 'aws' as const, region: aws.region, endpoint: aws.url, layout: 'native' as const, recoveryWindowDays: 30, credentials: { source: 'access-keys' as const }, credentialsAccount: 'aws-prod' } };
    const shared = {
      name: 'shared',
      connection: { kind: 'azure' as const, vaultUrl: azure.url, vaultName: 'shared-kv', dnsSuffix: 'vault.azure.net', disableChallengeResourceVerification: true, credentials: { source: 'default' as const } },
    };
    try {
      const dev = await registry.resolve(parseRef('file://DEV_DB_PASSWORD'));
      expect(dev).toBe(fileBackend);
      await (await registry.resolve(parseRef('vault://app/db'), staging)).set('app/db', 'staging-pw');
      await (await registry.resolve(parseRef('aws://app/db'), prod)).set('app/db', 'prod-pw');
      await (await registry.resolve(parseRef('azure://shared-kv/app-db'), shared)).set('shared-kv/app-db', 'shared-pw');
      expect((await dev.get('DEV_DB_PASSWORD')).value).toBe('dev-pw');
      expect((await (await registry.resolve(parseRef('vault://app/db'), staging)).get('app/db')).value).toBe('staging-pw');
      expect((await (await registry.resolve(parseRef('aws://app/db'), prod)).get('app/db')).value).toBe('prod-pw');
      expect(azure.valueOf('app-db')).toBe('shared-pw');
      // One backend per connection, reused.
      expect(await registry.resolve(parseRef('vault://x'), staging)).toBe(await registry.resolve(parseRef('vault://y'), staging));
    } finally {
      await registry.close();
    }
  });

  it('refuses a reference on a connection of another kind, and file:// without a local store', async () => {
    const registry = new BackendRegistry({ env: {}, keychain: new MemoryKeychain(), logger: captureLogger().logger });
    const staging = { name: 'staging', connection: { kind: 'vault' as const, address: vault.url, mount: 'secret', field: 'value', layout: 'native' as const, auth: { method: 'token' as const }, tls: { insecureSkipVerify: false } } };
    await expect(registry.resolve(parseRef('aws://x'), staging)).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('connection "staging"') });
    await expect(registry.resolve(parseRef('file://p/dev/K'))).rejects.toMatchObject({ kind: 'InvalidInput' });
    await expect(registry.resolve(parseRef('vault://x'))).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('Connections') });
  });

  it('a connection whose keychain entry is missing or damaged fails with a message that says to enter the credentials again', async () => {
    const keychain = new MemoryKeychain();
    const registry = new BackendRegistry({ env: {}, keychain, logger: captureLogger().logger });
    const connection = { name: 'staging', connection: { kind: 'vault' as const, address: vault.url, mount: 'secret', field: 'value', layout: 'native' as const, auth: { method: 'token' as const }, tls: { insecureSkipVerify: false }, credentialsAccount: 'gone' } };
    await expect(registry.resolve(parseRef('vault://x'), connection)).rejects.toMatchObject({ kind: 'NotFound', message: expect.stringContaining('Enter them again') });
    await keychain.setPassword('latchkey-connections', 'gone', '{"token": 42}');
    await expect(registry.resolve(parseRef('vault://x'), connection)).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('Enter them again') });
  });
});
