import type { Command } from 'commander';
import { resolveHookExecutable, rotationStrategies, type RotationStrategy, type RotatorInput, type RotatorView, type RecoveryOutcome, valueFormats, type ValueFormat } from '../../core/services';
import { table, UsageError, type CliContext } from '../context';
import { checkText, failOnCheck } from './services.command';

/**
 * `latchkey rotators set|show|ls|rm|test|finish` — which secret rotates at which service. A secret with
 * a rotator is changed at its service by `latchkey rotate` and incidents; `finish` settles rotations a
 * crash or an unreachable service left unfinished, and retires old credentials whose grace period ended.
 */
function seconds(text: string | undefined, flag: string, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max) throw new UsageError(`${flag} is a whole number of seconds from 0 to ${max}`);
  return value;
}

interface SetOptions {
  service?: string;
  command?: string;
  role?: string;
  user?: string;
  roleB?: string;
  userB?: string;
  strategy?: string;
  self?: boolean;
  grace?: string;
  timeout?: string;
  format?: string;
}

function rotatorInput(options: SetOptions): RotatorInput {
  if (options.role !== undefined && options.user !== undefined) throw new UsageError('give --role (Postgres) or --user, not both');
  if (options.roleB !== undefined && options.userB !== undefined) throw new UsageError('give --role-b or --user-b, not both');
  if (options.strategy !== undefined && !(rotationStrategies as readonly string[]).includes(options.strategy)) throw new UsageError(`--strategy takes one of ${rotationStrategies.join(', ')}`);
  if (options.format !== undefined && !(valueFormats as readonly string[]).includes(options.format)) throw new UsageError(`--format takes one of ${valueFormats.join(', ')}`);
  const user = options.role ?? options.user;
  const userB = options.roleB ?? options.userB;
  const grace = seconds(options.grace, '--grace', 30 * 24 * 3600);
  const timeout = seconds(options.timeout, '--timeout', 3600);
  return {
    ...(options.service === undefined ? {} : { service: options.service }),
    ...(user === undefined ? {} : { user }),
    ...(userB === undefined ? {} : { userB }),
    ...(options.strategy === undefined ? {} : { strategy: options.strategy as RotationStrategy }),
    ...(options.self === true ? { self: true } : {}),
    ...(grace === undefined ? {} : { graceSeconds: grace }),
    ...(timeout === undefined ? {} : { timeoutSeconds: timeout }),
    ...(options.format === undefined ? {} : { format: options.format as ValueFormat }),
  };
}

function describeRotator(rotator: RotatorView): string {
  const users = rotator.strategy === 'alternating' ? `${rotator.user ?? '?'} / ${rotator.userB ?? '?'}` : (rotator.user ?? '');
  const grace = rotator.graceSeconds === 0 ? 'old credential retired at once' : `old credential retired ${rotator.graceSeconds} s after a rotation`;
  return [
    `${rotator.ref}`,
    `  rotates at  ${rotator.where}`,
    ...(users === '' ? [] : [`  ${rotator.kind === 'postgres' ? 'role' : 'user'}        ${users}${rotator.self ? ' (changes itself)' : ''}`]),
    `  strategy    ${rotator.strategy}; value: ${rotator.format}; ${grace}`,
  ].join('\n');
}

export function recoveryText(outcomes: RecoveryOutcome[]): string {
  return outcomes.map((outcome) => `${outcome.outcome === 'failed' ? 'NOT SETTLED' : outcome.outcome}  ${outcome.ref}\n  ${outcome.message}`).join('\n');
}

