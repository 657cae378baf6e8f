import { CommanderError, type Command } from 'commander';
import { version } from '../../package.json';
import { isLatchkeyError, toPublicError } from '../core/errors';
import { registerConnections } from './commands/connections.command';
import { registerAudit } from './commands/audit.command';
import { registerEnvironmentTools } from './commands/environments.command';
import { registerProjects } from './commands/projects.command';
import { registerRotation } from './commands/rotation.command';
import { registerRotators } from './commands/rotators.command';
import { registerServices } from './commands/services.command';
import { registerRun } from './commands/run.command';
import { registerSecrets } from './commands/secrets.command';
import { registerSessions } from './commands/sessions.command';
import { registerSnapshots } from './commands/snapshots.command';
import { createContext, defaultCoreFactory, UsageError, type CoreFactory } from './context';
import { EXIT, exitCodeFor } from './exit-codes';
import { listenForInterrupts } from './interrupts';
import { LatchkeyCommand } from './latchkey-command';
import { guardOutput, type CliIo } from './io';
import { oneLine } from './terminal-text';

/**
 * `latchkey` — the command line over the same core as the app. Exit codes: 0 success, 2 bad usage,
 * 3 not found or invalid, 1 anything else. Secret values and tokens come only from standard input.
 * Everything it writes goes through the context's guarded streams (terminal-text.ts); a reader that
 * closes standard output early ends the command quietly (io.ts).
 */
export async function runCli(argv: string[], rawIo: CliIo, makeCore: CoreFactory = defaultCoreFactory): Promise<number> {
  // Listening from the start, so that Ctrl-C is never left to a default (or to signal-exit) mid-command.
  const interrupts = listenForInterrupts({ stderr: guardOutput(rawIo).stderr, exit: (code) => process.exit(code) });
  const context = createContext(rawIo, makeCore, interrupts);
  const { io } = context;
  const program = new LatchkeyCommand('latchkey')
    .description('Per-environment secrets, session revocation and incident rotation, from the command line.')
    .version(version)
    .showSuggestionAfterError()
    // Options before a subcommand belong to the program: `latchkey --version` vs `secrets get --version 3`.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  registerSecrets(program, context);
  registerProjects(program, context);
  registerSessions(program, context);
  registerConnections(program, context);
  registerRotation(program, context);
  registerServices(program, context);
  registerRotators(program, context);
  registerEnvironmentTools(program, context);
  // Adds to `env` and `incident`, registered above.
  registerSnapshots(program, context);
  registerAudit(program, context);
  registerRun(program, context);
  program.commands.forEach(function exitOverrideAll(command: Command) {
    command.exitOverride();
    command.commands.forEach(exitOverrideAll);
  });

  // Words after `--` belong to the program `latchkey run` starts, not to latchkey.
  const json = (argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv).includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error is bad usage, already printed.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`latchkey: ${oneLine(error.message)}\n`);
      return EXIT.usage;
    }
    const publicError = toPublicError(error);
    // Stopped because nobody reads the output any more (`| head`): that is how it should end.
    if (publicError.kind === 'Cancelled' && rawIo.outputClosed?.aborted === true) return context.exitCode;
    if (publicError.kind === 'Internal') reportUnexpected(io, error);
    io.stderr.write(json ? `${JSON.stringify({ error: publicError })}\n` : humanError(error, publicError.message));
    return exitCodeFor(publicError.kind);
  } finally {
    await context.close().catch(() => undefined);
    interrupts.dispose();
  }
}

/** `latchkey: <message>`, one line, then the items it lists (unreadable secrets…) one line each. */
function humanError(error: unknown, message: string): string {
  if (!isLatchkeyError(error) || error.items.length === 0) return `latchkey: ${oneLine(message)}\n`;
  return [`latchkey: ${oneLine(error.summary)}`, ...error.items.map((item) => `  ${oneLine(item)}`)].map((line) => `${line}\n`).join('');
}

/** An unexpected error: its type and stack frames go to stderr (never its message, which may quote input). */
function reportUnexpected(io: Pick<CliIo, 'stderr' | 'env'>, error: unknown): void {
  if (!(error instanceof Error) || io.env.LATCHKEY_DEBUG !== '1') return;
  const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '));
  io.stderr.write(`${error.name}\n${frames.join('\n')}\n`);
}
