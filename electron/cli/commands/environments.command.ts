import type { Command } from 'commander';
import { envDiffCommand, envExportCommand, envImportCommand, importMyceliumCommand } from '../output/environments-output';
import { readDotenvFile } from '../../core/envfiles';
import { askConfirmation, printOutput } from '../output/print-output';
import { UsageError, type CliContext } from '../context';

/**
 * `latchkey env diff|export|import` and `latchkey import mycelium`: environments side by side (by keyed
 * fingerprint — no value is printed), and .env / Mycelium files in and out of an environment.
 */
const collect = (value: string, previous: string[] = []) => [...previous, value];
export function registerEnvironmentTools(program: Command, context: CliContext): void {
  const env = program.command('env').description("compare a project's environments; export and import .env files");

  env
    .command('diff')
    .description('which keys are missing where, and which values differ or match (compared by keyed fingerprint; no value is shown)')
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--env <name>', 'the two environments: --env A --env B', collect)
    .option('--json', 'print {missing_in_a, missing_in_b, different, same}')
    .action(async (options: { project: string; env: string[] }, command: Command) => {
      if (options.env.length !== 2) throw new UsageError('env diff compares two environments: --env A --env B');
      const core = context.core();
      const [a, b] = await Promise.all(options.env.map((name) => core.environments.view(options.project, name)));
      printOutput(context, command, await envDiffCommand({ fingerprinter: core.environments.fingerprinter, logger: core.logger }, a!, b!));
    });

  env
    .command('export')
    .description('write the environment as a .env file that dotenv reads back exactly (created 0600; do not commit it)')
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--env <name>', 'the environment')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--json', 'with --out: print {path, count}')
    .action(async (options: { project: string; env: string; out?: string }, command: Command) => {
      const core = context.core();
      const environment = await core.environments.view(options.project, options.env);
      const output = await envExportCommand({ audit: core.audit, logger: core.logger, outputFiles: core.outputFiles }, environment, options.out === undefined ? {} : { out: options.out });
      // Without --out the .env text is the output, byte for byte.
      if (output.stdout !== undefined) context.io.stdout.exact(output.stdout);
      else printOutput(context, command, output);
    });

  env
    .command('import <file>')
    .description('import a .env file: shows what would be added or changed (by name), then writes it; a new project or environment is created')
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--env <name>', 'the environment')
    .option('--skip <key>', 'leave this key as it is (repeatable)', collect)
    .option('--yes', 'apply without being asked')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: { project: string; env: string; skip?: string[]; yes?: boolean }, command: Command) => {
      const core = context.core();
      const text = await readDotenvFile(file);
      const deps = { audit: core.audit, logger: core.logger, fingerprinter: core.environments.fingerprinter, snapshots: core.snapshots };
      const planned = await core.environments.importTargets.planned(options.project, options.env);
      // --yes without --skip needs no preview; otherwise the preview says what there is and what --skip leaves.
      const preview = options.yes === true && options.skip === undefined ? undefined : await envImportCommand(deps, planned, text);
      let keys: string[] | undefined;
      if (options.skip !== undefined && preview?.json.applied === false) {
        const { added, changed, unchanged } = preview.json.preview;
        const unknown = options.skip.filter((key) => ![...added, ...changed, ...unchanged].includes(key));
        if (unknown.length > 0) throw new UsageError(`--skip ${unknown.join(', ')}: the file does not set ${unknown.length === 1 ? 'it' : 'them'}`);
        keys = [...added, ...changed].filter((key) => !options.skip!.includes(key));
      }
      let confirmation;
      if (options.yes === true || preview === undefined) confirmation = { assumeYes: true as const };
      else {
        if (preview.json.applied === false && preview.json.preview.added.length + preview.json.preview.changed.length === 0) {
          printOutput(context, command, preview);
          return;
        }
        if (context.io.stdin.isTTY === true) context.io.stderr.write(`${preview.text}\n`);
        confirmation = await askConfirmation(context, false, [planned], `Import into ${options.project}/${options.env}`);
        if (confirmation === undefined) {
          // Not a terminal and no --yes: show what would change, write nothing, and say how to apply.
          printOutput(context, command, preview);
          throw new UsageError(`nothing was imported; run again with --yes to apply this to ${options.project}/${options.env}`);
        }
      }
      const environment = await core.environments.importTargets.forWrite(options.project, options.env, confirmation);
      printOutput(context, command, await envImportCommand(deps, environment, text, { confirmation, ...(keys === undefined ? {} : { keys }) }));
    });

  const importer = program.command('import').description('import secrets kept by other tools');

  importer
    .command('mycelium <file>')
    .description("import a Mycelium secrets file ($XDG_STATE_HOME/mycelium/secrets/<project>.json) as POSTGRES_PASSWORD, REDIS_PASSWORD, TEMPORAL_ADMIN_PASSWORD; a new project or environment is created")
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--env <name>', 'the environment')
    .option('--force', 'import a file that group or others can read (or a symlink) anyway')
    .option('--overwrite', 'replace values that differ in the environment')
    .option('--yes', 'confirm an import into a protected environment')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: { project: string; env: string; force?: boolean; overwrite?: boolean; yes?: boolean }, command: Command) => {
      const core = context.core();
      const planned = await core.environments.importTargets.planned(options.project, options.env);
      const confirmation = planned.protected ? await askConfirmation(context, options.yes, [planned], `Import Mycelium passwords into ${options.project}/${options.env}`) : undefined;
      const environment = await core.environments.importTargets.forWrite(options.project, options.env, confirmation);
      printOutput(
        context,
        command,
        await importMyceliumCommand({ audit: core.audit, logger: core.logger, snapshots: core.snapshots }, environment, file, {
          force: options.force === true,
          overwrite: options.overwrite === true,
          ...(confirmation === undefined ? {} : { confirmation }),
        }),
      );
    });
}
