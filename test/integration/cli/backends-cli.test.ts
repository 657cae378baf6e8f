import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsSecretsManagerFake } from '../../fakes/aws-secrets-manager-fake';
import { AzureKeyVaultFake } from '../../fakes/azure-key-vault-fake';
import { GcpSecretManagerFake } from '../../fakes/gcp-secret-manager-fake';
import { VaultFake } from '../../fakes/vault-fake';
import { describeWithKeyring } from '../../harness/keyring';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { runLatchkey, type CliRun } from './run-cli';

// The built `latchkey` binary against the wire-level fakes (running in this test process on loopback),
// configured only by the seed's environment variables — as a HandsFree operator would run it. Google
// signs in with a service-account key file the fake trusts; Azure with @azure/identity's managed
// identity chain pointed at the fake's App Service token endpoint.

const CANARY = 'canary-cli-backends-5e8b';

let vault: VaultFake;
let aws: AwsSecretsManagerFake;
let gcp: GcpSecretManagerFake;
let azure: AzureKeyVaultFake;
let xdg: TempXdg;
let seedEnv: Record<string, string>;
const outputs: CliRun[] = [];

const run = async (args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<CliRun> => {
  const result = await runLatchkey(args, { env: { ...seedEnv, ...options.env }, ...(options.input === undefined ? {} : { input: options.input }) });
  outputs.push(result);
  return result;
};

beforeAll(async () => {
  [vault, aws, gcp, azure] = await Promise.all([VaultFake.start(), AwsSecretsManagerFake.start(), GcpSecretManagerFake.start(), AzureKeyVaultFake.start()]);
  xdg = await createTempXdg();

  // What the HandsFree server stored with store_secret("github_token_user_123", …) on each backend.
  vault.seed('github/token/user/123', { value: 'ghp_from_vault', metadata: { scopes: 'repo,user' } });
  aws.seed('handsfree/github_token_user_123', JSON.stringify({ value: 'ghp_from_aws' }));
  gcp.seed('handsfree-github-token-user-123', 'ghp_from_gcp');
  azure.seed('github-token-user-123', 'ghp_from_azure');

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const email = 'handsfree@latchkey-test.iam.gserviceaccount.com';
  gcp.addServiceAccount(email, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const keyFile = join(xdg.root, 'service-account.json');
  await writeFile(keyFile, JSON.stringify({ type: 'service_account', project_id: gcp.projectId, private_key_id: 'k1', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), client_email: email, client_id: '1' }), { mode: 0o600 });

  const key = aws.addAccessKey();
  seedEnv = {
    ...xdg.env,
    HANDSFREE_SECRET_GITHUB_TOKEN_USER_123: 'ghp_from_env',
    VAULT_ADDR: vault.url,
    VAULT_TOKEN: vault.createToken(),
    AWS_REGION: aws.region,
    AWS_SECRETS_MANAGER_ENDPOINT: aws.url,
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    GCP_PROJECT_ID: gcp.projectId,
    GCP_SECRET_MANAGER_ENDPOINT: `http://127.0.0.1:${gcp.port}`,
    GOOGLE_APPLICATION_CREDENTIALS: keyFile,
    AZURE_KEYVAULT_URL: azure.url,
    AZURE_KEYVAULT_NAME: 'kv-handsfree',
    AZURE_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
    ...azure.managedIdentity(),
  };
});

afterAll(async () => {
  await Promise.all([vault.close(), aws.close(), gcp.close(), azure.close()]);
  await xdg.cleanup();
});

describe('latchkey secrets on every remote scheme, from the seed variables (built CLI, wire-level fakes)', () => {
  it.each([
    ['env://HANDSFREE_SECRET_GITHUB_TOKEN_USER_123', 'ghp_from_env'],
    ['vault://github_token_user_123', 'ghp_from_vault'],
    ['aws://handsfree/github_token_user_123', 'ghp_from_aws'],
    ['gcp://github_token_user_123', 'ghp_from_gcp'],
    ['gcp://projects/latchkey-test/secrets/handsfree-github-token-user-123', 'ghp_from_gcp'],
    ['azure://kv-handsfree/github-token-user-123', 'ghp_from_azure'],
  ])('the seed reference %s resolves', async (reference, expected) => {
    expect(await run(['secrets', 'get', reference])).toEqual({ code: 0, stdout: expected, stderr: '' });
  });

  // The seed variables mean the HandsFree layout: Vault keys become folders, Google ids <prefix>-<key>.
  it.each([
    ['vault', 'vault://app/staging/API_KEY', 'vault://app/staging/', 'vault://app/staging/API/KEY', () => vault.stored('app/staging/API/KEY')?.value as string | undefined],
    ['aws', 'aws://handsfree/app/prod/API_KEY', 'aws://handsfree/app/', 'aws://handsfree/app/prod/API_KEY', () => aws.secretStringOf('handsfree/app/prod/API_KEY')],
    ['gcp', 'gcp://app_prod_api_key', 'gcp://app_prod_', 'gcp://projects/latchkey-test/secrets/handsfree-app-prod-api-key', () => gcp.payloadOf('handsfree-app-prod-api-key')],
    ['azure', 'azure://kv-handsfree/app-prod-api-key', 'azure://kv-handsfree/app-', 'azure://kv-handsfree/app-prod-api-key', () => azure.valueOf('app-prod-api-key')],
  ])('%s: set from stdin, ls, rm; then get is NotFound (exit 3)', async (_scheme, reference, prefix, listedAs, stored) => {
    // `get` itself is the seed-reference test above; each run of the binary costs a second or two.
    expect(await run(['secrets', 'set', reference, '--value-stdin'], { input: `${CANARY}\n` })).toMatchObject({ code: 0 });
    expect(stored()).toContain(CANARY);
    expect(stored()).not.toContain(`${CANARY}\n`);
    const listed = await run(['secrets', 'ls', prefix, '--json']);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { ref: string }[]).map((item) => item.ref)).toContain(listedAs);
    expect(await run(['secrets', 'rm', reference])).toMatchObject({ code: 0 });
    expect(await run(['secrets', 'get', reference])).toMatchObject({ code: 3, stdout: '', stderr: expect.stringMatching(/\S/) });
  });

  it('env:// reads and lists the variables it is given; a missing variable exits 3', async () => {
    expect((await run(['secrets', 'ls', 'env://HANDSFREE_SECRET_', '--json'])).stdout).toContain('env://HANDSFREE_SECRET_GITHUB_TOKEN_USER_123');
    expect(await run(['secrets', 'get', 'env://HANDSFREE_SECRET_NOPE'])).toMatchObject({ code: 3, stderr: expect.stringContaining('HANDSFREE_SECRET_NOPE') });
  });

  it('a scheme without its variables fails fast naming them (exit 3), without a request', async () => {
    expect(await run(['secrets', 'get', 'vault://x'], { env: { VAULT_ADDR: '' } })).toMatchObject({ code: 3, stderr: expect.stringContaining('VAULT_ADDR') });
    expect(await run(['secrets', 'get', 'vault://x'], { env: { VAULT_ROLE_ID: 'r' } })).toMatchObject({ code: 3, stderr: expect.stringContaining('VAULT_TOKEN and VAULT_ROLE_ID') });
  });

  it('AWS judges its own keys: a LocalStack-style key id "test" is used as given (wire-level fake)', async () => {
    aws.addAccessKey({ accessKeyId: 'test', secretAccessKey: 'test' });
    expect(await run(['secrets', 'get', 'aws://handsfree/github_token_user_123'], { env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } })).toEqual({ code: 0, stdout: 'ghp_from_aws', stderr: '' });
  });

  it('a setting from the environment that is refused names the variable and the rule (exit 3)', async () => {
    expect(await run(['secrets', 'get', 'aws://handsfree/github_token_user_123'], { env: { AWS_REGION: 'Moon Base 1' } })).toMatchObject({
      code: 3,
      stderr: expect.stringContaining('AWS_REGION is not valid: it must be an AWS region such as us-east-1.'),
    });
  });

  it('a wrong token is a readable failure (exit 1) that does not echo it', async () => {
    const result = await run(['secrets', 'get', 'vault://github_token_user_123'], { env: { VAULT_TOKEN: `hvs.${CANARY}-wrong` } });
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('VAULT_TOKEN') });
  });

  it('no value or credential reached an argument echo, stdout of a listing, or stderr', () => {
    for (const output of outputs) expect(output.stderr).not.toContain(CANARY);
    for (const secret of [seedEnv.VAULT_TOKEN!, seedEnv.AWS_SECRET_ACCESS_KEY!]) {
      for (const output of outputs) expect(`${output.stdout}${output.stderr}`).not.toContain(secret);
    }
  });
});

