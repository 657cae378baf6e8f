import type { Command } from 'commander';
import type { PublicError } from '../../../shared/errors';
import { exitCodeForAll, type ExitCode } from '../exit-codes';
import type { Confirmation } from '../../core/environments';
import type { RestoreResult, RestoreTargetRequest } from '../../core/snapshots';
import { askConfirmation, printOutput } from '../output/print-output';
import { UsageError, type CliContext } from '../context';
import { describeTarget, incidentUndoPreviewText, incidentUndoResultText, restorePreviewText, restoreResultText, snapshotLine, snapshotListText } from '../snapshot-text';

/**
 * `latchkey env snapshot|snapshots|restore` and `latchkey incident undo`: snapshots of an environment,
 * restoring it to one or to a moment (a preview by key first; values are never printed), and undoing
 * an incident for the secrets that were stored only.
 */
const collect = (value: string, previous: string[] = []) => [...previous, value];

function subcommand(program: Command, name: string): Command {
  const found = program.commands.find((command) => command.name() === name);
  if (found === undefined) throw new Error(`latchkey ${name} must be registered before its snapshot commands`);
  return found;
}

function targetOf(options: { snapshot?: string; at?: string }): RestoreTargetRequest {
  if ((options.snapshot === undefined) === (options.at === undefined)) throw new UsageError('say what to restore to: --snapshot ID or --at TIME (one of them)');
  if (options.snapshot !== undefined) return { snapshot: options.snapshot };
  const at = options.at as string;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(at) || Number.isNaN(Date.parse(at))) {
    throw new UsageError('--at takes a time with its UTC offset, e.g. 2026-12-06T10:00:00Z');
  }
  return { at: new Date(at).toISOString() };
}

/** Ctrl-C stops starting new keys; keys being written finish, and the same command finishes the rest. */
async function interruptible<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once('SIGINT', onInterrupt);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/** Failed writes exit 1; keys whose value from then is gone (and nothing worse) exit 3; a cancelled run exits 1. */
function restoreExit(results: RestoreResult[]): ExitCode {
  const errors: PublicError[] = results.flatMap((result) => [
    ...result.failed.map((item) => item.error),
    ...result.unavailable.map((item) => ({ kind: 'NotFound' as const, message: item.reason })),
    ...(result.status === 'cancelled' ? [{ kind: 'Cancelled' as const, message: 'cancelled' }] : []),
  ]);
  return exitCodeForAll(errors);
}

export function registerSnapshots(program: Command, context: CliContext): void {
  const env = subcommand(program, 'env');

  env
    .command('snapshot')
    .description('take a snapshot of an environment now: each key with its version (values of the local store and the keychain kept sealed)')
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--env <name>', 'the environment')
    .option('--note <text>', 'a note to find it by (one line)')
    .option('--json', 'print {id, keys, created_at, …}')
    .action(async (options: { project: string; env: string; note?: string }, command: Command) => {
      const taken = await context.core().snapshots.take(options.project, options.env, options.note === undefined ? {} : { note: options.note });
      context.print(command, taken, () => snapshotLine(taken));
    });

  env
    .command('snapshots')
    .description('the snapshots of an environment, newest first, with the ones pruned and why')
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--env <name>', 'the environment')
    .option('--json', 'machine-readable output')
    .action(async (options: { project: string; env: string }, command: Command) => {
      const list = await context.core().snapshots.list(options.project, options.env);
      context.print(command, list, () => snapshotListText(list));
    });

  env
    .command('restore')
    .description('restore an environment to a snapshot or a moment: shows what changes by key, then writes new versions (history is kept)')
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--env <name>', 'the environment')
    .option('--snapshot <id>', 'the snapshot to restore to')
    .option('--at <time>', 'the moment to restore to, e.g. 2026-12-06T10:00:00Z')
    .option('--key <key>', 'only this key (repeatable)', collect)
    .option('--delete <key>', 'delete this key, created since the moment (repeatable)', collect)
    .option('--delete-new', 'delete every key created since the moment')
    .option('--dry-run', 'show what would change, write nothing')
    .option('--yes', 'restore without being asked (protected environments too)')
    .option('--json', 'print {changed, recreated, deleted, unchanged, …}')
    .action(async (options: { project: string; env: string; snapshot?: string; at?: string; key?: string[]; delete?: string[]; deleteNew?: boolean; dryRun?: boolean; yes?: boolean }, command: Command) => {
      const target = targetOf(options);
      if (options.delete !== undefined && options.deleteNew === true) throw new UsageError('use --delete KEY or --delete-new, not both');
      const core = context.core();
      const scope = { ...(options.key === undefined ? {} : { keys: options.key }), delete: options.deleteNew === true ? ('all-new' as const) : (options.delete ?? []) };
      const preview = await core.snapshots.preview(options.project, options.env, target, scope);
      const previewOutput = { json: preview, text: restorePreviewText(preview), exitCode: 0 as const };
      if (options.dryRun === true) {
        printOutput(context, command, previewOutput);
        return;
      }
      let confirmation: Confirmation | undefined;
      if (options.yes === true) confirmation = { assumeYes: true };
      else {
        if (context.io.stdin.isTTY === true) context.io.stderr.write(`${previewOutput.text}\n`);
        confirmation = await askConfirmation(context, false, [{ name: options.env, protected: preview.protected }], `Restore ${options.project}/${options.env} to ${describeTarget(preview.target)}`);
        if (confirmation === undefined) {
          printOutput(context, command, previewOutput);
          throw new UsageError(`nothing was restored; run again with --yes to restore ${options.project}/${options.env}`);
        }
      }
      const result = await interruptible((signal) => core.snapshots.restore(options.project, options.env, target, { ...scope, confirmation, signal }));
      printOutput(context, command, { json: result, text: restoreResultText(result), exitCode: restoreExit([result]) });
    });

  subcommand(program, 'incident')
    .command('undo <report-id>')
    .description("put back the values from before an incident, for the secrets it rotated that were stored only (never a credential changed at its service)")
    .option('--dry-run', 'show what would change, write nothing')
    .option('--yes', 'undo without being asked (protected environments too)')
    .option('--json', 'machine-readable output')
    .action(async (reportId: string, options: { dryRun?: boolean; yes?: boolean }, command: Command) => {
      const core = context.core();
      const preview = await core.snapshots.previewIncidentUndo(reportId);
      const previewOutput = { json: preview, text: incidentUndoPreviewText(preview), exitCode: 0 as const };
      if (options.dryRun === true || preview.environments.length === 0) {
        printOutput(context, command, previewOutput);
        return;
      }
      let confirmation: Confirmation | undefined;
      if (options.yes === true) confirmation = { assumeYes: true };
      else {
        if (context.io.stdin.isTTY === true) context.io.stderr.write(`${previewOutput.text}\n`);
        confirmation = await askConfirmation(
          context,
          false,
          preview.environments.map((environment) => ({ name: environment.environment, protected: environment.protected })),
          `Undo incident ${reportId}`,
        );
        if (confirmation === undefined) {
          printOutput(context, command, previewOutput);
          throw new UsageError(`nothing was undone; run again with --yes to undo incident ${reportId}`);
        }
      }
      const result = await interruptible((signal) => core.snapshots.undoIncident(reportId, { confirmation, signal }));
      printOutput(context, command, { json: result, text: incidentUndoResultText(result), exitCode: restoreExit(result.environments) });
    });
}
