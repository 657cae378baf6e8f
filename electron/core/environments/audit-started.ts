import type { AuditSink } from '../audit/audit-log';
import type { AuditEvent } from '../audit/entry';
import { LatchkeyError } from '../errors';

/** Writes the `started` entry of a batch change; a failure stops the batch before anything changes. */
export async function appendStarted(audit: AuditSink, event: Omit<AuditEvent, 'outcome'>): Promise<void> {
  try {
    await audit.append({ ...event, outcome: 'started' });
  } catch (error) {
    throw new LatchkeyError('BackendUnavailable', 'The audit log could not be written, so nothing was changed: Latchkey does not change secrets without a record. Check the state directory and try again.', {
      cause: error,
    });
  }
}
