import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../electron/core';
import type { SecretBackend } from '../../../electron/core/secrets/backend';
import { MemoryKeychain } from '../../doubles/memory-keychain';
import { AwsSecretsManagerFake } from '../../fakes/aws-secrets-manager-fake';
import { AzureKeyVaultFake } from '../../fakes/azure-key-vault-fake';
import { GcpSecretManagerFake } from '../../fakes/gcp-secret-manager-fake';
import { VaultFake } from '../../fakes/vault-fake';
import { captureLogger } from '../../harness/log-capture';
import { createTempXdg, type TempXdg } from '../../harness/temp-xdg';

// Snapshots and restore of environments bound to Vault (KV v2) and AWS Secrets Manager through the real
// clients (node-vault's HTTP shape, @aws-sdk/client-secrets-manager) against the wire-level fakes: a
// snapshot names versions (values stay in the backend), a restore writes new versions, a version the
// backend has since destroyed is reported for that key while the others are restored.

const CANARY = `snap-remote-${randomBytes(4).toString('hex')}`;

let vault: VaultFake;
let aws: AwsSecretsManagerFake;
let gcp: GcpSecretManagerFake;
let azure: AzureKeyVaultFake;
let xdg: TempXdg;
let core: Core;
const logs = captureLogger();

beforeAll(async () => {
  [vault, aws, gcp, azure] = await Promise.all([VaultFake.start(), AwsSecretsManagerFake.start(), GcpSecretManagerFake.start(), AzureKeyVaultFake.start()]);
  // Azure through @azure/identity's own chain: its managed-identity source reads these from process.env.
  Object.assign(process.env, azure.managedIdentity());
  xdg = await createTempXdg();
  core = createCore({ paths: xdg.paths, keychain: new MemoryKeychain(), env: {}, logger: logs.logger });
  await core.connections.add('vault', { kind: 'vault', address: vault.url, auth: { method: 'token' } }, { token: vault.createToken() });
  await core.connections.add('aws', { kind: 'aws', region: aws.region, endpoint: aws.url, credentials: { source: 'access-keys' } }, aws.addAccessKey());
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const email = 'latchkey@latchkey-test.iam.gserviceaccount.com';
  gcp.addServiceAccount(email, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const keyJson = { type: 'service_account', project_id: gcp.projectId, private_key_id: 'k1', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), client_email: email, client_id: '1' };
  await core.connections.add('gcp', { kind: 'gcp', projectId: gcp.projectId, endpoint: `http://127.0.0.1:${gcp.port}`, credentials: { source: 'stored-key' } }, { keyJson });
  await core.connections.add('azure', { kind: 'azure', vaultUrl: azure.url, vaultName: 'kv-app', disableChallengeResourceVerification: true, credentials: { source: 'default' } });
  await core.projects.createProject('shop');
  await core.projects.createEnvironment('shop', 'on-gcp', { binding: { backend: 'connection', connection: 'gcp', prefix: 'shop_prod_' } });
  await core.projects.createEnvironment('shop', 'on-azure', { binding: { backend: 'connection', connection: 'azure', prefix: 'shop-' } });
  await core.projects.createEnvironment('shop', 'on-vault', { binding: { backend: 'connection', connection: 'vault', prefix: 'shop/prod/' } });
  await core.projects.createEnvironment('shop', 'on-aws', { binding: { backend: 'connection', connection: 'aws', prefix: 'shop/prod/' } });
});

afterAll(async () => {
  await core.close();
  await Promise.all([vault.close(), aws.close(), gcp.close(), azure.close()]);
  await xdg.cleanup();
});

/** Every file under the temporary tree, and every log line: the remote values never reach them. */
async function everything(): Promise<string> {
  const texts: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else texts.push(await readFile(path, 'utf8'));
    }
  };
  await walk(xdg.root);
  return [...texts, ...logs.lines].join('\n');
}

interface Remote {
  environment: 'on-vault' | 'on-aws';
  /** Makes the version `version` of `key` unreadable for good, as the backend's own tools would. */
  destroy(backend: SecretBackend, key: string, version: string): Promise<void>;
}

const remotes: Remote[] = [
  { environment: 'on-vault', destroy: (backend, key, version) => backend.destroyVersion!(`shop/prod/${key}`, version) },
  {
    environment: 'on-aws',
    // AWS has no "destroy one version": deleted for good and created again under the same name, the old version ids are gone.
    destroy: async (backend, key) => {
      await backend.delete(`shop/prod/${key}`, { force: true });
      await backend.set(`shop/prod/${key}`, `${CANARY}-${key}-recreated`);
    },
  },
];