describeWithKeyring('latchkey connections and envs bind (built CLI, real keyring, wire-level fakes)', () => {
  it('adds a connection from the seed variables, tests it, binds an environment, and manages its credentials', { timeout: 180_000 }, async () => {
    const token = seedEnv.VAULT_TOKEN!;
    const added = await run(['connections', 'add', 'staging', '--from-env', 'vault', '--json']);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'staging', kind: 'vault', credentials: 'stored' });

    const listed = await run(['connections', 'ls']);
    expect(listed.stdout).toMatch(/staging\s+vault\s+127\.0\.0\.1:\d+ · mount secret · HandsFree layout\s+credentials stored/);

    const tested = await run(['connections', 'test', 'staging', '--write', '--prefix', 'app/staging/']);
    expect(tested).toMatchObject({ code: 0, stdout: expect.stringContaining('✓ authenticated') });
    expect(tested.stdout).toContain('✓ can write');

    expect(await run(['secrets', 'set', 'vault://app/staging/DB_URL', '--connection', 'staging', '--value-stdin'], { input: CANARY, env: { VAULT_TOKEN: '', VAULT_ADDR: '' } })).toMatchObject({ code: 0 });
    expect(await run(['projects', 'create', 'app', '--env', 'staging'])).toMatchObject({ code: 0 });
    expect(await run(['envs', 'bind', 'app', 'staging', '--connection', 'staging', '--prefix', 'app/staging/'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('Vault · secret/data/app/staging/'),
    });
    expect((await run(['envs', 'ls', 'app'])).stdout).toContain('Vault (staging) · secret/data/app/staging/');
    // No prefix points the environment at all of the connection: refused without --yes, and nothing changes.
    const whole = await run(['envs', 'bind', 'app', 'staging', '--connection', 'staging']);
    expect(whole).toMatchObject({ code: 2, stderr: expect.stringContaining('With no prefix, app/staging would keep its secrets at the top of "staging"') });
    expect((await run(['envs', 'ls', 'app'])).stdout).toContain('Vault (staging) · secret/data/app/staging/');
    expect(await run(['envs', 'bind', 'app', 'staging', '--connection', 'staging', '--yes'])).toMatchObject({ code: 0 });
    expect(await run(['envs', 'bind', 'app', 'staging', '--connection', 'staging', '--prefix', 'app/staging/'])).toMatchObject({ code: 0 });

    // A wrong token, stored from stdin: Test connection says where it fails; the right one repairs it.
    expect(await run(['connections', 'set-credentials', 'staging', '--stdin'], { input: `{"token":"hvs.${CANARY}-wrong"}` })).toMatchObject({ code: 0 });
    const refused = await run(['connections', 'test', 'staging']);
    expect(refused).toMatchObject({ code: 1, stdout: expect.stringContaining('✗ authenticated'), stderr: expect.stringContaining('Test of staging failed') });
    expect(await run(['connections', 'set-credentials', 'staging', '--stdin'], { input: JSON.stringify({ token }) })).toMatchObject({ code: 0 });
    expect(await run(['secrets', 'get', 'vault://app/staging/DB_URL', '--connection', 'staging'])).toMatchObject({ code: 0, stdout: CANARY });

    expect(await run(['connections', 'rm', 'staging', '--yes'])).toMatchObject({ code: 1, stderr: expect.stringContaining('app/staging') });
    expect(await run(['envs', 'bind', 'app', 'staging', '--local'])).toMatchObject({ code: 0 });
    expect(await run(['connections', 'rm', 'staging', '--yes'])).toMatchObject({ code: 0 });
    expect(await run(['secrets', 'get', 'vault://x', '--connection', 'staging'])).toMatchObject({ code: 3, stderr: expect.stringContaining('no connection named "staging"') });

    for (const output of outputs) expect(`${output.stdout}${output.stderr}`).not.toContain(token);
  });

  it('keychain:// with the same commands (file:// is covered by secrets-cli.test.ts)', { timeout: 120_000 }, async () => {
    const reference = 'keychain://test-cli/API_KEY';
    expect(await run(['secrets', 'set', reference, '--value-stdin'], { input: CANARY })).toMatchObject({ code: 0 });
    expect(await run(['secrets', 'get', reference])).toMatchObject({ code: 0, stdout: CANARY });
    expect((await run(['secrets', 'ls', 'keychain://test-cli/'])).stdout).toContain(reference);
    expect(await run(['secrets', 'rm', reference])).toMatchObject({ code: 0 });
    expect(await run(['secrets', 'get', reference])).toMatchObject({ code: 3 });
  });
});
