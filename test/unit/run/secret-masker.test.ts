import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMaskingStream, maskableValues, SecretMasker, type MaskedValue } from '../../../electron/core/run/secret-masker';

/** Feeds `chunks` one after another, as a program's writes arrive, and returns all that was released. */
function masked(values: MaskedValue[], chunks: (string | Buffer)[]): { text: string; released: string[] } {
  const masker = new SecretMasker(values);
  // Released pieces may end inside a character: they are decoded together, as a terminal would.
  const released = chunks.map((chunk) => masker.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk));
  const rest = masker.flush();
  return { text: Buffer.concat([...released, rest]).toString('utf8'), released: released.map((part) => part.toString('utf8')) };
}

const bytesOf = (text: string) => [...Buffer.from(text, 'utf8')].map((byte) => Buffer.from([byte]));

describe('SecretMasker: values in a program output become <redacted:NAME>', () => {
  const DB = { name: 'DB_PASSWORD', value: 'hunter2-db' };

  it('replaces a value written in one piece, and leaves everything else byte for byte', () => {
    expect(masked([DB], ['connecting with hunter2-db now\n']).text).toBe('connecting with <redacted:DB_PASSWORD> now\n');
    expect(masked([DB], ['nothing to hide: hunter2-d, hunter2\n']).text).toBe('nothing to hide: hunter2-d, hunter2\n');
  });

  it('finds a value split across two writes, and one written a byte at a time', () => {
    expect(masked([DB], ['pw=hunter', '2-db;']).text).toBe('pw=<redacted:DB_PASSWORD>;');
    expect(masked([DB], bytesOf('>>hunter2-db<<')).text).toBe('>><redacted:DB_PASSWORD><<');
  });

  it('releases at once what cannot start a value, and holds only a tail that could', () => {
    const { released } = masked([DB], ['plain text ', 'then hun', 'ter2-db done']);
    expect(released[0]).toBe('plain text ');
    // "hun" may be the start of the value: held back, never shown in part.
    expect(released[1]).toBe('then ');
    expect(released[2]).toBe('<redacted:DB_PASSWORD> done');
  });

  it('shows a held tail as it was once it turns out not to be a value, and at the end of the stream', () => {
    expect(masked([DB], ['hun', 'gry']).text).toBe('hungry');
    expect(masked([DB], ['ends with hunter2-']).text).toBe('ends with hunter2-');
  });

  it('prefers the longest value at a position, and covers every byte of overlapping values', () => {
    const values = [
      { name: 'SHORT', value: 'abcd' },
      { name: 'LONG', value: 'abcdef' },
    ];
    expect(masked(values, ['x abcdef y abcd z']).text).toBe('x <redacted:LONG> y <redacted:SHORT> z');
    // The longer one is still possible when "abcd" arrives: nothing of it shows until it is decided.
    expect(masked(values, ['x abcd', 'ef y']).text).toBe('x <redacted:LONG> y');
    const overlapping = [
      { name: 'LEFT', value: 'abcd' },
      { name: 'RIGHT', value: 'cdef' },
    ];
    expect(masked(overlapping, ['abcdef']).text).toBe('<redacted:LEFT><redacted:RIGHT>');
    expect(masked(overlapping, bytesOf('xxabcdefxx')).text).toBe('xx<redacted:LEFT><redacted:RIGHT>xx');
  });

  it('is multi-byte UTF-8 safe: a value with accents and emoji, cut inside a character', () => {
    const value = { name: 'UNICODE', value: 'clé-🔑-ünïcødé' };
    const text = `avant ${value.value} après ✓`;
    expect(masked([value], bytesOf(text)).text).toBe('avant <redacted:UNICODE> après ✓');
    // Output with multi-byte characters that are not secrets passes through even when cut mid-character.
    const other = Buffer.from('naïve 🔑 text', 'utf8');
    expect(masked([value], [other.subarray(0, 3), other.subarray(3, 9), other.subarray(9)]).text).toBe('naïve 🔑 text');
  });

  it('masks values of 4 characters or more only, and says which are too short', () => {
    const values = [
      { name: 'PIN', value: '123' },
      { name: 'CODE', value: 'wxyz' },
      { name: 'EMOJI', value: '🔑🔑🔑' },
    ];
    expect(maskableValues(values).tooShort).toEqual(['PIN', 'EMOJI']);
    expect(masked(values, ['123 wxyz 🔑🔑🔑']).text).toBe('123 <redacted:CODE> 🔑🔑🔑');
  });

  it('never lets a value through, however the output is cut (property)', () => {
    const secret = { name: 'TOKEN', value: 'tok-ab-ab-42' };
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '-', 'tok', 'tok-ab', '42', ' ', 'tok-ab-ab-42'), { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 10 }), (pieces, cuts) => {
        const bytes = Buffer.from(pieces.join(''), 'utf8');
        const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((start, index, all) => bytes.subarray(start, all[index + 1] ?? bytes.length));
        const out = masked([secret], chunks).text;
        expect(out).not.toContain(secret.value);
        // Nothing but the value changes: removing the markers and the values gives the same text.
        expect(out.replaceAll('<redacted:TOKEN>', '')).toBe(bytes.toString('utf8').replaceAll(secret.value, ''));
      }),
    );
  });

  it('as a stream: piped output comes out masked and complete', async () => {
    const input = new PassThrough();
    const stream = createMaskingStream([DB]);
    const out: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => out.push(chunk));
    const done = new Promise((resolve) => stream.on('end', resolve));
    input.pipe(stream);
    for (const chunk of ['a hunt', 'er2-d', 'b b hunt']) input.write(chunk);
    input.end();
    await done;
    expect(Buffer.concat(out).toString('utf8')).toBe('a <redacted:DB_PASSWORD> b hunt');
  });
});
