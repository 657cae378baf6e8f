import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { KEYCHAIN_SERVICE } from '../../../electron/core/crypto/data-key';
import { BackendRegistry } from '../../../electron/core/secrets/backend-registry';
import { KeychainBackend } from '../../../electron/core/secrets/backends/keychain-backend';
import { CONNECTION_CREDENTIALS_SERVICE, storeConnectionCredentials } from '../../../electron/core/secrets/connections/connection-credentials';
import { vaultCredentialsSchema } from '../../../electron/core/secrets/connections/connection-schema';
import { parseRef } from '../../../electron/core/secrets/reference';
import { FAST_RETRY } from '../../fakes/fast-retry';
import { VaultFake } from '../../fakes/vault-fake';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { captureLogger } from '../../harness/log-capture';

// The OS keychain for real (gnome-keyring under scripts/with-keyring.sh): keychain:// references, and
// the credentials of connections, which live there and nowhere else.

describeWithKeyring('keychain backend and connection credentials on a real gnome-keyring', () => {
  const keychain = realKeychain();
  const service = `test-kc-${randomBytes(4).toString('hex')}`;
  const account = `conn-${randomBytes(4).toString('hex')}`;
  let fake: VaultFake | undefined;

  afterAll(async () => {
    for (const name of await keychain.findAccounts(service)) await keychain.deletePassword(service, name);
    await keychain.deletePassword(CONNECTION_CREDENTIALS_SERVICE, account);
    await fake?.close();
  });

  it('keychain://<service>/<account> reads what another program stored there; listing names accounts only', async () => {
    await keychain.setPassword(service, 'GITHUB_TOKEN', 'ghp_from_keyring');
    const backend = new KeychainBackend({ keychain });
    expect((await backend.get(`${service}/GITHUB_TOKEN`)).value).toBe('ghp_from_keyring');
    const page = await backend.list(`${service}/`);
    expect(page.items).toEqual([{ path: `${service}/GITHUB_TOKEN` }]);
    expect(JSON.stringify(page)).not.toContain('ghp_from_keyring');
  });

  it("Latchkey's own entries (the data key, connection credentials) cannot be reached as secrets", async () => {
    const backend = new KeychainBackend({ keychain });
    await expect(backend.get(`${KEYCHAIN_SERVICE}/data-key:anything`)).rejects.toMatchObject({ kind: 'PermissionDenied' });
    await expect(backend.list(`${CONNECTION_CREDENTIALS_SERVICE}/`)).rejects.toMatchObject({ kind: 'PermissionDenied' });
    await expect(backend.set(`${CONNECTION_CREDENTIALS_SERVICE}/x`, 'v')).rejects.toMatchObject({ kind: 'PermissionDenied' });
  });

  it('a connection finds its Vault token in its keychain entry, not in its settings (wire-level Vault fake)', async () => {
    fake = await VaultFake.start();
    fake.seed('app/db', { value: 'from-vault' });
    await storeConnectionCredentials(keychain, account, vaultCredentialsSchema, { token: fake.createToken() });
    const registry = new BackendRegistry({ env: {}, keychain, logger: captureLogger().logger, retry: FAST_RETRY });
    const connection = { kind: 'vault' as const, address: fake.url, mount: 'secret', field: 'value', layout: 'native' as const, auth: { method: 'token' as const }, tls: { insecureSkipVerify: false }, credentialsAccount: account };
    expect(JSON.stringify(connection)).not.toContain('hvs.');
    const backend = await registry.resolve(parseRef('vault://app/db'), { name: 'staging', connection });
    expect((await backend.get('app/db')).value).toBe('from-vault');
    await registry.close();
  });

  it('credentials of the wrong shape are refused before anything is stored', async () => {
    await expect(storeConnectionCredentials(keychain, `${account}-bad`, vaultCredentialsSchema, { password: 'x' } as never)).rejects.toMatchObject({ kind: 'InvalidInput' });
    expect(await keychain.getPassword(CONNECTION_CREDENTIALS_SERVICE, `${account}-bad`)).toBeNull();
  });
});
