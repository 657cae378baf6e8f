import { expect } from 'vitest';
import type { LeakOperation } from '../leak-operation';

/** The latchkey command: values only through stdin and stdout, never in its arguments, environment or errors. */
export const operations: LeakOperation[] = [
  {
    name: 'CLI set from stdin, get to stdout, get --json, history, ls, rm',
    async run(context) {
      const value = context.canary('cli-value');
      expect(await context.cli(['secrets', 'set', 'file://cli/dev/TOKEN', '--value-stdin', '--note', 'from the CLI'], { input: value })).toMatchObject({ code: 0 });
      expect(await context.cli(['secrets', 'get', 'file://cli/dev/TOKEN'], { stdoutCarriesValue: true })).toMatchObject({ code: 0, stdout: value });
      expect(await context.cli(['secrets', 'get', 'file://cli/dev/TOKEN', '--json'], { stdoutCarriesValue: true })).toMatchObject({ code: 0 });
      expect(await context.cli(['secrets', 'history', 'file://cli/dev/TOKEN', '--json'])).toMatchObject({ code: 0 });
      expect(await context.cli(['secrets', 'ls', 'file://cli/', '--json'])).toMatchObject({ code: 0 });
      expect(await context.cli(['secrets', 'rm', 'file://cli/dev/TOKEN'])).toMatchObject({ code: 0 });
    },
  },
  {
    name: 'CLI refusals: a value in the arguments, a protected environment, an invalid reference',
    async run(context) {
      const value = context.canary('cli-refused');
      // A value typed as an argument is refused; the refusal does not repeat it.
      const typed = await context.cli(['secrets', 'set', 'file://cli/dev/TYPED', value], { input: '', argumentsCarryValue: true });
      expect(typed.code).toBe(2);
      expect(typed.stderr).not.toContain(value);
      expect(await context.cli(['secrets', 'set', 'file://cli/prod/TOKEN', '--value-stdin'], { input: value })).toMatchObject({ code: 2 });
      expect(await context.cli(['secrets', 'set', 'file://cli/dev/../TOKEN', '--value-stdin'], { input: value })).toMatchObject({ code: 3 });
      expect(await context.cli(['secrets', 'set', 'vault://secret/app', '--value-stdin'], { input: value })).toMatchObject({ code: 3 });
    },
  },
];
