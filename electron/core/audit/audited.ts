import { isLatchkeyError } from '../errors';
import type { Logger } from '../log';
import type { AuditSink } from './audit-log';
import type { AuditEvent } from './entry';
import { appendStarted, auditUnavailable } from '../environments/audit-started';

/**
 * The audit policy of single-secret operations, in one place:
 * - a change writes `started` first (no record, no change), then its outcome;
 * - a read of a value (reveal, copy, CLI get) is recorded before the value is handed out, so a value
 *   never leaves without a record.
 */
type Event = Omit<AuditEvent, 'outcome'>;

/** A reference as the audit schema accepts it: whitespace and control characters percent-encoded, at most 512 characters. */
export function auditRef(ref: string): string {
  const encoded = ref.replace(/[\s\p{Cc}%]/gu, (character) => encodeURIComponent(character));
  return encoded.length <= 512 ? encoded : `${encoded.slice(0, 509)}...`;
}

/** A program as the audit schema records it: the last part of its path, whitespace and control characters percent-encoded, at most 128 characters. */
export function auditCommandName(command: string): string {
  const base = command.split(/[/\\]/).filter((part) => part !== '').pop() ?? '';
  const encoded = base.replace(/[\s\p{Cc}%]/gu, (character) => encodeURIComponent(character));
  if (encoded === '') return '(unnamed)';
  return encoded.length <= 128 ? encoded : `${encoded.slice(0, 125)}...`;
}

const errorKind = (error: unknown) => (isLatchkeyError(error) ? { error_kind: error.kind } : { error_kind: 'Internal' as const });

export async function auditedChange<T extends { version?: string } | void>(audit: AuditSink, logger: Logger, event: Event, change: () => Promise<T>): Promise<T> {
  await appendStarted(audit, event);
  let result: T;
  try {
    result = await change();
  } catch (error) {
    await audit.append({ ...event, outcome: 'failed', ...errorKind(error) }).catch((appendError: unknown) => logger.error('audit: outcome not recorded', { action: event.action, error: appendError }));
    throw error;
  }
  const version = (result as { version?: string } | undefined)?.version;
  await audit
    .append({ ...event, outcome: 'ok', ...(version === undefined ? {} : { version }) })
    .catch((appendError: unknown) => logger.error('audit: outcome not recorded', { action: event.action, error: appendError }));
  return result;
}

export async function auditedRead<T>(audit: AuditSink, event: Event, read: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await read();
  } catch (error) {
    await audit.append({ ...event, outcome: 'failed', ...errorKind(error) }).catch(() => undefined);
    throw error;
  }
  try {
    await audit.append({ ...event, outcome: 'ok' });
  } catch (error) {
    throw auditUnavailable(error, 'the value was not handed out: Latchkey does not reveal secrets without a record');
  }
  return result;
}
