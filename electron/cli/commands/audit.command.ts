import type { Command } from 'commander';
import { auditResetCommand, auditTailCommand, auditVerifyCommand } from '../../core/audit/commands';
import { printOutput } from '../command-output';
import { UsageError, type CliContext } from '../context';

/** `latchkey audit verify|tail|reset` — the hash-chained audit trail (it never holds a value). */
export function registerAudit(program: Command, context: CliContext): void {
  const audit = program.command('audit').description('the tamper-evident audit trail');

  audit
    .command('verify')
    .description('check every line of the audit log; exit 0 when intact, 3 when a line was edited, removed or reordered')
    .option('--json', 'machine-readable output')
    .action(async (_options: unknown, command: Command) => {
      printOutput(context, command, await auditVerifyCommand(context.core().audit));
    });

  audit
    .command('reset')
    .description('keep the current log aside (renamed, never deleted) and start a new one — the way out after tampering or damage')
    .option('--yes', 'confirm (without it nothing changes)')
    .option('--json', 'machine-readable output')
    .action(async (options: { yes?: boolean }, command: Command) => {
      if (options.yes !== true) {
        throw new UsageError('audit reset sets the current audit log aside and starts a new one; run it again with --yes to do so');
      }
      printOutput(context, command, await auditResetCommand(context.core().audit));
    });

  audit
    .command('tail')
    .description('the last entries of the audit log, oldest first')
    .option('-n, --lines <n>', 'how many entries (default 20)')
    .option('--json', 'machine-readable output')
    .action(async (options: { lines?: string }, command: Command) => {
      const count = options.lines === undefined ? 20 : Number(options.lines);
      if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new UsageError('-n takes a whole number from 1 to 100000');
      printOutput(context, command, await auditTailCommand(context.core().audit, count));
    });
}
