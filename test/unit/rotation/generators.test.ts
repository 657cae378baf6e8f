import { describe, expect, it } from 'vitest';
import {
  ALL_SPECIAL,
  BASE64URL,
  DIGITS,
  generateBase64url,
  generateCustom,
  generateHex,
  generatePassword,
  generateUuid,
  LOWER,
  passwordClasses,
  randomString,
  SAFE_SPECIAL,
  UPPER,
} from '../../../electron/core/rotation/generators';

/**
 * Pearson's chi-square statistic of observed counts against equal expected counts. For k categories it
 * has k-1 degrees of freedom, mean k-1 and standard deviation sqrt(2(k-1)); the bounds below sit six
 * standard deviations above the mean, so a fair generator fails them about once in a billion runs while
 * any real bias (modulo bias over a 69-symbol alphabet, a fixed slot for a class) exceeds them many times over.
 */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((sum, count) => sum + count, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}
const bound = (categories: number) => categories - 1 + 6 * Math.sqrt(2 * (categories - 1));

describe('generators', () => {
  it('draws each character of an alphabet equally often over 100,000 draws (chi-square)', () => {
    const alphabet = Array.from(passwordClasses('safe').join(''));
    const counts = new Map(alphabet.map((char) => [char, 0]));
    const text = randomString(alphabet, 100_000);
    for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(alphabet.length);
    expect(chiSquare([...counts.values()])).toBeLessThan(bound(alphabet.length));
  });

  it('the chi-square check does catch the modulo bias it guards against', () => {
    // randomBytes() % 69 would favour the first 256 % 69 = 49 symbols: simulate that skew exactly.
    const counts = Array.from({ length: 69 }, (_, index) => Math.round((100_000 * (index < 49 ? 4 : 3)) / 256));
    expect(chiSquare(counts)).toBeGreaterThan(bound(69));
  });

  it('every password has a lower, upper, digit and special character, and is 32 characters by default', () => {
    for (let index = 0; index < 2_000; index += 1) {
      const password = generatePassword();
      expect(password).toHaveLength(32);
      for (const members of [LOWER, UPPER, DIGITS, SAFE_SPECIAL]) expect([...password].some((char) => members.includes(char))).toBe(true);
      expect([...password].every((char) => (LOWER + UPPER + DIGITS + SAFE_SPECIAL).includes(char))).toBe(true);
    }
    const short = generatePassword({ length: 12, special: 'all' });
    expect(short).toHaveLength(12);
    expect([...short].some((char) => ALL_SPECIAL.includes(char))).toBe(true);
  });

  it('required classes sit at random positions, and characters within a class are uniform (10,000 passwords)', () => {
    const length = 32;
    const digitAtPosition = new Array<number>(length).fill(0);
    const specialAtPosition = new Array<number>(length).fill(0);
    const digitCounts = new Array<number>(10).fill(0);
    const specialCounts = new Array<number>(SAFE_SPECIAL.length).fill(0);
    for (let index = 0; index < 10_000; index += 1) {
      [...generatePassword({ length })].forEach((char, position) => {
        if (DIGITS.includes(char)) {
          digitAtPosition[position] = (digitAtPosition[position] ?? 0) + 1;
          digitCounts[Number(char)] = (digitCounts[Number(char)] ?? 0) + 1;
        }
        const special = SAFE_SPECIAL.indexOf(char);
        if (special >= 0) {
          specialAtPosition[position] = (specialAtPosition[position] ?? 0) + 1;
          specialCounts[special] = (specialCounts[special] ?? 0) + 1;
        }
      });
    }
    expect(chiSquare(digitAtPosition)).toBeLessThan(bound(length));
    expect(chiSquare(specialAtPosition)).toBeLessThan(bound(length));
    expect(chiSquare(digitCounts)).toBeLessThan(bound(10));
    expect(chiSquare(specialCounts)).toBeLessThan(bound(SAFE_SPECIAL.length));
  });

  it('values are unique', () => {
    const draws = 10_000;
    expect(new Set(Array.from({ length: draws }, () => generatePassword())).size).toBe(draws);
    expect(new Set(Array.from({ length: draws }, () => generateHex())).size).toBe(draws);
    expect(new Set(Array.from({ length: draws }, () => generateBase64url())).size).toBe(draws);
    expect(new Set(Array.from({ length: draws }, () => generateUuid())).size).toBe(draws);
  });

  it('hex, base64url, UUID and custom alphabets have the promised shape', () => {
    expect(generateHex()).toMatch(/^[0-9a-f]{64}$/);
    expect(generateHex(9)).toMatch(/^[0-9a-f]{9}$/);
    expect(generateBase64url()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(BASE64URL).toHaveLength(64);
    expect(generateUuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const custom = generateCustom('🔑äb', 50);
    expect(Array.from(custom)).toHaveLength(50);
    expect(Array.from(custom).every((char) => ['🔑', 'ä', 'b'].includes(char))).toBe(true);
  });

  it('refuses lengths out of range and alphabets that would skew the draw', () => {
    expect(() => generatePassword({ length: 11 })).toThrow(expect.objectContaining({ kind: 'InvalidInput' }));
    expect(() => generateHex(2000)).toThrow(expect.objectContaining({ kind: 'InvalidInput' }));
    expect(() => generateCustom('aab', 10)).toThrow(/repeat/);
    expect(() => generateCustom('a', 10)).toThrow(/at least two/);
  });
});
