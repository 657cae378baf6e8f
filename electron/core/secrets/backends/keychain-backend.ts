import { invalidInput, notFound } from '../../errors';
import type { Keychain } from '../../keychain';
import { refuseOwnKeychainService, USER_SECRETS_SERVICE } from '../../keychain-namespace';
import type { BackendCapabilities, DeleteOptions, ListOptions, ListPage, ReadResult, SecretBackend, SecretDescription, WriteOptions, WriteResult } from '../backend';
import { pageOfPaths } from '../client-side-paging';
import { assertValueFits } from '../value-limits';

/**
 * `keychain://<service>/<account>`: an entry of the OS keychain through keytar. Listing names the
 * accounts of one service without returning their values. Latchkey's own services (the local store's
 * data key, connection and session-server credentials: see keychain-namespace.ts) are refused on every
 * path — constructor, get, set, delete, list, describe — so no command reaches them through here.
 */
export interface KeychainBackendOptions {
  keychain: Keychain;
  /** Service used for keys (pathForKey). */
  service?: string;
  platform?: NodeJS.Platform;
}


/** Windows Credential Manager holds at most 2,560 bytes per entry; the others allow far more. */
export function keychainMaxValueBytes(platform: NodeJS.Platform): number {
  return platform === 'win32' ? 2_560 : 64 * 1024;
}

interface Entry {
  service: string;
  account: string;
}

export class KeychainBackend implements SecretBackend {
  readonly scheme = 'keychain' as const;
  readonly capabilities: BackendCapabilities;
  readonly location: string;
  private readonly keychain: Keychain;
  private readonly service: string;

  constructor(options: KeychainBackendOptions) {
    this.keychain = options.keychain;
    this.service = options.service ?? USER_SECRETS_SERVICE;
    checkService(this.service);
    this.capabilities = { versions: false, softDelete: false, metadata: false, checkAndSet: false, maxValueBytes: keychainMaxValueBytes(options.platform ?? process.platform) };
    this.location = `OS keychain, service ${this.service}`;
  }

  pathForKey(key: string): string {
    return `${this.service}/${key}`;
  }

  async get(path: string, options?: { version?: string }): Promise<ReadResult> {
    const entry = parseEntry(path);
    if (options?.version !== undefined) throw invalidInput('Keychain entries have no versions; read the entry without one.');
    const value = await this.keychain.getPassword(entry.service, entry.account);
    if (value === null) throw notFound(`The keychain has no entry for service "${entry.service}", account "${entry.account}".`);
    return { value };
  }

  async set(path: string, value: string, _options?: WriteOptions): Promise<WriteResult> {
    const entry = parseEntry(path);
    assertValueFits(value, this.capabilities.maxValueBytes, 'the OS keychain');
    await this.keychain.setPassword(entry.service, entry.account, value);
    return {};
  }

  async delete(path: string, _options?: DeleteOptions): Promise<void> {
    const entry = parseEntry(path);
    if (!(await this.keychain.deletePassword(entry.service, entry.account))) {
      throw notFound(`The keychain has no entry for service "${entry.service}", account "${entry.account}", so there is nothing to delete.`);
    }
  }

  async list(prefix: string, options?: ListOptions): Promise<ListPage> {
    const slash = prefix.indexOf('/');
    const service = slash === -1 ? prefix : prefix.slice(0, slash);
    if (service === '') throw invalidInput('Name the keychain service to list, e.g. keychain://latchkey-secrets/ — the keychain cannot list every service.');
    checkService(service);
    const accounts = await this.keychain.findAccounts(service);
    return pageOfPaths(
      accounts.map((account) => `${service}/${account}`),
      slash === -1 ? `${service}/` : prefix,
      options,
    );
  }

  async describe(path: string): Promise<SecretDescription> {
    const entry = parseEntry(path);
    const accounts = await this.keychain.findAccounts(entry.service);
    if (!accounts.includes(entry.account)) throw notFound(`The keychain has no entry for service "${entry.service}", account "${entry.account}".`);
    return { path: `${entry.service}/${entry.account}`, versions: [] };
  }
}

function parseEntry(path: string): Entry {
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw invalidInput(`"${path.slice(0, 80)}" is not a keychain entry. Use keychain://<service>/<account>, e.g. keychain://latchkey-secrets/GITHUB_TOKEN.`);
  }
  const entry = { service: path.slice(0, slash), account: path.slice(slash + 1) };
  checkService(entry.service);
  if (entry.account.length > 255 || /[\0\r\n]/.test(entry.account)) throw invalidInput('A keychain account name must be one line of at most 255 characters.');
  return entry;
}

function checkService(service: string): void {
  if (service.length > 128 || /[\0\r\n]/.test(service)) throw invalidInput('A keychain service name must be one line of at most 128 characters.');
  refuseOwnKeychainService(service);
}
