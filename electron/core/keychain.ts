import { backendUnavailable } from './errors';

/**
 * The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through keytar.
 * Core depends on this interface; the keytar module is loaded lazily so that commands which never touch
 * the keychain work where it is unavailable.
 */
export interface Keychain {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  /** Accounts stored under `service`; values are read only to be dropped here. */
  findAccounts(service: string): Promise<string[]>;
}

type Keytar = Pick<typeof import('keytar'), 'getPassword' | 'setPassword' | 'deletePassword' | 'findCredentials'>;

const loadKeytar = async (): Promise<Keytar> => {
  // The built app and CLI are CommonJS: require() loads the native module (also from an asar archive).
  // Under vitest modules are ESM, and import() does the same.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy, synchronous native-module load
  if (typeof require === 'function') return require('keytar') as Keytar;
  const module = await import('keytar');
  return (module as { default?: Keytar }).default ?? module;
};

export const KEYCHAIN_UNAVAILABLE =
  'The OS keychain is not reachable, and Latchkey keeps its encryption key there. ' +
  'On Linux, start and unlock a Secret Service keyring (GNOME Keyring or KWallet) in your desktop session; ' +
  'on macOS and Windows, unlock your login keychain or credential store. Then try again.';

export function createKeytarKeychain(load: () => Promise<Keytar> = loadKeytar): Keychain {
  let keytar: Keytar | undefined;
  const call = async <T>(operation: (k: Keytar) => Promise<T>): Promise<T> => {
    try {
      keytar ??= await load();
      return await operation(keytar);
    } catch (error) {
      throw backendUnavailable(KEYCHAIN_UNAVAILABLE, { cause: error });
    }
  };
  return {
    getPassword: (service, account) => call((k) => k.getPassword(service, account)),
    setPassword: (service, account, password) => call((k) => k.setPassword(service, account, password)),
    deletePassword: (service, account) => call((k) => k.deletePassword(service, account)),
    findAccounts: (service) => call(async (k) => (await k.findCredentials(service)).map((credential) => credential.account)),
  };
}
