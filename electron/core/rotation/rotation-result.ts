import type { PublicError } from '../../../shared/errors';
import { isLatchkeyError } from '../errors';
import type { RotationClass } from './rotation-rule';
import { ReadBackMismatch, ThirdValueLeft, type SettledState } from './verified-write';

/**
 * What a rotation or rollback left behind. `state` says which value is current now:
 *   rotated    the new value (verified by reading it back)
 *   unchanged  the value from before (nothing was changed, or the change did not take)
 *   restored   the value from before, put back after a damaged write
 *   superseded a newer version someone else wrote meanwhile; Latchkey left it current
 *   unknown    Latchkey cannot tell which value is current; the message says how to check
 */
export type RotationState = 'rotated' | 'unchanged' | 'restored' | 'superseded' | 'unknown';

export interface RotationResult {
  ref: string;
  ok: boolean;
  state: RotationState;
  /** The current version after the operation, when the backend has versions. */
  version?: string;
  /** The version that was current before. */
  previousVersion?: string;
  error?: PublicError;
  /** Something the person should know although the operation succeeded (e.g. the audit outcome was not recorded). */
  warning?: string;
  /** The service where the credential was changed (its name, never a credential); absent: the stored copy only. */
  changedAt?: string;
  /**
   * Whether the old credential is retired at the service: true (and refused when tried), false (it still
   * works: the stored copy only, or its retirement failed), or the ISO time its grace period ends.
   */
  oldRetired?: boolean | string;
  /** After retiring it, Latchkey tried the old credential once more: true when the service refused it. */
  oldRefused?: boolean;
  /** The rotation rule that applied (rotations only): why a secret was or was not generated. */
  rule?: { class: RotationClass; reason: string; provider?: string };
}

export function stateOf(settled: SettledState): RotationState {
  return settled === 'changed' ? 'rotated' : settled;
}

/** The reason of a failure as a person-readable sentence fragment; foreign messages are never passed on. */
export function reasonOf(error: unknown): { kind: PublicError['kind']; reason: string } {
  if (isLatchkeyError(error)) return { kind: error.kind, reason: error.message.replace(/\.$/, '') };
  if (error instanceof ReadBackMismatch) return { kind: 'BackendUnavailable', reason: 'the value read back differed from the value written' };
  if (error instanceof ThirdValueLeft) return { kind: 'Conflict', reason: `${reasonOf(error.first).reason}, and another value is current now (another writer's, or a damaged write) — Latchkey did not overwrite it` };
  return { kind: 'Internal', reason: 'an unexpected error occurred (details are in the log)' };
}

export function failureMessage(verb: 'Rotation' | 'Rollback' | 'Restore', ref: string, state: RotationState, error: unknown): PublicError {
  const { kind, reason } = reasonOf(error);
  switch (state) {
    case 'restored':
      return { kind, message: `${verb} of ${ref} failed (${reason}); the previous value was put back and is current.` };
    case 'superseded':
      return { kind, message: `${verb} of ${ref} failed (${reason}); a newer version someone else wrote meanwhile is current and was left as it is.` };
    case 'unknown':
      return {
        kind,
        message:
          `${verb} of ${ref} failed (${reason}), and Latchkey cannot tell which value is current now. ` +
          `Check it with "latchkey secrets history ${ref}" and use "latchkey rollback ${ref}" if the current value is wrong.`,
      };
    default:
      return { kind, message: `${verb} of ${ref} failed: ${reason}. The current value was left in place.` };
  }
}
