import { invalidInput } from '../../errors';
import { refuseOwnKeychainService } from '../../keychain-namespace';
import { connectionSchema, type Connection } from './connection-schema';
import { fieldOf, ruleOf } from './issue-rule';

/**
 * A connection from outside (the Connections screen, the CLI, environment variables) checked against
 * its schema. The message names the first field that is wrong and the rule it breaks, never the value
 * given for it; the error carries the field so a form can point at it. Settings that came from
 * environment variables (`variables`: field → variable) are named by their variable.
 */
export function parseConnection(input: unknown, name = 'this connection', options: { variables?: Readonly<Record<string, string>> } = {}): Connection {
  const result = connectionSchema.safeParse(input);
  if (result.success) {
    // Checked here, where settings come in, rather than in the schema: a config saved before the rule
    // still loads, and only the environments on such a connection are refused (by the keychain backend).
    if (result.data.kind === 'keychain') refuseOwnKeychainService(result.data.service);
    return result.data;
  }
  const issue = result.error.issues[0];
  const field = fieldOf(issue);
  const variable = field === undefined ? undefined : options.variables?.[field];
  if (variable !== undefined) throw invalidInput(`${variable} is not valid: it must be ${ruleOf(issue)}.`, { field });
  if (issue?.code === 'unrecognized_keys') {
    throw invalidInput(`The settings of ${name} have unknown fields (${issue.keys.join(', ')}); credentials belong in the OS keychain, not in settings.`);
  }
  if (field === undefined) throw invalidInput(`The settings of ${name} are not valid: its kind must be one of env, keychain, vault, aws, gcp, azure.`);
  throw invalidInput(`The ${field} of ${name} is not valid: it must be ${ruleOf(issue)}.`, { field });
}
