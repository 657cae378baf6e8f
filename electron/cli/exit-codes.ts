import type { ErrorKind, PublicError } from '../../shared/errors';

/** Exit codes of every command (docs/ARCHITECTURE.md, "Adding a feature end to end"). */
export const EXIT = { ok: 0, failure: 1, usage: 2, notFoundOrInvalid: 3 } as const;

/** What a command that ran to its end exits with; 2 (usage) comes only from a refused invocation. */
export type ExitCode = typeof EXIT.ok | typeof EXIT.failure | typeof EXIT.notFoundOrInvalid;

/** The one mapping from an error's kind to the exit code, for a command that stops on its error. */
export function exitCodeFor(kind: ErrorKind): number {
  switch (kind) {
    case 'NotFound':
    case 'InvalidInput':
      return EXIT.notFoundOrInvalid;
    case 'ConfirmationRequired':
      return EXIT.usage;
    default:
      return EXIT.failure;
  }
}

/**
 * A command that works on many items and reports each one's failure: 0 when nothing failed; 3 when
 * every failure maps to 3 (not found / invalid); 1 otherwise.
 */
export function exitCodeForAll(errors: readonly (PublicError | undefined)[]): ExitCode {
  const failures = errors.filter((error): error is PublicError => error !== undefined);
  if (failures.length === 0) return EXIT.ok;
  return failures.every((error) => exitCodeFor(error.kind) === EXIT.notFoundOrInvalid) ? EXIT.notFoundOrInvalid : EXIT.failure;
}
