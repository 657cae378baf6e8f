import type { Command } from 'commander';
import { cancelled } from '../../core/errors';
import { incidentMarkCommand, incidentResumeCommand, incidentRotateCommand, rollbackCommand, rotateCommand, rotateDueCommand } from '../output/rotation-output';
import { askConfirmation, printOutput } from '../output/print-output';
import { table, UsageError, type CliContext } from '../context';
import type { Core } from '../../core';
import { recoveryText } from './rotators.command';

/**
 * `latchkey rotate`, `rollback`, `secrets history` and `incident …`: rotation by reference, the schedule,
 * and incident mode over the environments of a project. Values are never printed.
 */
const collect = (value: string, previous: string[] = []) => [...previous, value];

function concurrencyOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 64) throw new UsageError('--concurrency is a whole number from 1 to 64');
  return value;
}

/**
 * Rotations at services that an earlier run left unfinished (killed, or a service that was down) are
 * finished or undone first, and old credentials whose grace period ended are retired; what was done is
 * said on stderr, so --json output stays the rows asked for.
 */
async function settleEarlierRotations(context: CliContext, core: Core): Promise<void> {
  const outcomes = (await core.services.rotation.recover()).filter((outcome) => outcome.outcome !== 'waiting');
  if (outcomes.length > 0) context.io.stderr.write(`Settled earlier rotations first:\n${recoveryText(outcomes)}\n`);
}

