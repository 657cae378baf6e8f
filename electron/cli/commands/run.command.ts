import type { Command } from 'commander';
import { readBoundedText, readBoundedTextStream } from '../../core/fs';
import { UsageError, type CliContext } from '../context';

/**
 * `latchkey run` and `latchkey inject` — secrets where programs need them, without a file (run) or in
 * a 0600 file made from a template (inject). The work is in core (electron/core/run, electron/core/inject);
 * this file reads the options and connects the program to the real terminal: a program's output is bytes,
 * and its signals are this process's.
 */
const DEFAULT_CONCURRENCY = 16;
const DEFAULT_WATCH_INTERVAL_S = 30;
const DEFAULT_GRACE_S = 10;
/** A template is a config file; this bound stops a wrong file early. */
const MAX_TEMPLATE_BYTES = 4 * 1024 * 1024;

const collect = (value: string, previous: string[]) => [...previous, value];

function number(option: string, text: string | undefined, fallback: number, range: { min: number; max: number; integer?: boolean }): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < range.min || value > range.max || (range.integer === true && !Number.isInteger(value))) {
    throw new UsageError(`${option} takes a${range.integer === true ? 'n integer' : ' number'} from ${range.min} to ${range.max}.`);
  }
  return value;
}

interface RunOptions {
  project?: string;
  env?: string;
  only: string[];
  envFile?: string;
  mask?: boolean;
  watch?: boolean;
  watchInterval?: string;
  grace?: string;
  override: boolean;
  concurrency?: string;
}

export function registerRun(program: Command, context: CliContext): void {
  program
    .command('run')
    .description("start a program with an environment's secrets as environment variables (never in its arguments); exits with its exit code")
    .usage('(--project <name> --env <name> | -f, --env-file <file>) [options] -- <command> [args...]')
    .argument('[command...]', 'the program and its arguments, after --')
    .option('--project <name>', 'the project whose environment to use')
    .option('--env <name>', 'the environment (with --project): all its secrets, or those named with --only')
    .option('--only <key>', 'only this secret of the environment (repeat for more)', collect, [])
    // -f as well: Node.js looks at `--env-file` anywhere on its own command line (nodejs/node#54232) and exits
    // when the file is missing, or reads a pipe before Latchkey can; `-f` is Latchkey's alone.
    .option('-f, --env-file <file>', 'a .env file whose values may be references (DB_URL=vault://…); its lines win over the environment')
    .option('--mask', "replace each secret's value (4 characters or more) in the program's output and error by <redacted:NAME>")
    .option('--watch', 'restart the program when one of its secrets changes (a rotation, an edit in the app)')
    .option('--watch-interval <seconds>', `with --watch: how often secrets on remote backends are read again (default ${DEFAULT_WATCH_INTERVAL_S})`)
    .option('--grace <seconds>', `with --watch: how long the program has to stop after SIGTERM before SIGKILL (default ${DEFAULT_GRACE_S})`)
    .option('--no-override', 'keep a variable already in the environment instead of the secret of the same name')
    .option('--concurrency <n>', `secrets read at once (default ${DEFAULT_CONCURRENCY})`)
    .option('--json', 'errors before the program starts as JSON on standard error')
    .passThroughOptions()
    .action(async (words: string[], options: RunOptions) => {
      const [command, ...args] = words;
      if (command === undefined || command === '') {
        throw new UsageError('name the program to run after --: latchkey run --project <name> --env <name> -- <command> [args...]');
      }
      if ((options.project === undefined) !== (options.env === undefined)) throw new UsageError('--project and --env go together.');
      if (options.project === undefined && options.envFile === undefined) {
        throw new UsageError('say where the secrets come from: --project <name> --env <name>, or --env-file <file>.');
      }
      if (options.only.length > 0 && options.project === undefined) throw new UsageError('--only picks secrets of an environment: add --project and --env.');
      if (options.watch !== true && (options.watchInterval !== undefined || options.grace !== undefined)) throw new UsageError('--watch-interval and --grace go with --watch.');
      const concurrency = number('--concurrency', options.concurrency, DEFAULT_CONCURRENCY, { min: 1, max: 64, integer: true });
      const watch =
        options.watch === true
          ? {
              intervalMs: number('--watch-interval', options.watchInterval, DEFAULT_WATCH_INTERVAL_S, { min: 1, max: 86_400 }) * 1000,
              graceMs: number('--grace', options.grace, DEFAULT_GRACE_S, { min: 0, max: 3_600 }) * 1000,
            }
          : undefined;

      context.exitCode = await context.interrupts.handledBy(() =>
        context.core().run.run(
          {
            ...(options.project === undefined ? {} : { project: options.project }),
            ...(options.env === undefined ? {} : { environment: options.env }),
            ...(options.only.length === 0 ? {} : { only: [...new Set(options.only)] }),
            ...(options.envFile === undefined ? {} : { envFile: options.envFile }),
            command,
            args,
            mask: options.mask === true,
            override: options.override,
            ...(watch === undefined ? {} : { watch }),
            concurrency,
          },
          {
            env: context.io.env,
            stdout: process.stdout,
            stderr: process.stderr,
            signals: process,
            notice: (message) => context.io.stderr.write(`latchkey: ${message}\n`),
          },
        ),
      );
    });

  program
    .command('inject')
    .description('write a file from a template, each {{ <reference> }} replaced by its value (created 0600; all or nothing)')
    .requiredOption('-i, --in <template>', 'the template ("-": standard input); {{ file://p/e/KEY }}, {{ vault://… | json }}; filters: raw, json, yaml, shell, base64')
    .option('-o, --out <file>', 'the file to write ("-" or absent: standard output)')
    .option('--concurrency <n>', `references read at once (default ${DEFAULT_CONCURRENCY})`)
    .option('--json', 'print {path, placeholders, references} after writing a file')
    .action(async (options: { in: string; out?: string; concurrency?: string }, command: Command) => {
      const concurrency = number('--concurrency', options.concurrency, DEFAULT_CONCURRENCY, { min: 1, max: 64, integer: true });
      const fromStdin = options.in === '-';
      const template = fromStdin
        ? await readBoundedTextStream(context.io.stdin, { maxBytes: MAX_TEMPLATE_BYTES, what: 'a template' })
        : await readBoundedText(options.in, { maxBytes: MAX_TEMPLATE_BYTES, what: 'a template' });
      const output = options.out === undefined || options.out === '-' ? undefined : options.out;
      const result = await context.core().run.inject({
        template,
        source: fromStdin ? 'standard input' : options.in,
        ...(fromStdin ? {} : { inputPath: options.in }),
        ...(output === undefined ? {} : { output }),
        concurrency,
      });
      if (result.text !== undefined) {
        context.io.stdout.write(result.text);
        return;
      }
      context.print(command, { path: result.path, placeholders: result.placeholders, references: result.references }, () =>
        `Wrote ${result.path} (0600): ${result.placeholders} placeholder${result.placeholders === 1 ? '' : 's'}, ${result.references} reference${result.references === 1 ? '' : 's'}.`,
      );
    });
}
