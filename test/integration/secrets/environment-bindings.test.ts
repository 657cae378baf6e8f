import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { MemoryKeychain } from '../../doubles/memory-keychain';
import { AwsSecretsManagerFake } from '../../fakes/aws-secrets-manager-fake';
import { AzureKeyVaultFake } from '../../fakes/azure-key-vault-fake';
import { GcpSecretManagerFake } from '../../fakes/gcp-secret-manager-fake';
import { VaultFake } from '../../fakes/vault-fake';
import { captureLogger } from '../../harness/log-capture';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

// createCore's `bind` opens connection-bound environments through the registry; here every kind of
// backend is bound through it and driven the way the secrets view drives it (create, list, reveal,
// update, history, delete), checking where each key really lands in the wire-level fakes and that
// foreign secrets written there by others list under the right key.

const CANARY = 'canary-binding-7f3e1c';

let vault: VaultFake;
let aws: AwsSecretsManagerFake;
let gcp: GcpSecretManagerFake;
let azure: AzureKeyVaultFake;
let xdg: TempXdg;
let core: Core;
const log = captureLogger();
const processEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  [vault, aws, gcp, azure] = await Promise.all([VaultFake.start(), AwsSecretsManagerFake.start(), GcpSecretManagerFake.start(), AzureKeyVaultFake.start()]);
  // Azure through @azure/identity's own chain: its managed-identity source reads these from process.env.
  Object.assign(process.env, azure.managedIdentity());
  xdg = await createTempXdg();
  core = createCore({ paths: xdg.paths, keychain: new MemoryKeychain(), env: processEnv, logger: log.logger });
  await core.projects.createProject('app');

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const email = 'latchkey@latchkey-test.iam.gserviceaccount.com';
  gcp.addServiceAccount(email, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const gcpKey = { type: 'service_account', project_id: gcp.projectId, private_key_id: 'k1', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), client_email: email, client_id: '1' };

  const gcpEndpoint = `http://127.0.0.1:${gcp.port}`;
  await core.connections.add('vault', { kind: 'vault', address: vault.url, auth: { method: 'token' } }, { token: vault.createToken() });
  await core.connections.add('vault-hf', { kind: 'vault', address: vault.url, layout: 'handsfree', auth: { method: 'token' } }, { token: vault.createToken() });
  await core.connections.add('aws', { kind: 'aws', region: aws.region, endpoint: aws.url, credentials: { source: 'access-keys' } }, aws.addAccessKey());
  await core.connections.add('aws-hf', { kind: 'aws', region: aws.region, endpoint: aws.url, layout: 'handsfree', credentials: { source: 'access-keys' } }, aws.addAccessKey());
  await core.connections.add('gcp', { kind: 'gcp', projectId: gcp.projectId, endpoint: gcpEndpoint, credentials: { source: 'stored-key' } }, { keyJson: gcpKey });
  await core.connections.add('gcp-hf', { kind: 'gcp', projectId: gcp.projectId, endpoint: gcpEndpoint, layout: 'handsfree', credentials: { source: 'stored-key' } }, { keyJson: gcpKey });
  await core.connections.add('azure', { kind: 'azure', vaultUrl: azure.url, vaultName: 'kv-app', disableChallengeResourceVerification: true, credentials: { source: 'default' } });
  await core.connections.add('env', { kind: 'env' });
  await core.connections.add('keychain', { kind: 'keychain', service: 'test-bindings' });
});

afterAll(async () => {
  await core.close();
  await Promise.all([vault.close(), aws.close(), gcp.close(), azure.close()]);
  await xdg.cleanup();
});

interface Case {
  connection: string;
  prefix: string;
  key: string;
  /** Where the fake holds the value written under `key`. */
  stored: () => string | undefined;
  /** A secret another writer put in the environment's place, and the key it lists as. */
  foreign: { seed: () => void; key: string };
  /** Another writer's secret outside the environment (must not be listed). */
  outside: () => void;
  versions: boolean;
}

