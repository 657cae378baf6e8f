import type { CommandOutput } from './command-output';
import { RESET_ADVICE, type AuditLog, type AuditReset, type AuditEntry, type AuditVerification } from '../../core/audit';

/** `latchkey audit verify` and `latchkey audit tail`, as plain functions returning a CommandOutput. */

/** Exit 0 when intact, 3 when tampered (exit 3: "not found / invalid"). */
export async function auditVerifyCommand(audit: AuditLog): Promise<CommandOutput<AuditVerification>> {
  const result = await audit.verify();
  if (result.intact) {
    return { json: result, text: `Audit log intact: ${result.entries} entries, chain unbroken (${audit.path}).`, exitCode: 0 };
  }
  const shown = result.problems.slice(0, 20).map((problem) => `  line ${problem.line}: ${problem.kind} — ${problem.message}`);
  const more = result.problems.length > 20 ? [`  … and ${result.problems.length - 20} more`] : [];
  return { json: result, text: [`Audit log TAMPERED or damaged (${audit.path}):`, ...shown, ...more, RESET_ADVICE].join('\n'), exitCode: 3 };
}

/** `latchkey audit reset --yes`: the old log kept aside, a new one started (its first entry says so). */
export async function auditResetCommand(audit: AuditLog): Promise<CommandOutput<AuditReset>> {
  const reset = await audit.reset();
  const kept = reset.archived === undefined ? 'There was no log to keep.' : `The previous log is kept as ${reset.archived} (keep it as evidence).`;
  return { json: reset, text: `Started a new audit log at ${audit.path}. ${kept}`, exitCode: 0 };
}

export function formatAuditEntry(entry: AuditEntry): string {
  const where = [entry.project, entry.environment].filter((part) => part !== undefined).join('/');
  const counts = entry.counts === undefined ? '' : ` ${Object.entries(entry.counts).map(([name, count]) => `${name}=${count}`).join(' ')}`;
  const program = entry.command === undefined ? '' : `  ${entry.command}${entry.exit_code === undefined ? '' : ` exit=${entry.exit_code}`}${entry.signal === undefined ? '' : ` ${entry.signal}`}`;
  const names = [...(entry.keys ?? []), ...(entry.refs ?? [])];
  return `${entry.time}  #${entry.seq}  ${entry.user}  ${entry.action} ${entry.outcome}${where === '' ? '' : `  ${where}`}${program}${names.length === 0 ? '' : `  ${names.join(' ')}`}${entry.ref === undefined ? '' : `  ${entry.ref}`}${entry.target_ref === undefined ? '' : ` → ${entry.target_ref}`}${entry.version === undefined ? '' : `  v${entry.version}`}${entry.error_kind === undefined ? '' : `  (${entry.error_kind})`}${counts}`;
}

/** `latchkey audit tail [-n N] [--json]` */
export async function auditTailCommand(audit: AuditLog, count = 20): Promise<CommandOutput<AuditEntry[]>> {
  const entries = await audit.tail(count);
  return { json: entries, text: entries.length === 0 ? 'The audit log is empty.' : entries.map(formatAuditEntry).join('\n'), exitCode: 0 };
}
