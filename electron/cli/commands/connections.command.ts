import type { Command } from 'commander';
import { invalidInput, LatchkeyError } from '../../core/errors';
import { connectionFromEnvironment } from '../../core/secrets/connections/connection-from-environment';
import type { ConnectionSummary } from '../../core/secrets/connections/connections-service';
import type { ConnectionCheck, ConnectionTestReport } from '../../core/secrets/test-connection';
import { table, UsageError, type CliContext } from '../context';
import { readAll, STDIN_LIMITS } from '../io';

/**
 * `latchkey connections ls|add|update|set-credentials|rm|test` — the secret-backend connections
 * environments are bound to. Settings are not secret and may be given as JSON in an argument;
 * credentials come only from standard input (JSON) or the seed's variables (--from-env), and go to
 * the OS keychain. Nothing prints a credential back.
 */
const KINDS = ['vault', 'aws', 'gcp', 'azure', 'env', 'keychain'] as const;

function parseSettingsArgument(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError('--settings takes a JSON object, e.g. --settings \'{"kind":"vault","address":"https://vault.example.com:8200","auth":{"method":"token"}}\'');
  }
}

async function readCredentials(context: CliContext): Promise<unknown> {
  if (context.io.stdin.isTTY === true) context.io.stderr.write('Enter the credentials as JSON (e.g. {"token": "…"}), then press Ctrl-D:\n');
  const text = await readAll(context.io.stdin, STDIN_LIMITS.credentials);
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed;
  } catch {
    // The input is never quoted back: it is a credential.
    throw invalidInput('Standard input is not a JSON object of credentials, e.g. {"token": "…"} for Vault or {"accessKeyId": "…", "secretAccessKey": "…"} for AWS.');
  }
}

function summaryRow(summary: ConnectionSummary): string[] {
  const environments = summary.environments.map((environment) => `${environment.project}/${environment.environment}`).join(', ');
  const credentials = summary.credentials === 'stored' ? 'credentials stored' : summary.credentials === 'missing' ? 'credentials not set' : '';
  return [summary.name, summary.kind, summary.location, credentials, environments];
}

const MARKS: Record<ConnectionCheck['outcome'], string> = { passed: '✓', failed: '✗', skipped: '–' };

function reportText(name: string, report: ConnectionTestReport): string {
  const steps: [string, ConnectionCheck][] = [
    ['reachable', report.reachable],
    ['authenticated', report.authenticated],
    ['can list', report.canList],
    ['can write', report.canWrite],
  ];
  const rows = steps.map(([step, check]) => [`  ${MARKS[check.outcome]} ${step}`, check.error === undefined ? check.detail : `${check.detail} ${check.error.message}`]);
  return `${name}: ${report.location}\n${table(rows)}`;
}

function firstFailure(report: ConnectionTestReport): ConnectionCheck | undefined {
  return [report.reachable, report.authenticated, report.canList, report.canWrite].find((check) => check.outcome === 'failed');
}

export function registerConnections(program: Command, context: CliContext): void {
  const connections = program.command('connections').description('secret-backend connections (Vault, AWS, Google, Azure, env, keychain) that environments are bound to');

  connections
    .command('ls')
    .description('list connections: kind, where they point, whether credentials are stored, bound environments')
    .option('--json', 'machine-readable output')
    .action(async (_options: unknown, command: Command) => {
      const list = await context.core().connections.list();
      context.print(command, list, () => (list.length === 0 ? 'No connections yet (latchkey connections add).' : table(list.map(summaryRow))));
    });

  connections
    .command('add <name>')
    .description('add a connection from JSON settings or from the seed variables (VAULT_ADDR, AWS_REGION, GCP_PROJECT_ID, AZURE_KEYVAULT_URL…)')
    .option('--settings <json>', 'the settings as a JSON object with "kind" (no credentials)')
    .option('--from-env <kind>', `take settings and credentials from the environment variables of a kind (${KINDS.join(', ')})`)
    .option('--credentials-stdin', 'read the credentials from standard input as JSON')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { settings?: string; fromEnv?: string; credentialsStdin?: boolean }, command: Command) => {
      if ((options.settings === undefined) === (options.fromEnv === undefined)) throw new UsageError('give either --settings <json> or --from-env <kind>');
      let settings: unknown;
      let credentials: unknown;
      if (options.fromEnv !== undefined) {
        if (!(KINDS as readonly string[]).includes(options.fromEnv)) throw new UsageError(`--from-env takes one of ${KINDS.join(', ')}`);
        if (options.credentialsStdin === true) throw new UsageError('--from-env takes the credentials from the environment too; leave out --credentials-stdin');
        const fromEnvironment = connectionFromEnvironment(context.io.env, { scheme: options.fromEnv as (typeof KINDS)[number] });
        settings = fromEnvironment.connection;
        credentials = fromEnvironment.credentials;
      } else {
        settings = parseSettingsArgument(options.settings!);
        if (options.credentialsStdin === true) credentials = await readCredentials(context);
      }
      const added = await context.core().connections.add(name, settings, credentials);
      context.print(command, added, () => `Added connection ${name} (${added.kind}: ${added.location}${added.credentials === 'missing' ? '; credentials not set yet: latchkey connections set-credentials' : ''}).`);
    });

  connections
    .command('update <name>')
    .description('rename a connection or replace its settings (bound environments follow a rename)')
    .option('--rename <new-name>', 'a new name')
    .option('--settings <json>', 'new settings as a JSON object with "kind"')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { rename?: string; settings?: string }, command: Command) => {
      if (options.rename === undefined && options.settings === undefined) throw new UsageError('give --rename and/or --settings');
      const updated = await context.core().connections.update(name, {
        ...(options.rename === undefined ? {} : { name: options.rename }),
        ...(options.settings === undefined ? {} : { settings: parseSettingsArgument(options.settings) }),
      });
      context.print(command, updated, () => `Updated connection ${updated.name}.`);
    });

  connections
    .command('set-credentials <name>')
    .description('store or replace the credentials of a connection in the OS keychain, read as JSON from standard input')
    .option('--stdin', 'read the credentials from standard input (the only way to pass them)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { stdin?: boolean }, command: Command) => {
      if (options.stdin !== true) throw new UsageError('credentials are read from standard input only: printf %s \'{"token":"…"}\' | latchkey connections set-credentials <name> --stdin');
      const updated = await context.core().connections.setCredentials(name, await readCredentials(context));
      context.print(command, updated, () => `Stored the credentials of ${name} in the OS keychain.`);
    });

  connections
    .command('rm <name>')
    .description('remove a connection and its stored credentials (refused while environments are bound to it)')
    .option('--yes', 'confirm the removal')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { yes?: boolean }, command: Command) => {
      await context.core().connections.remove(name, { confirmed: options.yes === true });
      context.print(command, { name, removed: true }, () => `Removed connection ${name}.`);
    });

  connections
    .command('test <name>')
    .description('check that the service is reachable, the credentials are accepted and listing works; writing only with --write')
    .option('--write', 'also write, read back and delete a probe secret')
    .option('--prefix <prefix>', "list and probe where an environment's secrets would be")
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { write?: boolean; prefix?: string }, command: Command) => {
      const report = await context.core().connections.test(name, { write: options.write === true, ...(options.prefix === undefined ? {} : { prefix: options.prefix }) });
      context.print(command, report, () => reportText(name, report));
      const failure = firstFailure(report);
      if (failure !== undefined) throw new LatchkeyError(failure.error?.kind ?? 'Internal', `Test of ${name} failed: ${failure.detail}`);
    });
}
