import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIsoTimestamp, parseIsoTimestamp } from '../../../electron/core/sessions/timestamps';

describe('Python isoformat timestamps', () => {
  it('writes what Python writes for an aware UTC datetime', () => {
    expect(formatIsoTimestamp(Date.UTC(2026, 10, 23, 15, 4, 5, 123) * 1000 + 456)).toBe('2026-11-23T15:04:05.123456+00:00');
    expect(formatIsoTimestamp(Date.UTC(2026, 0, 1) * 1000)).toBe('2026-01-01T00:00:00.000000+00:00');
  });

  it('reads every form Python and common writers produce', () => {
    const base = Date.UTC(2026, 10, 23, 15, 4, 5) * 1000;
    expect(parseIsoTimestamp('2026-11-23T15:04:05.123456+00:00')).toBe(base + 123456);
    expect(parseIsoTimestamp('2026-11-23T15:04:05+00:00')).toBe(base);
    expect(parseIsoTimestamp('2026-11-23T15:04:05.123Z')).toBe(base + 123000);
    expect(parseIsoTimestamp('2026-11-23 15:04:05')).toBe(base);
    expect(parseIsoTimestamp('2026-11-23T17:04:05+02:00')).toBe(base);
    expect(parseIsoTimestamp('2026-11-23T10:34:05-0430')).toBe(base);
    expect(parseIsoTimestamp('2026-11-23T15:04')).toBe(base - 5_000_000);
  });

  it('rejects what is not a timestamp, including impossible dates', () => {
    for (const text of ['', 'tomorrow', '2026-02-31T00:00:00+00:00', '2026-11-23T24:00:00', '2026-11-23T15:04:05.1234567+00:00', '1700000000', '2026-11-23T15:04:05+00:00 ']) {
      expect(parseIsoTimestamp(text)).toBeUndefined();
    }
  });

  it('round-trips any microsecond between 1970 and 2200', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) }), fc.integer({ min: 0, max: 999 }), (ms, micros) => {
        const value = ms * 1000 + micros;
        expect(parseIsoTimestamp(formatIsoTimestamp(value))).toBe(value);
      }),
    );
  });
  it("reads the server's own form (the fast path) exactly as the same time written otherwise", () => {
    const same = (canonical: string) => expect(parseIsoTimestamp(canonical)).toBe(parseIsoTimestamp(canonical.replace('+00:00', 'Z')));
    for (const text of ['2024-02-29T23:59:59.999999+00:00', '2000-02-29T00:00:00.000001+00:00', '2026-02-29T00:00:00.000000+00:00', '2100-02-29T00:00:00.000000+00:00', '2026-04-31T00:00:00.000000+00:00', '2026-13-01T00:00:00.000000+00:00', '2026-00-10T00:00:00.000000+00:00', '2026-01-00T00:00:00.000000+00:00', '2026-01-01T24:00:00.000000+00:00', '2026-01-01T00:60:00.000000+00:00', '2026-01-01T00:00:60.000000+00:00', '2026-01-0aT00:00:00.000000+00:00', '0099-01-01T00:00:00.000000+00:00']) {
      same(text);
    }
    expect(parseIsoTimestamp('2026-02-29T00:00:00.000000+00:00')).toBeUndefined();
    expect(parseIsoTimestamp('2024-02-29T00:00:00.000000+00:00')).toBe(Date.UTC(2024, 1, 29) * 1000);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 999999 }), (year, month, day, hour, micros) => {
        const pad = (n: number, width: number) => String(n).padStart(width, '0');
        same(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:30:15.${pad(micros, 6)}+00:00`);
      }),
    );
  });
});
