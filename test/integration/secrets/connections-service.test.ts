import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import { CONNECTION_CREDENTIALS_SERVICE } from '../../../electron/core/secrets/connections/connection-credentials';
import { PROBE_KEY_PREFIX } from '../../../electron/core/secrets/test-connection';
import { MemoryKeychain } from '../../doubles/memory-keychain';
import { AwsSecretsManagerFake } from '../../fakes/aws-secrets-manager-fake';
import { VaultFake } from '../../fakes/vault-fake';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

// Connections as the app and CLI manage them: settings in config, credentials in the keychain
// (never in config, never read back out), the registry forgetting a backend after every change, and
// Test connection reporting each step against the wire-level fakes.

let vault: VaultFake;
let aws: AwsSecretsManagerFake;

beforeAll(async () => {
  [vault, aws] = await Promise.all([VaultFake.start(), AwsSecretsManagerFake.start()]);
});
afterAll(async () => {
  await Promise.all([vault.close(), aws.close()]);
});

async function coreWith(keychain = new MemoryKeychain()): Promise<{ core: Core; xdg: TempXdg; keychain: MemoryKeychain; log: ReturnType<typeof captureLogger> }> {
  const xdg = await createTempXdg();
  const log = captureLogger();
  return { core: createCore({ paths: xdg.paths, keychain, logger: log.logger }), xdg, keychain, log };
}

const vaultSettings = () => ({ kind: 'vault', address: vault.url, auth: { method: 'token' } });

