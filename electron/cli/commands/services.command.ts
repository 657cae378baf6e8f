import type { Command } from 'commander';
import { LatchkeyError } from '../../core/errors';
import { type CheckStep, type ServiceKind, registeredServiceKinds, type ServiceSummary } from '../../core/services';
import { table, UsageError, type CliContext } from '../context';
import { readValue } from '../io';

/**
 * `latchkey services add|update|ls|test|rm` — where credentials are checked (Postgres, Redis, MySQL, AWS
 * IAM). An admin URL with a password comes only from standard input (`--url-stdin`) and its credential
 * goes to the OS keychain; settings without secrets may be given as JSON.
 */
function parseSettings(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Falls through to the usage error.
  }
  throw new UsageError('--settings takes a JSON object of settings without credentials, e.g. --settings \'{"sslmode":"verify-full"}\'');
}

interface ServiceOptions {
  urlStdin?: boolean;
  settings?: string;
  connection?: string;
}

async function serviceInput(context: CliContext, options: ServiceOptions) {
  if (context.io.stdin.isTTY === true && options.urlStdin === true) context.io.stderr.write('Enter the admin URL, then press Ctrl-D:\n');
  const url = options.urlStdin === true ? (await readValue(context.io, false)).trim() : undefined;
  if (url === '') throw new UsageError('standard input was empty: pipe the admin URL in, e.g. printf %s "$ADMIN_URL" | latchkey services add …');
  const settings = { ...parseSettings(options.settings), ...(options.connection === undefined ? {} : { connection: options.connection }) };
  return { ...(url === undefined ? {} : { url }), ...(Object.keys(settings).length === 0 ? {} : { settings }) };
}

function summaryRow(summary: ServiceSummary): string[] {
  const rotators = summary.rotators.map((rotator) => `${rotator.project}/${rotator.environment}/${rotator.key}`).join(', ');
  return [summary.name, summary.kind, summary.location, summary.credentials === 'stored' ? 'admin credential stored ✓' : 'admin credential not set', rotators];
}

const MARKS: Record<CheckStep['outcome'], string> = { passed: '✓', failed: '✗', skipped: '–' };

/** The steps of a dry run, one per line; exported for `rotators test`. */
export function checkText(title: string, steps: CheckStep[]): string {
  return `${title}\n${table(steps.map((step) => [`  ${MARKS[step.outcome]} ${step.name}`, step.error === undefined ? step.detail : `${step.detail}: ${step.error.message}`]))}`;
}

/** A dry run that failed ends the command with the failed step's error kind (its exit code). */
export function failOnCheck(what: string, steps: CheckStep[]): void {
  const failed = steps.find((step) => step.outcome === 'failed');
  if (failed !== undefined) throw new LatchkeyError(failed.error?.kind ?? 'Internal', `Test of ${what} failed at "${failed.name}": ${failed.error?.message ?? failed.detail}`);
}

export function registerServices(program: Command, context: CliContext): void {
  const services = program.command('services').description(`services where credentials are checked and rotated (${registeredServiceKinds.join(', ')})`);

  services
    .command('add <name>')
    .description('register a service; an admin URL (with its password) is read from standard input, never from an argument')
    .requiredOption('--kind <kind>', `the kind of service (${registeredServiceKinds.join(', ')})`)
    .option('--url-stdin', 'read the admin URL from standard input (postgres://admin:pw@host:5432/postgres, redis://user:pw@host:6379)')
    .option('--settings <json>', 'settings as a JSON object (no credentials)')
    .option('--connection <name>', 'a saved connection whose credentials the service uses (aws-iam)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: ServiceOptions & { kind: string }, command: Command) => {
      if (!(registeredServiceKinds as readonly string[]).includes(options.kind)) throw new UsageError(`--kind takes one of ${registeredServiceKinds.join(', ')}`);
      const added = await context.core().services.registry.add(name, options.kind as ServiceKind, await serviceInput(context, options));
      context.print(command, added, () => `Added service ${name} (${added.kind}: ${added.location}; admin credential ${added.credentials === 'stored' ? 'stored in the OS keychain' : 'not set'}).`);
    });

  services
    .command('update <name>')
    .description('replace the settings of a service, or its admin credential (a new admin URL on standard input)')
    .option('--url-stdin', 'read a new admin URL from standard input')
    .option('--settings <json>', 'settings to change, as a JSON object (no credentials)')
    .option('--connection <name>', 'a saved connection whose credentials the service uses (aws-iam)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: ServiceOptions, command: Command) => {
      if (options.urlStdin !== true && options.settings === undefined && options.connection === undefined) throw new UsageError('give --url-stdin, --settings or --connection');
      const updated = await context.core().services.registry.update(name, await serviceInput(context, options));
      context.print(command, updated, () => `Updated service ${name} (${updated.location}).`);
    });

  services
    .command('ls')
    .description('list services: kind, address, whether the admin credential is stored, the secrets that rotate there')
    .option('--json', 'machine-readable output')
    .action(async (_options: unknown, command: Command) => {
      const list = await context.core().services.registry.list();
      context.print(command, list, () => (list.length === 0 ? 'No services yet (latchkey services add).' : table(list.map(summaryRow))));
    });

  services
    .command('test <name>')
    .description('dry run: reach the service and log in with its admin credential (changes nothing)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, _options: unknown, command: Command) => {
      const steps = await context.core().services.registry.test(name);
      context.print(command, { name, steps }, () => checkText(`${name}:`, steps));
      failOnCheck(name, steps);
    });

  services
    .command('rm <name>')
    .description('remove a service and its admin credential (refused while rotators use it)')
    .option('--yes', 'confirm the removal')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { yes?: boolean }, command: Command) => {
      await context.core().services.registry.remove(name, { confirmed: options.yes === true });
      context.print(command, { name, removed: true }, () => `Removed service ${name}.`);
    });
}
