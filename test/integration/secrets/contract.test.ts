import { randomBytes } from 'node:crypto';
import { EnvBackend } from '../../../electron/core/secrets/backends/env-backend';
import { KeychainBackend } from '../../../electron/core/secrets/backends/keychain-backend';
import { describeWithKeyring, realKeychain } from '../../harness/keyring';
import { backendContractSuite } from './contract';

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
    const service = `latchkey-contract-${randomBytes(4).toString('hex')}`;
    return {
      backend: new KeychainBackend({ keychain, service }),
      cleanup: async () => {
        for (const account of await keychain.findAccounts(service)) await keychain.deletePassword(service, account);
      },
    };
  });
});