describe('connections service (wire-level fakes, in-memory keychain)', () => {
  it('adds a connection: settings in config, the token in the keychain under an account Latchkey names', async () => {
    const { core, xdg, keychain } = await coreWith();
    try {
      const token = vault.createToken();
      const added = await core.connections.add('staging vault', vaultSettings(), { token });
      expect(added).toMatchObject({ name: 'staging vault', kind: 'vault', credentials: 'stored', credentialFields: ['token'], environments: [] });
      expect(added.location).toContain('mount secret');
      expect(JSON.stringify(added)).not.toContain(token);
      expect('credentialsAccount' in added.settings).toBe(false);
      const config = await readFile(core.config.path, 'utf8');
      expect(config).not.toContain(token);
      const account = /"credentialsAccount": "([^"]+)"/.exec(config)?.[1];
      expect(account).toMatch(/^connection-[0-9a-f]{24}$/);
      expect(JSON.parse((await keychain.getPassword(CONNECTION_CREDENTIALS_SERVICE, account!))!)).toEqual({ token });
    } finally {
      await core.close();
      await xdg.cleanup();
    }
  });

  it('refuses settings that carry a credential or a keychain account, and credentials that do not fit', async () => {
    const { core, xdg } = await coreWith();
    try {
      await expect(core.connections.add('v', { ...vaultSettings(), token: 'hvs.x' })).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('credentials belong in the OS keychain') });
      await expect(core.connections.add('v', { ...vaultSettings(), credentialsAccount: 'mine' })).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('chosen by Latchkey') });
      await expect(core.connections.add('v', vaultSettings(), { secretId: 's' })).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('lack token') });
      await expect(core.connections.add('e', { kind: 'env' }, { token: 't' })).rejects.toMatchObject({ kind: 'InvalidInput', message: expect.stringContaining('needs none') });
      await expect(core.connections.add('bad/name', { kind: 'env' })).rejects.toMatchObject({ kind: 'InvalidInput' });
      expect(await core.connections.list()).toEqual([]);
      await core.connections.add('v', vaultSettings());
      expect((await core.connections.get('v')).credentials).toBe('missing');
      await expect(core.connections.add('v', { kind: 'env' })).rejects.toMatchObject({ kind: 'Conflict' });
    } finally {
      await core.close();
      await xdg.cleanup();
    }
  });

  it('new credentials take effect at once: the registry forgets the backend opened with the old ones', async () => {
    const { core, xdg } = await coreWith();
    try {
      await core.connections.add('v', vaultSettings(), { token: 'hvs.wrong-token' });
      await core.projects.createProject('app');
      await core.projects.createEnvironment('app', 'staging', { binding: { backend: 'connection', connection: 'v', prefix: 'app/' } });
      await expect(core.secrets.list('app', 'staging')).rejects.toMatchObject({ kind: 'Unauthenticated' });
      await core.connections.setCredentials('v', { token: vault.createToken() });
      expect(await core.secrets.list('app', 'staging')).toEqual([]);
    } finally {
      await core.close();
      await xdg.cleanup();
    }
  });

  it('renaming moves the bound environments with it; settings of another kind drop the old credentials', async () => {
    const { core, xdg, keychain } = await coreWith();
    try {
      await core.connections.add('v', vaultSettings(), { token: vault.createToken() });
      await core.projects.createProject('app');
      await core.projects.createEnvironment('app', 'staging', { binding: { backend: 'connection', connection: 'v', prefix: 'app/' } });
      const renamed = await core.connections.update('v', { name: 'vault-main' });
      expect(renamed.environments).toEqual([{ project: 'app', environment: 'staging', prefix: 'app/' }]);
      expect((await core.projects.find('app', 'staging')).environment.binding).toEqual({ backend: 'connection', connection: 'vault-main', prefix: 'app/' });
      expect(await core.secrets.list('app', 'staging')).toEqual([]);

      // The bound prefix "app/" cannot be a Google id prefix: refused, naming the environment.
      await expect(core.connections.update('vault-main', { settings: { kind: 'gcp', projectId: 'my-project-123', credentials: { source: 'adc' } } })).rejects.toMatchObject({
        kind: 'InvalidInput',
        message: expect.stringContaining('app/staging'),
      });
      await core.projects.updateEnvironment('app', 'staging', { binding: { backend: 'file' } }, {});
      const key = aws.addAccessKey();
      const changed = await core.connections.update('vault-main', { settings: { kind: 'aws', region: aws.region, endpoint: aws.url, credentials: { source: 'access-keys' } } });
      expect(changed).toMatchObject({ kind: 'aws', credentials: 'missing' });
      expect([...keychain.entries.keys()].filter((entry) => entry.startsWith(CONNECTION_CREDENTIALS_SERVICE))).toEqual([]);
      expect((await core.connections.setCredentials('vault-main', key)).credentials).toBe('stored');
    } finally {
      await core.close();
      await xdg.cleanup();
    }
  });

  it('removal is refused while environments are bound (naming them), asks for confirmation, and deletes the credentials', async () => {
    const { core, xdg, keychain } = await coreWith();
    try {
      await core.connections.add('v', vaultSettings(), { token: vault.createToken() });
      await core.projects.createProject('app');
      await core.projects.createEnvironment('app', 'staging', { binding: { backend: 'connection', connection: 'v', prefix: 'app/staging/' } });
      await core.projects.createEnvironment('app', 'qa', { binding: { backend: 'connection', connection: 'v', prefix: 'app/qa/' } });
      await expect(core.connections.remove('v', { confirmed: true })).rejects.toMatchObject({ kind: 'Conflict', message: expect.stringContaining('app/staging, app/qa') });
      for (const environment of ['staging', 'qa']) await core.projects.updateEnvironment('app', environment, { binding: { backend: 'file' } }, {});
      await expect(core.connections.remove('v', {})).rejects.toMatchObject({ kind: 'ConfirmationRequired' });
      await core.connections.remove('v', { confirmed: true });
      expect(await core.connections.list()).toEqual([]);
      expect(keychain.entries.size).toBe(0);
      await expect(core.connections.remove('v', { confirmed: true })).rejects.toMatchObject({ kind: 'NotFound' });
    } finally {
      await core.close();
      await xdg.cleanup();
    }
  });

  it('Test connection: each step, writing only when asked, and a readable failure for a wrong token', async () => {
    const { core, xdg, log } = await coreWith();
    try {
      await core.connections.add('good', { kind: 'aws', region: aws.region, endpoint: aws.url, credentials: { source: 'access-keys' } }, aws.addAccessKey());
      const readOnly = await core.connections.test('good');
      expect([readOnly.reachable.outcome, readOnly.authenticated.outcome, readOnly.canList.outcome, readOnly.canWrite.outcome]).toEqual(['passed', 'passed', 'passed', 'skipped']);
      const written = await core.connections.test('good', { write: true, prefix: 'app/prod/' });
      expect(written.canWrite).toMatchObject({ outcome: 'passed', detail: expect.stringContaining(PROBE_KEY_PREFIX) });
      const probe = new RegExp(`(\\S*${PROBE_KEY_PREFIX}[0-9a-f]+)`).exec(written.canWrite.detail)![1]!;
      expect(probe.startsWith('app/prod/')).toBe(true);
      expect(aws.secretStringOf(probe)).toBeUndefined();

      await core.connections.add('wrong', vaultSettings(), { token: 'hvs.canary-wrong-token-19ab' });
      const refused = await core.connections.test('wrong', { write: true });
      expect(refused.reachable.outcome).toBe('passed');
      expect(refused.authenticated).toMatchObject({ outcome: 'failed', error: { kind: 'Unauthenticated' } });
      expect(refused.canWrite.outcome).toBe('skipped');
      expect(refused.authenticated.error?.message).not.toContain('canary-wrong-token');

      await core.connections.add('nothing-stored', vaultSettings());
      const unopened = await core.connections.test('nothing-stored');
      expect(unopened.reachable).toMatchObject({ outcome: 'failed', error: { kind: 'InvalidInput', message: expect.stringContaining('no token is stored') } });

      await core.connections.add('nobody-home', { kind: 'vault', address: 'http://127.0.0.1:9', auth: { method: 'token' } }, { token: 't' });
      expect((await core.connections.test('nobody-home')).reachable).toMatchObject({ outcome: 'failed', error: { kind: 'BackendUnavailable' } });
      expect(log.lines.join('\n')).not.toContain('canary-wrong-token');
    } finally {
      await core.close();
      await xdg.cleanup();
    }
  });
});

describeWithKeyring('connections service on the real keyring', () => {
  it('credentials go to the Secret Service under latchkey-connections and leave with the connection', async () => {
    const keychain = realKeychain();
    const xdg = await createTempXdg();
    const core = createCore({ paths: xdg.paths, keychain, logger: captureLogger().logger });
    try {
      const token = vault.createToken();
      await core.connections.add('keyring-vault', vaultSettings(), { token });
      const account = (await core.config.read()).connections[0]!.connection;
      const name = 'credentialsAccount' in account ? account.credentialsAccount! : '';
      expect(await keychain.getPassword(CONNECTION_CREDENTIALS_SERVICE, name)).toBe(JSON.stringify({ token }));
      expect((await core.connections.test('keyring-vault')).authenticated.outcome).toBe('passed');
      await core.connections.remove('keyring-vault', { confirmed: true });
      expect(await keychain.getPassword(CONNECTION_CREDENTIALS_SERVICE, name)).toBeNull();
    } finally {
      await core.close();
      await xdg.cleanup();
    }
  });
});
