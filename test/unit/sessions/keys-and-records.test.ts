import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIndexMember, indexMember } from '../../../electron/core/sessions/indexes';
import { SessionKeys } from '../../../electron/core/sessions/keys';
import { checkSessionFields, parseSessionFields, parseSessionHash, sessionHashFields } from '../../../electron/core/sessions/record';
import { generateToken, isSessionId, sessionIdOf } from '../../../electron/core/sessions/tokens';

const ID = 'a'.repeat(64);

describe('session key layout', () => {
  it('names sessions as the server does and keeps Latchkey’s keys outside the prefix', () => {
    const keys = new SessionKeys();
    expect(keys.session(ID)).toBe(`session:${ID}`);
    expect(keys.idOf(`session:${ID}`)).toBe(ID);
    expect(keys.idOf('session:short')).toBeUndefined();
    expect(keys.idOf(`other:${ID}`)).toBeUndefined();
    for (const own of [keys.userIndex('u'), keys.deviceIndex('d'), keys.failedValidations(Date.UTC(2026, 10, 23, 15))]) expect(own.startsWith('session:')).toBe(false);
    expect(keys.failedValidations(Date.UTC(2026, 10, 23, 15))).toBe('latchkey:session:failed:2026-11-23T15');
    // A user called "x" and a device called "x" get different keys.
    expect(keys.userIndex('x')).not.toBe(keys.deviceIndex('x'));
  });

  it('escapes glob characters of the prefix in the SCAN pattern', () => {
    expect(new SessionKeys('sess[1]*?\\:').scanPattern()).toBe('sess\\[1\\]\\*\\?\\\\:*');
  });

  it('refuses prefixes that would match its own keys or are not plain text', () => {
    for (const prefix of ['', 'l', 'latch', 'latchkey:', 'has space', 'x'.repeat(65)]) {
      expect(() => new SessionKeys(prefix)).toThrow(expect.objectContaining({ kind: 'InvalidInput' }));
    }
    expect(new SessionKeys('hf:session:').prefix).toBe('hf:session:');
  });
});

describe('tokens', () => {
  it('are 43 URL-safe characters whose id is the hex SHA-256', () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(isSessionId(sessionIdOf(token))).toBe(true);
    // Known answer: sha256("abc").
    expect(sessionIdOf('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('index members', () => {
  it('carry the session id and the other owner, whatever characters the owner has', () => {
    expect(parseIndexMember(indexMember(ID, 'dev:with:colons'))).toEqual({ id: ID, other: 'dev:with:colons' });
    expect(parseIndexMember('too-short')).toBeUndefined();
    expect(parseIndexMember(`${ID}-x`)).toBeUndefined();
  });
});

describe('session records', () => {
  it('the one-pass read (validate) answers exactly as the full checks, whatever the five fields hold', () => {
    const id = 'a'.repeat(64);
    const canonical = (days: number) =>
      fc
        .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: days }), fc.integer({ min: 0, max: 999999 }))
        .map(([y, m, d, us]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T12:30:15.${String(us).padStart(6, '0')}+00:00`);
    const valid = canonical(28).filter((text) => !/-(00|13)-|-00T/.test(text));
    // Mostly records as the server writes them (where the one-pass read answers), with every kind of fault mixed in.
    const time = fc.oneof(
      { arbitrary: valid, weight: 8 },
      { arbitrary: canonical(32), weight: 1 },
      { arbitrary: valid.map((text) => text.replace('+00:00', 'Z')), weight: 1 },
      { arbitrary: valid.map((text) => text.slice(0, 19)), weight: 1 },
      { arbitrary: fc.string({ maxLength: 70 }), weight: 1 },
    );
    const ident = fc.oneof({ arbitrary: fc.string({ minLength: 1, maxLength: 6 }), weight: 6 }, fc.constant(''), fc.string({ minLength: 510, maxLength: 514 }));
    const metadata = fc.oneof(
      { arbitrary: fc.constant('{"os":"android"}'), weight: 4 },
      fc.constant(''),
      fc.constant('[1]'),
      fc.constant('null'),
      fc.json(),
      fc.string({ maxLength: 8 }),
      fc.constant(`{"x":"${'y'.repeat(65_530)}"}`),
      fc.constant(`{"x":"${'y'.repeat(65_540)}"}`),
    );
    const field = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 8 });
    fc.assert(
      fc.property(field(ident), field(ident), field(time), field(time), field(metadata), (userId, deviceId, created, expires, meta) => {
        expect(parseSessionFields(id, userId, deviceId, created, expires, meta)).toEqual(
          checkSessionFields(id, { user_id: userId, device_id: deviceId, created_at: created, expires_at: expires, metadata: meta }),
        );
      }),
      { numRuns: 2_000 },
    );
  });

  const hash = { user_id: 'u', device_id: 'd', created_at: '2026-11-23T15:04:05.123456+00:00', expires_at: '2026-11-24T15:04:05+00:00', metadata: '{"os": "iOS"}' };

  it('parses the seed schema and writes it back in the server’s field order', () => {
    const parsed = parseSessionHash(ID, hash);
    expect(parsed).toMatchObject({ ok: true, record: { userId: 'u', deviceId: 'd', expiresAt: '2026-11-24T15:04:05.000000+00:00', metadata: { os: 'iOS' } } });
    if (!parsed.ok) return;
    expect(sessionHashFields(parsed.record)).toEqual([
      'user_id', 'u', 'device_id', 'd', 'created_at', '2026-11-23T15:04:05.123456+00:00', 'expires_at', '2026-11-24T15:04:05.000000+00:00', 'metadata', '{"os":"iOS"}',
    ]);
  });

  it('accepts a record without metadata and ignores extra fields', () => {
    const { metadata: _m, ...rest } = hash;
    expect(parseSessionHash(ID, { ...rest, extra: 'x' })).toMatchObject({ ok: true, record: { metadata: {} } });
  });

  it('reports every problem by field, without values', () => {
    const parsed = parseSessionHash(ID, { user_id: 'VALUE-CANARY', created_at: 'VALUE-CANARY', expires_at: '2026-11-24T15:04:05+00:00', metadata: 'null' });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem).toContain('device_id is missing');
    expect(parsed.problem).toContain('created_at is not an ISO 8601 timestamp');
    expect(parsed.problem).toContain('metadata is not a JSON object');
    expect(parsed.problem).not.toContain('VALUE-CANARY');
  });
});
