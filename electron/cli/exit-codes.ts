import type { ErrorKind } from '../../shared/errors';

/** Exit codes of every command (docs/ARCHITECTURE.md, "Adding a feature end to end"). */
export const EXIT = { ok: 0, failure: 1, usage: 2, notFoundOrInvalid: 3 } as const;

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
