import { z } from 'zod';
import { invalidInput, notFound } from '../../errors';
import type { Keychain } from '../../keychain';
import { ownKeychainService } from '../../keychain-namespace';

/**
 * Credentials Latchkey stores for a connection (a Vault token or AppRole secret id, AWS access keys, a
 * Google service-account key, an Azure client secret) live in the OS keychain under this service, one
 * entry per connection, as JSON. Connection config names the entry (its account), never holds it.
 */
export const CONNECTION_CREDENTIALS_SERVICE = ownKeychainService('connections');

export async function readConnectionCredentials<T>(keychain: Keychain, account: string, schema: z.ZodType<T>, connectionName: string): Promise<T> {
  const stored = await keychain.getPassword(CONNECTION_CREDENTIALS_SERVICE, account);
  if (stored === null) {
    throw notFound(`The credentials of connection "${connectionName}" are missing from the OS keychain (entry "${account}"). Enter them again in Connections.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    throw invalidInput(`The keychain entry "${account}" of connection "${connectionName}" is damaged. Enter the credentials again in Connections.`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw invalidInput(`The keychain entry "${account}" of connection "${connectionName}" does not hold the credentials this connection needs. Enter them again in Connections.`);
  }
  return result.data;
}

export async function storeConnectionCredentials<T>(keychain: Keychain, account: string, schema: z.ZodType<T>, credentials: T): Promise<void> {
  const result = schema.safeParse(credentials);
  if (!result.success) throw invalidInput('These credentials are incomplete for this kind of connection; nothing was stored.');
  await keychain.setPassword(CONNECTION_CREDENTIALS_SERVICE, account, JSON.stringify(result.data));
}

export async function deleteConnectionCredentials(keychain: Keychain, account: string): Promise<void> {
  await keychain.deletePassword(CONNECTION_CREDENTIALS_SERVICE, account);
}