export function registerRotation(program: Command, context: CliContext): void {
  program
    .command('rotate [refs...]')
    .description('rotate secrets now: generate a new value, change it at the service where a rotator is attached, write it as a new version, verify it (values are not printed)')
    .option('--policy <policy>', 'generator for this rotation, stored with the value where the backend keeps metadata (e.g. password-40, hex-64-p30, uuid)')
    .option('--due', 'rotate exactly the secrets the schedule shows as overdue or due soon')
    .option('--project <name>', 'with --due: only this project')
    .option('--env <name>', 'with --due and --project: only this environment (repeatable)', collect)
    .option('--concurrency <n>', 'rotations at once (default 4)')
    .option('--connection <name>', 'resolve the references on this saved connection instead of the seed variables (VAULT_ADDR…)')
    .option('--json', 'print [{ref, ok, version?, changed_at, old_retired, error?}]')
    .action(async (refs: string[], options: { policy?: string; due?: boolean; project?: string; env?: string[]; concurrency?: string; connection?: string }, command: Command) => {
      const core = context.core();
      const concurrency = concurrencyOf(options.concurrency);
      const bounded = concurrency === undefined ? {} : { concurrency };
      if (refs.length > 0 || options.due === true) await settleEarlierRotations(context, core);
      if (options.due === true) {
        if (refs.length > 0 || options.policy !== undefined || options.connection !== undefined) {
          throw new UsageError("rotate --due takes no references, --policy or --connection: it rotates what the schedule says, by each secret's policy, where each environment is stored");
        }
        if (options.env !== undefined && options.project === undefined) throw new UsageError('--env needs --project');
        const environments = await core.rotation.environments({
          ...(options.project === undefined ? {} : { project: options.project }),
          ...(options.env === undefined ? {} : { environments: options.env }),
        });
        printOutput(context, command, await rotateDueCommand(core.rotation.refDeps, environments, bounded));
        return;
      }
      if (refs.length === 0) throw new UsageError('name the secrets to rotate (latchkey rotate <ref>...), or use --due');
      if (options.project !== undefined || options.env !== undefined) throw new UsageError('--project and --env go with --due');
      printOutput(
        context,
        command,
        await rotateCommand(core.rotation.refDepsOn(options.connection), refs, {
          ...(options.policy === undefined ? {} : { policy: options.policy }),
          ...(options.connection === undefined ? {} : { connection: options.connection }),
          ...bounded,
        }),
      );
    });

  program
    .command('rollback <ref>')
    .description('make the previous value current again (as a new version, or by moving AWSCURRENT back)')
    .option('--connection <name>', 'resolve the reference on this saved connection instead of the seed variables (VAULT_ADDR…)')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, options: { connection?: string }, command: Command) => {
      printOutput(context, command, await rollbackCommand(context.core().rotation.refDepsOn(options.connection), ref));
    });

  const incident = program.command('incident').description('incident mode: rotate every rotatable secret of some environments, with a saved report');

  incident
    .command('rotate')
    .description('rotate every rotatable secret of the environments (protected ones need their names typed, or --yes)')
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--env <name>', 'an environment (repeat for several)', collect)
    .option('--yes', 'confirm without being asked (for runbooks)')
    .option('--concurrency <n>', 'secrets read and rotated at the backend at once (default 8)')
    .option('--json', 'machine-readable output')
    .action(async (options: { project: string; env: string[]; yes?: boolean; concurrency?: string }, command: Command) => {
      const core = context.core();
      const concurrency = concurrencyOf(options.concurrency);
      await settleEarlierRotations(context, core);
      // Ctrl-C from here on cancels (the preview, the prompt, or the run) and never kills the process.
      await context.interrupts.cancellable(async (signal) => {
        const targets = options.env.map((environment) => ({ project: options.project, environment }));
        const preview = await core.incidents.preview({ environments: targets, signal });
        const byHand = preview.items.filter((item) => item.class === 'by-hand').length;
        const confirmation = await askConfirmation(
          context,
          options.yes,
          preview.environments,
          `Rotate ${preview.rotatable} secret(s) in ${preview.environments.map((environment) => `${environment.project}/${environment.name}`).join(', ')}` +
            (byHand === 0 ? '' : ` (${byHand} more are rotated by hand and will only be listed)`),
          signal,
        );
        if (signal.aborted) throw cancelled('The incident was cancelled before it started; nothing was changed.');
        const environments = await Promise.all(options.env.map((environment) => core.environments.view(options.project, environment)));
        const output = await incidentRotateCommand(core.incidents.commandDeps, environments, {
          ...(confirmation === undefined ? {} : { confirmation }),
          ...(concurrency === undefined ? {} : { concurrency }),
          signal,
        });
        printOutput(context, command, output);
      });
    });

  incident
    .command('resume <report-id>')
    .description('finish what a saved incident left undone (failed, cancelled or not started)')
    .option('--yes', 'confirm without being asked')
    .option('--concurrency <n>', 'secrets rotated at the backend at once (default: as the first run)')
    .option('--json', 'machine-readable output')
    .action(async (reportId: string, options: { yes?: boolean; concurrency?: string }, command: Command) => {
      const core = context.core();
      const concurrency = concurrencyOf(options.concurrency);
      await settleEarlierRotations(context, core);
      await context.interrupts.cancellable(async (signal) => {
        const saved = await core.incidents.open(reportId);
        const left = saved.counts.failed + saved.counts.pending + saved.counts.cancelled;
        const confirmation = saved.status === 'completed' ? undefined : await askConfirmation(context, options.yes, saved.environments, `Finish ${left} secret(s) left by incident ${reportId}`, signal);
        if (signal.aborted) throw cancelled('The re-run was cancelled before it started; nothing was changed.');
        const output = await incidentResumeCommand(core.incidents.commandDeps, reportId, {
          ...(confirmation === undefined ? {} : { confirmation }),
          ...(concurrency === undefined ? {} : { concurrency }),
          signal,
        });
        printOutput(context, command, output);
      });
    });

  incident
    .command('mark-rotated <report-id> <refs...>')
    .description("record that secrets the incident listed under 'rotate these by hand' were rotated where they were issued (audited, saved in the report)")
    .option('--json', 'machine-readable output (the report, as incident rotate prints it)')
    .action(async (reportId: string, refs: string[], _options: unknown, command: Command) => {
      printOutput(context, command, await incidentMarkCommand(context.core().incidents.commandDeps, reportId, refs));
    });

  incident
    .command('list')
    .description('saved incident reports, newest first')
    .option('--json', 'machine-readable output')
    .action(async (_options: unknown, command: Command) => {
      const reports = await context.core().incidents.list();
      context.print(command, reports, () =>
        reports.length === 0
          ? 'No incident reports yet.'
          : table(
              reports.map((report) => [
                report.id,
                report.status,
                report.environments.map((environment) => `${environment.project}/${environment.name}`).join(','),
                `${report.counts.rotated} rotated, ${report.counts.failed} failed, ${report.counts.skipped} skipped`,
              ]),
            ),
      );
    });

  incident
    .command('show <report-id>')
    .description('a saved incident report (readable text; --json for the whole report)')
    .option('--json', 'machine-readable output')
    .action(async (reportId: string, _options: unknown, command: Command) => {
      const core = context.core();
      const report = await core.incidents.open(reportId);
      const text = await core.incidents.openText(reportId);
      context.print(command, report, () => text);
    });
}
