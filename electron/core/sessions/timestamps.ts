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