const cases: Case[] = [
  {
    connection: 'vault',
    prefix: 'app/staging/',
    key: 'API_KEY',
    stored: () => vault.stored('app/staging/API_KEY')?.value as string | undefined,
    foreign: { seed: () => vault.seed('app/staging/DB.PASSWORD', { value: 'x' }), key: 'DB.PASSWORD' },
    outside: () => vault.seed('app/staging/deeper/NOT_MINE', { value: 'x' }),
    versions: true,
  },
  {
    connection: 'vault-hf',
    prefix: '',
    key: 'slack_token_user_7',
    stored: () => vault.stored('slack/token/user/7')?.value as string | undefined,
    foreign: { seed: () => vault.seed('github/token/user/123', { value: 'ghp_x', metadata: { scopes: 'repo' } }), key: 'github_token_user_123' },
    outside: () => vault.seed('odd_name', { value: 'x' }),
    versions: true,
  },
  {
    connection: 'aws',
    prefix: 'app/prod/',
    key: 'API_KEY',
    stored: () => aws.secretStringOf('app/prod/API_KEY'),
    foreign: { seed: () => aws.seed('app/prod/STRIPE_KEY', JSON.stringify({ value: 'x' })), key: 'STRIPE_KEY' },
    outside: () => aws.seed('app/prod/sub/NOT_MINE', 'x'),
    versions: true,
  },
  {
    connection: 'aws-hf',
    prefix: '',
    key: 'slack_token_user_7',
    stored: () => aws.secretStringOf('handsfree/slack_token_user_7'),
    foreign: { seed: () => aws.seed('handsfree/github_token_user_123', JSON.stringify({ value: 'ghp_x' })), key: 'github_token_user_123' },
    outside: () => aws.seed('elsewhere/NOT_MINE', 'x'),
    versions: true,
  },
  {
    connection: 'gcp',
    prefix: 'app_prod_',
    key: 'API_KEY',
    stored: () => gcp.payloadOf('app_prod_API_KEY'),
    foreign: { seed: () => gcp.seed('app_prod_STRIPE_KEY', 'x'), key: 'STRIPE_KEY' },
    outside: () => gcp.seed('other_NOT_MINE', 'x'),
    versions: true,
  },
  {
    connection: 'gcp-hf',
    prefix: '',
    key: 'slack_token_user_7',
    stored: () => gcp.payloadOf('handsfree-slack-token-user-7'),
    foreign: { seed: () => gcp.seed('handsfree-github-token-user-123', 'ghp_x'), key: 'github_token_user_123' },
    outside: () => gcp.seed('not-handsfree-thing', 'x'),
    versions: true,
  },
  {
    connection: 'azure',
    prefix: 'app-',
    key: 'API_KEY',
    stored: () => azure.valueOf('app-API-KEY'),
    foreign: { seed: () => azure.seed('app-db-password', 'x'), key: 'db_password' },
    outside: () => azure.seed('other-NOT-MINE', 'x'),
    versions: true,
  },
  {
    connection: 'env',
    prefix: 'APP_',
    key: 'API_KEY',
    stored: () => processEnv.HANDSFREE_SECRET_APP_API_KEY,
    foreign: { seed: () => void (processEnv.HANDSFREE_SECRET_APP_STRIPE_KEY = 'x'), key: 'STRIPE_KEY' },
    outside: () => void (processEnv.HANDSFREE_SECRET_OTHER = 'x'),
    versions: false,
  },
];

