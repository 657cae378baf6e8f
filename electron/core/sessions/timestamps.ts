/**
 * Timestamps as the HandsFree server (Python) writes them: `datetime.isoformat()` of an aware UTC
 * datetime, e.g. `2026-11-23T15:04:05.123456+00:00` (microseconds are omitted by Python when they are
 * zero). We keep microsecond precision so that a value read and written back is unchanged, and we
 * write the full form, which Python's `datetime.fromisoformat` reads on every supported version.
 */

/** Microseconds since the Unix epoch. Safe as a JS number until the year 2255. */
export type EpochMicros = number;

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parses what Python's isoformat() writes (and the common variants `Z`, `+0000`, a space separator).
 * A time without an offset is taken as UTC: that is what `datetime.utcnow().isoformat()` means.
 * Returns undefined for anything else, including impossible dates.
 */
export function parseIsoTimestamp(text: string): EpochMicros | undefined {
  const canonical = parseCanonical(text);
  if (canonical !== undefined) return canonical;
  const match = ISO.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '', offset = 'Z'] = match as unknown as string[];
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = fields;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(ms);
  // Date.UTC rolls 2026-02-31 over into March; Python rejects it, so do we.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  const micros = Number(frac.padEnd(6, '0'));
  return ms * 1000 + micros - offsetMinutes(offset) * 60_000_000;
}

const CANONICAL_LENGTH = '2026-11-23T15:04:05.123456+00:00'.length;
/** Where the digits of the canonical form are: every other position holds its fixed separator. */
const CANONICAL_SEPARATORS: readonly (readonly [number, number])[] = [
  [4, 0x2d], [7, 0x2d], [10, 0x54], [13, 0x3a], [16, 0x3a], [19, 0x2e], [26, 0x2b], [27, 0x30], [28, 0x30], [29, 0x3a], [30, 0x30], [31, 0x30],
];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The form the server (and formatIsoTimestamp) writes, `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`, read digit
 * by digit without a regular expression or a Date: validate reads two timestamps per call and is the
 * hot path. Anything else (or an impossible date) returns undefined and goes through the general parser.
 */
export function parseCanonical(text: string): EpochMicros | undefined {
  if (text.length !== CANONICAL_LENGTH) return undefined;
  for (const [at, code] of CANONICAL_SEPARATORS) if (text.charCodeAt(at) !== code) return undefined;
  const digits = (from: number, to: number): number => {
    let value = 0;
    for (let i = from; i < to; i += 1) {
      const digit = text.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) return Number.NaN;
      value = value * 10 + digit;
    }
    return value;
  };
  const year = digits(0, 4);
  const month = digits(5, 7);
  const day = digits(8, 10);
  const hour = digits(11, 13);
  const minute = digits(14, 16);
  const second = digits(17, 19);
  const micros = digits(20, 26);
  // NaN fails every comparison below, so a non-digit falls through to the general parser.
  if (!(year >= 100 && month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59 && micros >= 0)) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > DAYS_IN_MONTH[month - 1]! + (month === 2 && leap ? 1 : 0)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second) * 1000 + micros;
}

function offsetMinutes(offset: string): number {
  if (offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

/** `2026-11-23T15:04:05.123456+00:00`: the form Python's isoformat() gives an aware UTC datetime. */
export function formatIsoTimestamp(micros: EpochMicros): string {
  const ms = Math.floor(micros / 1000);
  const sub = micros - ms * 1000;
  const base = new Date(ms).toISOString(); // 2026-11-23T15:04:05.123Z
  return `${base.slice(0, 23)}${String(sub).padStart(3, '0')}+00:00`;
}

export const microsFromDate = (date: Date): EpochMicros => date.getTime() * 1000;
export const msFromMicros = (micros: EpochMicros): number => Math.floor(micros / 1000);
