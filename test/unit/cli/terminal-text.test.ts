import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeControls, oneLine, oneLineStrings } from '../../../electron/cli/terminal-text';
import { RAW_TERMINAL_CONTROL, TERMINAL_ATTACK, TERMINAL_ATTACKS } from '../../harness/hostile-inputs';

describe('terminal text: what the CLI writes cannot act on the terminal', () => {
  it('escapes escape sequences, C1 controls, carriage returns and bidi overrides, and keeps the layout', () => {
    expect(escapeControls(TERMINAL_ATTACKS.title)).toBe('\\u001b]0;pwned\\u0007');
    expect(escapeControls(TERMINAL_ATTACKS.overwrite)).toBe('ok\\rREVOKED');
    expect(escapeControls(TERMINAL_ATTACKS.c1)).toBe('\\u009b31m');
    expect(escapeControls(TERMINAL_ATTACKS.rtl)).toBe('\\u202eevil');
    expect(escapeControls('a\tb\nc')).toBe('a\tb\nc');
    expect(escapeControls('ünïcödé 👩‍💻 — 名前')).toBe('ünïcödé 👩‍💻 — 名前');
  });

  it('one-line fields escape newlines and tabs too', () => {
    expect(oneLine(TERMINAL_ATTACKS.forgedLine)).toBe('\\nFAKE LINE: revoked 0');
    expect(oneLine('a\tb')).toBe('a\\tb');
    expect(oneLineStrings({ user: 'x\ny', list: ['a\rb'], n: 3, nested: { ['k\n']: 'v' } })).toEqual({ user: 'x\\ny', list: ['a\\rb'], n: 3, nested: { 'k\\n': 'v' } });
  });

  it('any text comes out without a raw control character; escaped JSON still parses to the same value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(oneLine(text)).not.toMatch(RAW_TERMINAL_CONTROL);
        expect(escapeControls(text).replace(/[\n\t]/g, '')).not.toMatch(RAW_TERMINAL_CONTROL);
        const json = JSON.stringify({ text });
        expect(JSON.parse(escapeControls(json))).toEqual({ text });
      }),
      { numRuns: 2_000 },
    );
    expect(JSON.parse(escapeControls(JSON.stringify([TERMINAL_ATTACK])))).toEqual([TERMINAL_ATTACK]);
  });
});
