import type { ConfigFile } from '../config/config-file';
import { invalidInput, notFound } from '../errors';
import type { Keychain } from '../keychain';
import { CONNECTION_CREDENTIALS_SERVICE } from '../secrets/connections/connection-credentials';

/**
 * A saved secret-backend connection, as a service driver reads it: its settings and the credentials
 * stored for it in the keychain (an aws-iam service authenticates with a saved AWS connection).
 */
export function savedConnections(deps: { config: ConfigFile; keychain: Keychain }) {
  return async (name: string): Promise<{ settings: unknown; credentials?: unknown }> => {
    const stored = (await deps.config.read()).connections.find((candidate) => candidate.name === name);
    if (stored === undefined) throw notFound(`There is no connection named "${name}" (latchkey connections ls lists them).`);
    const account = 'credentialsAccount' in stored.connection ? stored.connection.credentialsAccount : undefined;
    const text = account === undefined ? null : await deps.keychain.getPassword(CONNECTION_CREDENTIALS_SERVICE, account);
    if (text === null) return { settings: stored.connection };
    try {
      return { settings: stored.connection, credentials: JSON.parse(text) as unknown };
    } catch {
      throw invalidInput(`The keychain entry of connection "${name}" is damaged. Enter its credentials again in Connections.`);
    }
  };
}
