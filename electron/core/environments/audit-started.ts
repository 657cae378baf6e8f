import type { AuditSink } from '../audit/audit-log';
import type { AuditEvent } from '../audit/entry';
import { isLatchkeyError, LatchkeyError } from '../errors';

/** Writes the `started` entry of a batch change; a failure stops the batch before anything changes. */
export async function appendStarted(audit: AuditSink, event: Omit<AuditEvent, 'outcome'>): Promise<void> {
  try {
    await audit.append({ ...event, outcome: 'started' });
  } catch (error) {
    throw auditUnavailable(error, 'nothing was changed: Latchkey does not change secrets without a record');
  }
}

/**
 * The error for an audit log that cannot be written. A reason Latchkey already explains (a symlinked
 * or loosened state directory, a lock held elsewhere) keeps its kind and its fix; anything else is
 * BackendUnavailable.
 */
export function auditUnavailable(error: unknown, consequence: string): LatchkeyError {
  if (isLatchkeyError(error)) {
    return new LatchkeyError(error.kind, `${error.message} The audit log could not be written, so ${consequence}.`, { cause: error });
  }
  return new LatchkeyError('BackendUnavailable', `The audit log could not be written, so ${consequence}. Check the state directory and try again.`, { cause: error });
}
