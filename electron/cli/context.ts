import { Command } from 'commander';
import { createCore, type Core } from '../core';
import { createKeytarKeychain } from '../core/keychain';
import { createLogger } from '../core/log';
import { resolvePaths } from '../core/paths';
import type { Interrupts } from './interrupts';
import { guardOutput, type CliIo, type GuardedIo } from './io';
import { oneLine, oneLineStrings } from './terminal-text';

/** What every command gets: its I/O, the core (made on first use), and output helpers. */
export interface CliContext {
  /** Output goes through guardOutput: escaped for a terminal, whatever the command writes. */
  io: GuardedIo;
  core(): Core;
  /** Closes what the command opened (backend connections); runs once, after the command. */
  close(): Promise<void>;
  /**
   * Prints `data` as JSON when --json was given, otherwise the human form, built from `shown`: `data`
   * with every string made one line, so an id or a key name from outside cannot forge a line.
   */
  print<T>(command: Command, data: T, human: (shown: T) => string): void;
  /** `latchkey: warning: …` on stderr, as one line. */
  warn(message: string): void;
  /** The exit code when the command ran but reports a failure (a rotation that failed, a tampered log). */
  exitCode: number;
  /** Ctrl-C: cancels work run through it (an incident) instead of ending the process. */
  interrupts: Pick<Interrupts, 'cancellable' | 'handledBy'>;
}

export type CoreFactory = (io: CliIo) => Core;

export const defaultCoreFactory: CoreFactory = (io) =>
  createCore({
    paths: resolvePaths(io.env),
    keychain: createKeytarKeychain(),
    env: io.env,
    logger: createLogger({ sink: (line) => io.stderr.write(`${line}\n`) }),
  });

export function createContext(rawIo: CliIo, makeCore: CoreFactory, interrupts: Pick<Interrupts, 'cancellable' | 'handledBy'>): CliContext {
  let core: Core | undefined;
  const io = guardOutput(rawIo);
  return {
    io,
    exitCode: 0,
    interrupts,
    core: () => (core ??= makeCore(io)),
    close: async () => {
      await core?.close();
    },
    print(command, data, human) {
      if (command.optsWithGlobals().json === true) io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      else {
        const text = human(oneLineStrings(data));
        if (text !== '') io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      }
    },
    warn(message) {
      io.stderr.write(`latchkey: warning: ${oneLine(message)}\n`);
    },
  };
}

/** A usage error (exit 2) raised from inside an action, like commander's own. */
export class UsageError extends Error {}

/** Columns for human output. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n');
}
