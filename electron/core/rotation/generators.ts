import { randomInt, randomUUID } from 'node:crypto';
import { GENERATOR_LIMITS } from '../../../shared/rotation';
import { invalidInput, LatchkeyError } from '../errors';

/**
 * Secret value generators. Every character comes from crypto.randomInt, which draws from the OS CSPRNG
 * and uses rejection sampling, so each character of an alphabet is exactly equally likely (no modulo bias).
 */
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const DIGITS = '0123456789';
/**
 * Default special characters: safe unescaped in a URL's user-info (postgres://user:PASSWORD@host), in a
 * .env file and in a double-quoted shell string — no quote, `$`, `#`, `@`, `:`, `/`, `%` or backslash.
 */
export const SAFE_SPECIAL = '-_.~+=,';
/** All ASCII punctuation, for systems that accept anything. */
export const ALL_SPECIAL = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
export const HEX = '0123456789abcdef';
export const BASE64URL = `${UPPER}${LOWER}${DIGITS}-_`;

export const LIMITS = GENERATOR_LIMITS;

/** `length` characters, each drawn uniformly from `alphabet` (split by code point). */
export function randomString(alphabet: string | readonly string[], length: number): string {
  const symbols = typeof alphabet === 'string' ? Array.from(alphabet) : alphabet;
  if (symbols.length < 2) throw invalidInput('An alphabet needs at least two different characters.');
  let out = '';
  for (let index = 0; index < length; index += 1) out += symbols[randomInt(symbols.length)];
  return out;
}

export interface PasswordOptions {
  length?: number;
  special?: 'safe' | 'all';
}

export function passwordClasses(special: 'safe' | 'all' = 'safe'): readonly string[] {
  return [LOWER, UPPER, DIGITS, special === 'all' ? ALL_SPECIAL : SAFE_SPECIAL];
}

/**
 * A password with at least one lower-case letter, upper-case letter, digit and special character.
 * Whole candidates are drawn uniformly from the full alphabet and rejected until every class is present,
 * which makes the result uniform over all valid passwords: the required characters sit at random
 * positions and no class is over-represented. At 32 characters about 4% of candidates are rejected.
 */
export function generatePassword(options: PasswordOptions = {}): string {
  const length = options.length ?? LIMITS.password.default;
  checkLength('password', length);
  const classes = passwordClasses(options.special);
  const alphabet = Array.from(classes.join(''));
  for (let attempt = 0; attempt < 10_000; attempt += 1) {
    const candidate = randomString(alphabet, length);
    if (classes.every((members) => Array.from(candidate).some((char) => members.includes(char)))) return candidate;
  }
  // Unreachable in practice: at the minimum length a candidate is valid with probability > 0.3.
  throw new LatchkeyError('Internal', 'Could not generate a password with every character class; try again.');
}

export const generateHex = (length: number = LIMITS.hex.default) => (checkLength('hex', length), randomString(HEX, length));
export const generateBase64url = (length: number = LIMITS.base64url.default) => (checkLength('base64url', length), randomString(BASE64URL, length));
export const generateUuid = (): string => randomUUID();

export function generateCustom(alphabet: string, length: number = LIMITS.custom.default): string {
  checkLength('custom', length);
  const symbols = Array.from(alphabet);
  if (new Set(symbols).size !== symbols.length) throw invalidInput('A custom alphabet must not repeat a character (repeats would make it more likely).');
  return randomString(symbols, length);
}

function checkLength(kind: keyof typeof LIMITS, length: number): void {
  const { min, max } = LIMITS[kind];
  if (!Number.isInteger(length) || length < min || length > max) {
    throw invalidInput(`A ${kind} value must be ${min} to ${max} characters long (got ${length}).`);
  }
}