describe('environments bound to each backend through createCore (wire-level fakes, real SDKs)', () => {
  for (const test of cases) {
    it(`${test.connection}, prefix "${test.prefix}": create, list, reveal, update, history, view, delete`, async () => {
      const environment = `on-${test.connection}`;
      // An empty prefix (the whole connection) needs the confirmation the app and `envs bind --yes` give.
      await core.projects.createEnvironment('app', environment, { binding: { backend: 'connection', connection: test.connection, prefix: test.prefix } }, { confirmed: test.prefix === '' ? true : undefined });
      test.foreign.seed();
      test.outside();

      await core.secrets.create('app', environment, test.key, `${CANARY}-1`);
      // Adding it again says so plainly, whatever the backend calls the clash.
      await expect(core.secrets.create('app', environment, test.key, `${CANARY}-again`)).rejects.toMatchObject({
        kind: 'Conflict',
        field: 'key',
        message: `${test.key} already exists in app/${environment} — edit it instead?`,
      });
      const stored = test.stored();
      expect(stored === undefined ? undefined : stored.includes(`${CANARY}-1`)).toBe(true);

      expect((await core.secrets.list('app', environment)).map((item) => item.key).sort()).toEqual([test.foreign.key, test.key].sort());
      expect((await core.secrets.reveal('app', environment, test.key)).value).toBe(`${CANARY}-1`);
      // A foreign secret is addressed by the key it lists as.
      expect((await core.secrets.reveal('app', environment, test.foreign.key)).value).toMatch(/^(x|ghp_x)$/);

      await core.secrets.update('app', environment, test.key, { value: `${CANARY}-2` });
      expect((await core.secrets.reveal('app', environment, test.key)).value).toBe(`${CANARY}-2`);
      const history = await core.secrets.history('app', environment, test.key);
      expect(history.length).toBe(test.versions ? 2 : 0);

      const view = await core.environments.view('app', environment);
      expect((await view.list()).map((secret) => secret.key).sort()).toEqual([test.foreign.key, test.key].sort());
      // Rotation's view and the secrets view agree on where a key is.
      const found = await core.projects.find('app', environment);
      const bound = await core.environments.bind(found.project, found.environment);
      const ref = view.refFor(test.key);
      expect(ref).toBe(`${bound.backend.scheme}://${bound.pathOf(test.key)}`);
      expect((await bound.backend.get(bound.pathOf(test.key))).value).toBe(`${CANARY}-2`);

      await core.secrets.remove('app', environment, test.key);
      await expect(core.secrets.reveal('app', environment, test.key)).rejects.toMatchObject({ kind: 'NotFound' });
      expect((await core.secrets.list('app', environment)).map((item) => item.key)).toEqual([test.foreign.key]);
    });
  }

  it('the keychain connection keeps keys as accounts of its service', async () => {
    await core.projects.createEnvironment('app', 'on-keychain', { binding: { backend: 'connection', connection: 'keychain', prefix: 'app/dev/' } });
    await core.secrets.create('app', 'on-keychain', 'API_KEY', CANARY);
    expect((await core.secrets.list('app', 'on-keychain')).map((item) => item.key)).toEqual(['API_KEY']);
    expect((await core.secrets.reveal('app', 'on-keychain', 'API_KEY')).value).toBe(CANARY);
  });

  it('a note is kept where the backend has metadata, and refused with a reason where it has none', async () => {
    await core.secrets.create('app', 'on-vault', 'NOTED', 'v', { note: 'owned by payments' });
    expect((await core.secrets.list('app', 'on-vault')).find((item) => item.key === 'NOTED')?.note).toBe('owned by payments');
    // A note-only change on a backend that keeps metadata with a version writes the value again.
    await core.secrets.update('app', 'on-vault', 'NOTED', { note: 'owned by billing' });
    expect((await core.secrets.list('app', 'on-vault')).find((item) => item.key === 'NOTED')?.note).toBe('owned by billing');
    expect((await core.secrets.reveal('app', 'on-vault', 'NOTED')).value).toBe('v');
    await expect(core.secrets.create('app', 'on-env', 'NOTED', 'v', { note: 'x' })).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('keeps no notes') });
  });

  it('a key the backend would rename is refused, naming the key to use instead', async () => {
    await expect(core.secrets.create('app', 'on-azure', 'DB.PASSWORD', 'v')).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('"DB_PASSWORD"') });
    await expect(core.secrets.create('app', 'on-env', 'api_key', 'v')).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('"API_KEY"') });
    expect(azure.valueOf('app-DB-PASSWORD')).toBeUndefined();
  });

  it('a binding must name an existing connection and a prefix its backend can use', async () => {
    await expect(core.projects.createEnvironment('app', 'nowhere', { binding: { backend: 'connection', connection: 'missing', prefix: '' } })).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(core.projects.updateEnvironment('app', 'on-gcp', { binding: { backend: 'connection', connection: 'gcp', prefix: 'app/prod/' } }, {})).rejects.toMatchObject({
      kind: 'InvalidInput',
      message: expect.stringContaining('Google prefix'),
    });
  });

  it('an empty prefix (all of the connection) is refused unless confirmed, when created and when rebound', async () => {
    const whole = { backend: 'connection' as const, connection: 'vault', prefix: '' };
    await expect(core.projects.createEnvironment('app', 'whole-mount', { binding: whole })).rejects.toMatchObject({
      kind: 'ConfirmationRequired',
      message: expect.stringContaining('With no prefix, app/whole-mount would keep its secrets at the top of "vault"'),
    });
    expect((await core.config.read()).projects.find((project) => project.name === 'app')!.environments.some((environment) => environment.name === 'whole-mount')).toBe(false);
    await core.projects.createEnvironment('app', 'whole-mount', { binding: { backend: 'connection', connection: 'vault', prefix: 'app/whole/' } });
    await expect(core.projects.updateEnvironment('app', 'whole-mount', { binding: whole }, {})).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    await core.projects.updateEnvironment('app', 'whole-mount', { binding: whole }, { confirmed: true });
    // Saving other settings keeps the binding as it is: nothing new to confirm.
    await core.projects.updateEnvironment('app', 'whole-mount', { colour: '#dc2626', binding: whole }, {});
    expect((await core.projects.find('app', 'whole-mount')).environment).toMatchObject({ colour: '#dc2626', binding: whole });
  });

  it('rebinding an environment changes where it reads, and a protected one needs confirmation', async () => {
    await core.projects.createEnvironment('app', 'prod', { binding: { backend: 'connection', connection: 'aws', prefix: 'app/prod/' } });
    expect((await core.secrets.list('app', 'prod')).map((item) => item.key)).toEqual(['STRIPE_KEY']);
    await expect(core.projects.updateEnvironment('app', 'prod', { binding: { backend: 'file' } }, {})).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
    await core.projects.updateEnvironment('app', 'prod', { binding: { backend: 'file' } }, { confirmed: true });
    expect(await core.secrets.list('app', 'prod')).toEqual([]);
  });

  it('no value reached the log or the config file', async () => {
    const { readFile } = await import('node:fs/promises');
    expect(log.lines.join('\n')).not.toContain(CANARY);
    expect(await readFile(core.config.path, 'utf8')).not.toContain(CANARY);
  });
});