export function registerRotators(program: Command, context: CliContext): void {
  const rotators = program.command('rotators').description('rotators: which secret rotates at which service (changed where it is checked, not only in the store)');

  rotators
    .command('set <ref>')
    .description('attach a rotator to a secret (replaces its rotator if it has one)')
    .option('--service <name>', 'the service the credential is checked at (latchkey services ls)')
    .option('--command <path>', 'an executable that changes the credential (a path, or a name on PATH; new value on its standard input)')
    .option('--role <name>', 'Postgres: the role whose password this secret holds')
    .option('--user <name>', 'Redis, MySQL, IAM: the user whose credential this secret holds')
    .option('--strategy <strategy>', `${rotationStrategies.join(', ')} (default: the service's first)`)
    .option('--role-b <name>', 'alternating users: the second role')
    .option('--user-b <name>', 'alternating users: the second user')
    .option('--self', 'the credential changes itself, logging in with its current value (no admin credential)')
    .option('--grace <seconds>', 'keep the old credential valid this long after a rotation (never in an incident)')
    .option('--timeout <seconds>', 'upper bound for one step at the service (command: the hook\'s run time)')
    .option('--format <format>', `how the value holds the credential (${valueFormats.join(', ')}; default: detected)`)
    .option('--json', 'machine-readable output')
    .action(async (ref: string, options: SetOptions, command: Command) => {
      // A command is resolved once, here: a path against the current directory, a bare name on PATH.
      const executable = options.command === undefined ? undefined : await resolveHookExecutable(options.command, { cwd: process.cwd(), path: process.env.PATH });
      const rotator = await context.core().services.rotators.set(ref, { ...rotatorInput(options), ...(executable === undefined ? {} : { command: executable }) });
      context.print(command, rotator, () => `Attached: ${describeRotator(rotator)}`);
    });

  rotators
    .command('show <ref>')
    .description('the rotator of a secret')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, _options: unknown, command: Command) => {
      const rotator = await context.core().services.rotators.show(ref);
      context.print(command, rotator, () => describeRotator(rotator));
    });

  rotators
    .command('ls')
    .description('every rotator (of one project with --project)')
    .option('--project <name>', 'only this project')
    .option('--json', 'machine-readable output')
    .action(async (options: { project?: string }, command: Command) => {
      const list = await context.core().services.rotators.list(options.project === undefined ? {} : { project: options.project });
      context.print(command, list, () =>
        list.length === 0 ? 'No rotators yet (latchkey rotators set).' : table(list.map((rotator) => [rotator.ref, rotator.where, rotator.user ?? '', rotator.strategy, rotator.graceSeconds === 0 ? 'no grace' : `grace ${rotator.graceSeconds} s`])),
      );
    });

  rotators
    .command('rm <ref>')
    .description('detach the rotator of a secret (its rotations then change the stored copy only)')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, _options: unknown, command: Command) => {
      await context.core().services.rotators.remove(ref);
      context.print(command, { ref, removed: true }, () => `Removed the rotator of ${ref}.`);
    });

  rotators
    .command('test <ref>')
    .description('dry run with the stored credential: reach the service, log in, confirm the right to change it (changes nothing)')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, _options: unknown, command: Command) => {
      const checked = await context.core().services.rotation.check(ref);
      context.print(command, checked, () => checkText(`${ref} at ${checked.service}:`, checked.steps));
      failOnCheck(`${ref} at ${checked.service}`, checked.steps);
    });

  rotators
    .command('finish [ref]')
    .description('finish or undo rotations a crash or an unreachable service left unfinished, and retire old credentials whose grace period ended')
    .option('--now', 'also retire old credentials still in their grace period')
    .option('--json', 'machine-readable output')
    .action(async (ref: string | undefined, options: { now?: boolean }, command: Command) => {
      const outcomes = await context.core().services.rotation.recover({ ...(ref === undefined ? {} : { ref }), now: options.now === true });
      context.print(command, outcomes, () => (outcomes.length === 0 ? `Nothing to finish${ref === undefined ? '' : ` for ${ref}`}.` : recoveryText(outcomes)));
      if (outcomes.some((outcome) => outcome.outcome === 'failed')) context.exitCode = 1;
    });
}
