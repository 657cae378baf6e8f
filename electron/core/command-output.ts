import type { PublicError } from '../../shared/errors';

/**
 * What a command core returns to the `latchkey` CLI: the JSON it prints with --json, a readable text,
 * and the exit code (0 ok, 3 not found / invalid, 1 other failures). No argv, no exit here.
 */
export type ExitCode = 0 | 1 | 3;

export interface CommandOutput<T> {
  json: T;
  text: string;
  exitCode: ExitCode;
}

/** 0 when nothing failed; 3 when every failure is NotFound/InvalidInput; 1 otherwise. */
export function exitCodeFor(errors: (PublicError | undefined)[]): ExitCode {
  const failures = errors.filter((error): error is PublicError => error !== undefined);
  if (failures.length === 0) return 0;
  return failures.every((error) => error.kind === 'NotFound' || error.kind === 'InvalidInput') ? 3 : 1;
}
