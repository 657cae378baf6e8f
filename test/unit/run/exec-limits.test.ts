import { describe, expect, it } from 'vitest';
import { checkProgramFits, execLimitsFor, linuxStackLimit } from '../../../electron/core/run/exec-limits';
import { checkVariableNames } from '../../../electron/core/run/variable-names';
import { buildChildEnvironment } from '../../../electron/core/run/child-environment';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max stack size            8388608              unlimited            bytes
Max core file size        0                    unlimited            bytes
`;

describe('what the OS lets a program start with', () => {
  it('Linux: a quarter of the stack limit (ulimit -s), between 128 KiB and 6 MiB, and 128 KiB per NAME=value', () => {
    expect(linuxStackLimit(() => LIMITS)).toBe(8 * 1024 * 1024);
    expect(linuxStackLimit(() => LIMITS.replace('8388608 ', 'unlimited'))).toBeUndefined();
    expect(execLimitsFor('linux', () => 8 * 1024 * 1024)).toMatchObject({ maxStringBytes: 131_072, maxTotalBytes: 2 * 1024 * 1024 });
    expect(execLimitsFor('linux', () => undefined)).toMatchObject({ maxTotalBytes: 6 * 1024 * 1024 });
    expect(execLimitsFor('linux', () => 64 * 1024)).toMatchObject({ maxTotalBytes: 128 * 1024 });
    expect(execLimitsFor('darwin')).toMatchObject({ maxTotalBytes: 1024 * 1024 });
    expect(execLimitsFor('win32')).toMatchObject({ maxVariableChars: 32_767 });
  });

  const linux = execLimitsFor('linux', () => 8 * 1024 * 1024);
  const launch = (env: Record<string, string>) => ({ command: 'node', args: ['server.js'], env });

  it('a variable just under MAX_ARG_STRLEN fits; one byte more is refused by name, without its value', () => {
    const fits = 'v'.repeat(131_072 - 'BIG='.length - 1);
    expect(() => checkProgramFits(launch({ BIG: fits }), linux)).not.toThrow();
    const tooBig = `${fits}!`;
    const attempt = () => checkProgramFits(launch({ BIG: tooBig }), linux);
    expect(attempt).toThrow(expect.objectContaining({ kind: 'InvalidInput', message: expect.stringContaining('BIG (131,073 bytes)') }));
    expect(attempt).toThrow(/MAX_ARG_STRLEN/);
    expect(attempt).not.toThrow(/vvvv/);
  });

  it('10,000 variables of 300 bytes are refused before exec, with the numbers and what to do', () => {
    const env = Object.fromEntries(Array.from({ length: 10_000 }, (_, index) => [`SECRET_${index}`, 'x'.repeat(300)]));
    expect(() => checkProgramFits(launch(env), linux)).toThrow(expect.objectContaining({ kind: 'InvalidInput', message: expect.stringMatching(/would take 3\.\d MiB \(10,000 variables\), more than Linux lets a program start with: 2\.0 MiB \(a quarter of the stack limit, ulimit -s = 8192 KiB\).*--only/) }));
    const small = Object.fromEntries(Array.from({ length: 10_000 }, (_, index) => [`SECRET_${index}`, 'x'.repeat(20)]));
    expect(() => checkProgramFits(launch(small), linux)).not.toThrow();
  });

  it('a NUL in a value is refused by the variable name (a variable cannot carry it)', () => {
    expect(() => checkProgramFits(launch({ OK: 'a', BAD: 'x\0y-canary' }), linux)).toThrow(/The value of BAD holds a NUL character/);
    expect(() => checkProgramFits(launch({ BAD: 'x\0y-canary' }), linux)).not.toThrow(/canary/);
  });
});

describe('the child environment and its names', () => {
  it("is the parent's plus the secrets; a secret wins unless --no-override, which keeps the inherited value and says so", () => {
    const parent = { PATH: '/bin', DB_URL: 'from-shell', UNSET: undefined };
    const variables = [
      { name: 'DB_URL', value: 'from-latchkey', ref: 'file://p/e/DB_URL' },
      { name: 'API_KEY', value: 'k', ref: 'file://p/e/API_KEY' },
    ];
    expect(buildChildEnvironment(parent, variables, { override: true })).toMatchObject({ env: { PATH: '/bin', DB_URL: 'from-latchkey', API_KEY: 'k' }, kept: [] });
    const kept = buildChildEnvironment(parent, variables, { override: false });
    expect(kept.env).toEqual({ PATH: '/bin', DB_URL: 'from-shell', API_KEY: 'k' });
    expect(kept.kept).toEqual(['DB_URL']);
    expect(kept.given.map((variable) => variable.name)).toEqual(['API_KEY']);
    expect('UNSET' in kept.env).toBe(false);
  });

  it('refuses names with "=", NUL, a leading digit, "." or "-", listing each with the rule', () => {
    expect(() => checkVariableNames(['GOOD', '_ALSO_GOOD', 'lower_ok'], 'hint')).not.toThrow();
    const attempt = () => checkVariableNames(['A=B', 'NUL\0X', '9LIVES', 'db.password', 'my-key'], 'Rename it.');
    expect(attempt).toThrow(expect.objectContaining({ kind: 'InvalidInput' }));
    expect(attempt).toThrow('"A=B", "NUL\\0X", "9LIVES", "db.password", "my-key"');
    expect(attempt).toThrow(/letters, digits and "_", not starting with a digit.*Rename it\. Nothing was started\./);
  });
});
