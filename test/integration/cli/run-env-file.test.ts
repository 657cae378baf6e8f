import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { AwsSecretsManagerFake } from '../../fakes/aws-secrets-manager-fake';
import { AzureKeyVaultFake } from '../../fakes/azure-key-vault-fake';
import { GcpSecretManagerFake } from '../../fakes/gcp-secret-manager-fake';
import { VaultFake } from '../../fakes/vault-fake';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { forgetStoreKey } from '../../harness/store-key';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';
import { startWatched } from './latchkey-process';
import { runLatchkey } from './run-cli';
import { writePrograms, type ProgramName } from './run-programs';

// `latchkey run --env-file`: one .env template whose lines reference every backend — the local store
// and the keychain for real, env vars, and Vault, AWS, Google and Azure through their wire-level fakes
// (driven by their real client libraries, configured by the seed's variables) — resolved before the
// program starts, and refused line by line when a reference cannot be.

const CANARY = `envfile-canary-${randomBytes(4).toString('hex')}`;
const KEYCHAIN_SERVICE = `run-test-${randomBytes(4).toString('hex')}`;

describeWithKeyring('latchkey run --env-file with references on every backend (built CLI; Vault, AWS, Google, Azure wire-level fakes)', () => {
  let xdg: TempXdg;
  let core: Core;
  let vault: VaultFake;
  let aws: AwsSecretsManagerFake;
  let gcp: GcpSecretManagerFake;
  let azure: AzureKeyVaultFake;
  let env: Record<string, string>;
  let program: (name: ProgramName) => string;
  const template = async (name: string, lines: string[]) => {
    const path = join(xdg.root, name);
    await writeFile(path, `${lines.join('\n')}\n`);
    return path;
  };

  beforeAll(async () => {
    [xdg, vault, aws, gcp, azure] = await Promise.all([createTempXdg(), VaultFake.start(), AwsSecretsManagerFake.start(), GcpSecretManagerFake.start(), AzureKeyVaultFake.start()]);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const email = 'runner@latchkey-test.iam.gserviceaccount.com';
    gcp.addServiceAccount(email, publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const keyFile = join(xdg.root, 'service-account.json');
    await writeFile(keyFile, JSON.stringify({ type: 'service_account', project_id: gcp.projectId, private_key_id: 'k1', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), client_email: email, client_id: '1' }), { mode: 0o600 });
    const key = aws.addAccessKey();
    env = {
      ...xdg.env,
      LATCHKEY_SECRETS_LAYOUT: 'native',
      APP_ENV_SECRET: `${CANARY}-env`,
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
      AZURE_KEYVAULT_NAME: 'kv-run',
      AZURE_KEYVAULT_DISABLE_CHALLENGE_RESOURCE_VERIFICATION: 'true',
      ...azure.managedIdentity(),
    };
    core = createCore({ paths: xdg.paths, keychain: realKeychain(), logger: captureLogger().logger, env });
    program = await writePrograms(join(xdg.root, 'programs'));
    await core.refs.set('file://payments/prod/STRIPE_KEY', `${CANARY}-file`, { confirmed: true });
    await core.refs.set('file://payments/prod/DB_PASSWORD', `${CANARY}-file-db`, { confirmed: true });
    await realKeychain().setPassword(KEYCHAIN_SERVICE, 'deploy', `${CANARY}-keychain`);
    vault.seed('payments/prod/DB_URL', { value: `postgres://app:${CANARY}-vault@db/app` });
    aws.seed('payments/prod/AWS_KEY', `${CANARY}-aws`);
    gcp.seed('payments-prod-gcp-key', `${CANARY}-gcp`);
    azure.seed('payments-prod-azure-key', `${CANARY}-azure`);
  });
  afterAll(async () => {
    await core.close();
    await Promise.all([vault.close(), aws.close(), gcp.close(), azure.close()]);
    await realKeychain().deletePassword(KEYCHAIN_SERVICE, 'deploy');
    await forgetStoreKey(realKeychain(), xdg.paths.stateDir);
    await xdg.cleanup();
  });

  it('resolves references on every backend and passes literal lines as they are; the lines win over the environment', async () => {
    const path = await template('.env.tpl', [
      '# payments in production',
      'STRIPE_KEY=file://payments/prod/STRIPE_KEY',
      'DB_URL=vault://payments/prod/DB_URL',
      'AWS_KEY=aws://payments/prod/AWS_KEY',
      'GCP_KEY=gcp://payments-prod-gcp-key',
      'AZURE_KEY=azure://kv-run/payments-prod-azure-key',
      'DEPLOY_TOKEN=keychain://' + KEYCHAIN_SERVICE + '/deploy',
      'FROM_ENV=env://APP_ENV_SECRET',
      'PORT=8080',
      'API_URL="https://api.example.com/v1"',
      'DB_PASSWORD=overridden by the file',
    ]);
    const names = ['STRIPE_KEY', 'DB_URL', 'AWS_KEY', 'GCP_KEY', 'AZURE_KEY', 'DEPLOY_TOKEN', 'FROM_ENV', 'PORT', 'API_URL', 'DB_PASSWORD'];
    const result = await runLatchkey(['run', '--project', 'payments', '--env', 'prod', '--env-file', path, '--', program('env-json.cjs'), ...names], { env });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(result.stdout) as { env: Record<string, string> }).env).toEqual({
      STRIPE_KEY: `${CANARY}-file`,
      DB_URL: `postgres://app:${CANARY}-vault@db/app`,
      AWS_KEY: `${CANARY}-aws`,
      GCP_KEY: `${CANARY}-gcp`,
      AZURE_KEY: `${CANARY}-azure`,
      DEPLOY_TOKEN: `${CANARY}-keychain`,
      FROM_ENV: `${CANARY}-env`,
      PORT: '8080',
      API_URL: 'https://api.example.com/v1',
      DB_PASSWORD: 'overridden by the file',
    });
    const audit = (await core.audit.tail(2))[0]!;
    expect(audit).toMatchObject({ action: 'env.run', outcome: 'started', project: 'payments', environment: 'prod', counts: { total: 10 } });
    expect(audit.refs).toEqual(expect.arrayContaining(['vault://payments/prod/DB_URL', `keychain://${KEYCHAIN_SERVICE}/deploy`, 'file://payments/prod/STRIPE_KEY']));
  });

  it('an unknown scheme stops everything, naming the line and the scheme (never the rest of the value, nor any literal value)', async () => {
    const marker = join(xdg.root, 'unknown.started');
    const path = await template('unknown.env', ['PORT=1', 'DB_URL=valut://payments/prod/DB_URL', `OTHER=postgres://u:${CANARY}-literal@h/db`]);
    const result = await runLatchkey(['run', '--env-file', path, '--', 'touch', marker], { env });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${path} line 2: DB_URL refers to "valut://", which is not a Latchkey reference scheme`);
    expect(result.stderr).not.toContain(CANARY);
    expect(existsSync(marker)).toBe(false);
  });

  it('references that cannot be read are all named with their lines and references; nothing starts (exit 3)', async () => {
    const marker = join(xdg.root, 'missing.started');
    const path = await template('missing.env', ['A=file://payments/prod/STRIPE_KEY', 'B=vault://payments/prod/NOPE', 'C=aws://payments/prod/NOPE', 'D=file://payments/prod/NOPE']);
    const result = await runLatchkey(['run', '--env-file', path, '--', 'touch', marker], { env });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('3 secrets could not be read, so nothing was started:');
    for (const [line, name, ref] of [
      [2, 'B', 'vault://payments/prod/NOPE'],
      [3, 'C', 'aws://payments/prod/NOPE'],
      [4, 'D', 'file://payments/prod/NOPE'],
    ] as const) {
      expect(result.stderr).toContain(`${path} line ${line}: ${name} (${ref}): `);
    }
    expect(result.stderr).not.toContain(CANARY);
    expect(existsSync(marker)).toBe(false);
  });

  it('a missing env file is NotFound (exit 3); a name that is not a variable name is refused with its line; -f reads a pipe', async () => {
    expect(await runLatchkey(['run', '-f', join(xdg.root, 'nope.env'), '--', 'true'], { env })).toMatchObject({ code: 3, stderr: expect.stringContaining('does not exist') });
    const bad = await template('bad-name.env', ['GOOD=1', '2BAD=x']);
    expect(await runLatchkey(['run', '-f', bad, '--', 'true'], { env })).toMatchObject({ code: 3, stderr: expect.stringContaining('line 2: "2BAD" is not a valid environment variable name') });
    // Process substitution: the env file is a pipe (bash <(…)); -f is read by Latchkey only.
    const viaPipe = startWatched(
      'bash',
      ['-c', `exec "$0" "$1" run -f <(printf 'STRIPE_KEY=file://payments/prod/STRIPE_KEY\\n') -- "$2" STRIPE_KEY`, process.execPath, join(process.cwd(), 'bin', 'latchkey.js'), program('env-json.cjs')],
      { env },
    );
    const ended = await viaPipe.exited;
    expect(ended.code).toBe(0);
    expect((JSON.parse(ended.stdout) as { env: Record<string, string> }).env).toEqual({ STRIPE_KEY: `${CANARY}-file` });
  });
});
