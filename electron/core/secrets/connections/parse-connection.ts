import { invalidInput } from '../../errors';
import { refuseOwnKeychainService } from '../../keychain-namespace';
import { connectionSchema, type Connection } from './connection-schema';

/**
 * A connection from outside (a config file, an IPC request) checked against its schema. The message
 * names the first field that is wrong and why, never the value given for it.
 */
export function parseConnection(input: unknown, name = 'this connection'): Connection {
  const result = connectionSchema.safeParse(input);
  if (result.success) {
    // Checked here, where settings come in, rather than in the schema: a config saved before the rule
    // still loads, and only the environments on such a connection are refused (by the keychain backend).
    if (result.data.kind === 'keychain') refuseOwnKeychainService(result.data.service);
    return result.data;
  }
  const issue = result.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? 'its kind' : issue.path.map(String).join('.');
  const unknownKeys = issue?.code === 'unrecognized_keys' ? ` (unknown: ${issue.keys.join(', ')}; credentials belong in the OS keychain, not in config)` : '';
  throw invalidInput(`The settings of ${name} are not valid at ${field}${unknownKeys}. Fix them in Connections.`);
}
