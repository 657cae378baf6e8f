import type { ExitCode } from '../exit-codes';

/**
 * What a command's output module returns to the `latchkey` CLI: the JSON it prints with --json, a
 * readable text, and the exit code (electron/cli/exit-codes.ts). No argv, no exit here.
 */
export interface CommandOutput<T> {
  json: T;
  text: string;
  exitCode: ExitCode;
}