for (const remote of remotes) {
  describe(`snapshots of an environment on ${remote.environment === 'on-vault' ? 'Vault' : 'AWS Secrets Manager'} (wire-level fake)`, () => {
    const env = remote.environment;
    const value = async (key: string) => (await core.secrets.reveal('shop', env, key)).value;
    const keys = async () => (await core.secrets.list('shop', env)).map((item) => item.key).sort();
    let backend: SecretBackend;

    beforeAll(async () => {
      const found = await core.projects.find('shop', env);
      backend = (await core.environments.bind(found.project, found.environment)).backend;
      for (const key of ['A', 'B', 'C', 'D']) await core.secrets.create('shop', env, key, `${CANARY}-${key}-1`);
    });

    it('records versions only (the values stay in the backend), restores by writing new versions, and reports a destroyed version per key', async () => {
      const snapshot = await core.snapshots.take('shop', env);
      expect(snapshot).toMatchObject({ keys: 4, escrowed: 0, unreadable: 0, backend: env === 'on-vault' ? 'vault' : 'aws' });
      const versionOf = async (key: string) => (await backend.get(`shop/prod/${key}`)).version as string;
      const recordedD = await versionOf('D');
      const recordedA = await versionOf('A');

      await core.secrets.update('shop', env, 'A', { value: `${CANARY}-A-2` });
      const afterChangeA = await versionOf('A');
      await core.secrets.remove('shop', env, 'B');
      await core.secrets.create('shop', env, 'E', `${CANARY}-E-1`);
      await remote.destroy(backend, 'D', recordedD);
      if (env === 'on-vault') await core.secrets.update('shop', env, 'D', { value: `${CANARY}-D-2` });

      const target = { snapshot: snapshot.id };
      const preview = await core.snapshots.preview('shop', env, target);
      expect(preview).toMatchObject({ changed: ['A'], recreated: ['B'], unchanged: ['C'], created_since: ['E'] });
      expect(preview.unavailable).toEqual([{ key: 'D', reason: expect.stringMatching(/^version .+ of D is no longer kept by the backend/) }]);
      expect(JSON.stringify(preview)).not.toContain(CANARY);

      const restored = await core.snapshots.restore('shop', env, target, { delete: ['E'], confirmation: { assumeYes: true } });
      expect(restored).toMatchObject({ status: 'partial', changed: ['A'], recreated: ['B'], deleted: ['E'], unchanged: ['C'], failed: [] });
      expect(restored.unavailable.map((item) => item.key)).toEqual(['D']);
      expect(await value('A')).toBe(`${CANARY}-A-1`);
      expect(await value('B')).toBe(`${CANARY}-B-1`);
      expect(await keys()).toEqual(['A', 'B', 'C', 'D']);
      // A new version holds the old value (no label was moved back): history is never rewritten.
      expect(await versionOf('A')).not.toBe(recordedA);
      expect((await core.secrets.history('shop', env, 'A')).map((version) => version.version)).toContain(afterChangeA);
      expect(await everything()).not.toContain(CANARY);
    });

    it('restores to a moment from the version history alone (exact)', async () => {
      await sleep(20);
      const at = new Date();
      await sleep(20);
      await core.secrets.update('shop', env, 'C', { value: `${CANARY}-C-2` });
      await core.secrets.create('shop', env, 'LATE', `${CANARY}-late`);
      const preview = await core.snapshots.preview('shop', env, { at: at.toISOString() });
      expect(preview).toMatchObject({ changed: ['C'], created_since: ['LATE'], recreated: [], target: { kind: 'time', exact: true } });
      expect(preview.items.find((item) => item.key === 'C')).toMatchObject({ source: 'history' });
      const restored = await core.snapshots.restore('shop', env, { at: at.toISOString() }, { delete: 'all-new', confirmation: { assumeYes: true } });
      expect(restored, JSON.stringify(restored.unavailable)).toMatchObject({ status: 'completed', changed: ['C'], deleted: ['LATE'] });
      expect(await value('C')).toBe(`${CANARY}-C-1`);
      expect(await everything()).not.toContain(CANARY);
    });

    it('an incident on it is undone from the versions its report recorded', async () => {
      const policy = { 'latchkey-rotation': 'password-32-p90' };
      // A policy chosen for it: Latchkey generates its values.
      await backend.set('shop/prod/ROTATED', `${CANARY}-rotated`, { metadata: policy });
      const { report } = await core.incidents.run({ environments: [{ project: 'shop', environment: env }] }, { confirmation: { assumeYes: true } });
      const rotated = report.items.find((item) => item.key === 'ROTATED');
      expect(rotated).toMatchObject({ status: 'rotated' });
      expect(await value('ROTATED')).not.toBe(`${CANARY}-rotated`);
      const undone = await core.snapshots.undoIncident(report.id, { confirmation: { assumeYes: true } });
      expect(undone.environments[0]?.changed).toContain('ROTATED');
      expect(await value('ROTATED')).toBe(`${CANARY}-rotated`);
      expect(await everything()).not.toContain(CANARY);
    });
  });
}

describe('snapshots of environments on Google Secret Manager and Azure Key Vault (wire-level fakes)', () => {
  for (const env of ['on-gcp', 'on-azure'] as const) {
    it(`${env}: a changed key gets its version back; a deleted key comes back where the backend deletes softly (Azure), and is reported where its versions went with it (Google)`, async () => {
      for (const key of ['A', 'B', 'C']) await core.secrets.create('shop', env, key, `${CANARY}-${env}-${key}-1`);
      const snapshot = await core.snapshots.take('shop', env);
      expect(snapshot).toMatchObject({ keys: 3, escrowed: 0 });
      await core.secrets.update('shop', env, 'A', { value: `${CANARY}-${env}-A-2` });
      await core.secrets.remove('shop', env, 'B');
      const restored = await core.snapshots.restore('shop', env, { snapshot: snapshot.id }, { confirmation: { assumeYes: true } });
      expect(restored).toMatchObject({ changed: ['A'], unchanged: ['C'], failed: [] });
      expect((await core.secrets.reveal('shop', env, 'A')).value).toBe(`${CANARY}-${env}-A-1`);
      if (env === 'on-azure') {
        expect(restored).toMatchObject({ status: 'completed', recreated: ['B'] });
        expect((await core.secrets.reveal('shop', env, 'B')).value).toBe(`${CANARY}-${env}-B-1`);
      } else {
        expect(restored).toMatchObject({ status: 'partial', recreated: [], unavailable: [{ key: 'B', reason: expect.stringContaining('is no longer kept by the backend') }] });
      }
      expect(await everything()).not.toContain(CANARY);
    });
  }
});
