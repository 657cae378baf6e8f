import { parse } from 'dotenv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseDotenv } from '../../../electron/core/envfiles/dotenv-lines';
import { decodeDotenv } from '../../../electron/core/envfiles/read-dotenv-file';

// Issue 15, item 15: a .env import changed values silently — invalid UTF-8 became U+FFFD, a name set
// twice kept the last without a word, lines dotenv cannot read were dropped. The analysis reports them
// by line number, and agrees with dotenv's own parse on what is read.

describe('what dotenv makes of a .env file, line by line', () => {
  it('reports names set twice (the last is read) and every line that is not an assignment, never quoting it', () => {
    const text = ['# a comment', 'A=1', 'not an assignment with secret-ish text', '', 'B="two', 'lines"', 'A=3', '   ', 'export C=4', 'D', 'E: 5'].join('\n');
    const analysis = analyseDotenv(text);
    expect(analysis.values).toEqual(parse(text));
    expect(analysis.values.A).toBe('3');
    expect(analysis.duplicates).toEqual([{ key: 'A', lines: [2, 7] }]);
    expect(analysis.ignored.map((item) => item.line)).toEqual([3, 10]);
    expect(JSON.stringify(analysis.ignored)).not.toContain('secret-ish');
  });

  it('reads CRLF files as dotenv does', () => {
    const analysis = analyseDotenv('A=1\r\nbroken\r\nA=2\r\n');
    expect(analysis).toMatchObject({ values: { A: '2' }, duplicates: [{ key: 'A', lines: [1, 3] }], ignored: [{ line: 2 }] });
  });

  it('agrees with dotenv on which names are read, for generated files of hostile lines', () => {
    const lineOf = fc.oneof(
      fc.tuple(fc.constantFrom('A', 'B', 'c.d', 'E-F', 'export G'), fc.constantFrom('=', ' = ', ': ', '='), fc.string({ maxLength: 12 })).map(([key, eq, value]) => `${key}${eq}${value}`),
      fc.constantFrom('', '# comment', 'garbage', "Q='multi", "line'", 'R="x\\ny"', '=novalue', '  indented=1', 'S=`tick`'),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.array(lineOf, { maxLength: 12 }), (lines) => {
        const text = lines.join('\n');
        const analysis = analyseDotenv(text);
        expect(analysis.values).toEqual(parse(text));
        // Every name dotenv read was seen at an assignment, and a duplicate's lines are in order.
        for (const item of analysis.duplicates) expect([...item.lines].sort((a, b) => a - b)).toEqual(item.lines);
        for (const item of analysis.ignored) expect(text.replace(/\r\n?/g, '\n').split('\n')[item.line - 1]?.trim()).not.toBe('');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('.env files must be UTF-8', () => {
  it('refuses another encoding and names the line; accepts UTF-8 with or without a BOM', () => {
    const latin1 = Buffer.concat([Buffer.from('A=ok\nB=caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    expect(() => decodeDotenv(latin1, 'shop.env')).toThrow(expect.objectContaining({ kind: 'InvalidInput', message: expect.stringContaining('line 2') }));
    expect(decodeDotenv(Buffer.from('A=café\n'), 'shop.env')).toBe('A=café\n');
    expect(decodeDotenv(Buffer.from('\ufeffA=1\n'), 'shop.env')).toBe('A=1\n');
  });
});
