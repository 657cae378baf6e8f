import { describe, expect, it } from 'vitest';
import { withoutOptionValue } from '../../../electron/cli/latchkey-command';

describe('commander errors without option values', () => {
  it('an unknown option keeps its name and commander\'s suggestion, never its value', () => {
    expect(withoutOptionValue("error: unknown option '--valu=a'b\n(Did you mean x?)'\n(Did you mean --value?)", 'commander.unknownOption')).toBe(
      "error: unknown option '--valu'\n(Did you mean --value?)",
    );
    expect(withoutOptionValue("error: unknown option '-pHunter2'", 'commander.unknownOption')).toBe("error: unknown option '-p'");
    expect(withoutOptionValue("error: unknown option '--bogus'", 'commander.unknownOption')).toBe("error: unknown option '--bogus'");
  });

  it('an invalid option value is left out; the reason stays', () => {
    expect(withoutOptionValue("error: option '--hours <hours>' argument 'x' is invalid.' is invalid. Expected a number.", 'commander.invalidArgument')).toBe(
      "error: option '--hours <hours>' argument is invalid. Expected a number.",
    );
    expect(withoutOptionValue("error: option '--hours <hours>' argument '' is invalid. Expected a number.", 'commander.invalidArgument')).toBe(
      "error: option '--hours <hours>' argument is invalid. Expected a number.",
    );
  });

  it('other errors are unchanged', () => {
    expect(withoutOptionValue("error: unknown command 'sekrets'", 'commander.unknownCommand')).toBe("error: unknown command 'sekrets'");
  });
});
