import type { Command } from 'commander';
import { historyCommand } from '../../core/rotation/commands';
import { printOutput } from '../command-output';
import { table, UsageError, type CliContext } from '../context';
import { readValue } from '../io';

const onConnection = (options: { connection?: string }) => (options.connection === undefined ? {} : { connection: options.connection });

/** `latchkey secrets set|get|rm|ls|history` — secrets by reference. Values travel only through stdin/stdout. */
export function registerSecrets(program: Command, context: CliContext): void {
  const secrets = program.command('secrets').description('read and write secrets by reference (file://, env://, keychain://, vault://, aws://, gcp://, azure://)');

  secrets
    .command('set <ref>')
    .description('store the value read from standard input')
    .option('--value-stdin', 'read the value from standard input (the only way to pass a value)')
    .option('--keep-newline', 'keep a trailing newline of the input (by default one is dropped)')
    .option('--allow-empty', 'store an empty value (by default empty input is refused, so a missing pipe never blanks a secret)')
    .option('--note <text>', 'a note kept with the secret (file store)')
    .option('--yes', 'confirm a write to a protected environment')
    .option('--connection <name>', 'resolve the reference on this saved connection instead of the seed variables (VAULT_ADDR…)')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, options: { valueStdin?: boolean; keepNewline?: boolean; allowEmpty?: boolean; note?: string; yes?: boolean; connection?: string }, command: Command) => {
      if (options.valueStdin !== true) {
        throw new UsageError('secret values are read from standard input only, never from arguments: printf %s "$VALUE" | latchkey secrets set <ref> --value-stdin');
      }
      const value = await readValue(context.io, options.keepNewline === true);
      if (value === '' && options.allowEmpty !== true) {
        throw new UsageError(
          'standard input was empty, so there is no value to store and nothing was changed: printf %s "$VALUE" | latchkey secrets set <ref> --value-stdin (add --allow-empty to store an empty value on purpose)',
        );
      }
      const written = await context.core().refs.set(ref, value, {
        confirmed: options.yes === true,
        ...onConnection(options),
        ...(options.note === undefined ? {} : { metadata: { note: options.note } }),
      });
      context.print(command, { ref, ...written }, () => `Stored ${ref}${written.version === undefined ? '' : ` (version ${written.version})`}.`);
    });

  secrets
    .command('get <ref>')
    .description('print the value (exactly, with no newline when piped)')
    .option('--version <version>', 'an older version, where the backend keeps them')
    .option('--connection <name>', 'resolve the reference on this saved connection instead of the seed variables (VAULT_ADDR…)')
    .option('--json', 'print {ref, value, version} as JSON')
    .action(async (ref: string, options: { version?: string; connection?: string }, command: Command) => {
      const read = await context.core().refs.get(ref, { ...(options.version === undefined ? {} : { version: options.version }), ...onConnection(options) });
      if (command.optsWithGlobals().json === true) {
        context.io.stdout.write(`${JSON.stringify({ ref, value: read.value, version: read.version ?? null })}\n`);
      } else {
        context.io.stdout.exact(context.io.stdout.isTTY === true ? `${read.value}\n` : read.value);
      }
    });

  secrets
    .command('rm <ref>')
    .description('delete a secret')
    .option('--yes', 'confirm a delete in a protected environment')
    .option('--connection <name>', 'resolve the reference on this saved connection instead of the seed variables (VAULT_ADDR…)')
    .option('--json', 'machine-readable output')
    .action(async (ref: string, options: { yes?: boolean; connection?: string }, command: Command) => {
      await context.core().refs.remove(ref, { confirmed: options.yes === true, ...onConnection(options) });
      context.print(command, { ref, deleted: true }, () => `Deleted ${ref}.`);
    });

  secrets
    .command('ls <ref-prefix>')
    .description('list secrets whose reference starts with the prefix (names and times, never values; a damaged one is marked DAMAGED)')
    .option('--connection <name>', 'resolve the reference on this saved connection instead of the seed variables (VAULT_ADDR…)')
    .option('--json', 'machine-readable output')
    .action(async (prefix: string, options: { connection?: string }, command: Command) => {
      const listed = await context.core().refs.list(prefix, onConnection(options));
      // A damaged secret is listed as such (with what to do), and the rest as usual.
      context.print(command, listed, () =>
        table(listed.map((item) => (item.damaged === undefined ? [item.ref, item.version === undefined ? '' : `v${item.version}`, item.updatedAt ?? ''] : [item.ref, 'DAMAGED', item.damaged]))),
      );
    });

  secrets
    .command('history <ref>')
    .description('versions of a secret with their times and labels (no values)')
    .option('--connection <name>', 'resolve the reference on this saved connection instead of the seed variables (VAULT_ADDR…)')
    .option('--json', 'print {ref, versions: [{version, created_at, state, current, stages?}]}')
    .action(async (ref: string, options: { connection?: string }, command: Command) => {
      printOutput(context, command, await historyCommand(context.core().rotation.refDepsOn(options.connection), ref));
    });
}
