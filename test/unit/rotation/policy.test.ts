import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  decodePolicy,
  encodePolicy,
  generateValue,
  policyFromMetadata,
  ROTATION_METADATA_KEY,
  rotationPolicySchema,
  withPolicy,
  type RotationPolicy,
} from '../../../electron/core/rotation/policy';
import { computeDue, dueSoonWindowDays, effectivePeriodDays, lastChangedAt } from '../../../electron/core/rotation/schedule';

const policyArbitrary: fc.Arbitrary<RotationPolicy> = fc.oneof(
  fc.record({ generator: fc.constant('password' as const), length: fc.integer({ min: 12, max: 1024 }), special: fc.constantFrom('safe' as const, 'all' as const) }, { requiredKeys: ['generator'] }),
  fc.record({ generator: fc.constantFrom('hex' as const, 'base64url' as const), length: fc.integer({ min: 8, max: 1024 }) }, { requiredKeys: ['generator'] }),
  fc.record({ generator: fc.constantFrom('uuid' as const, 'manual' as const) }),
  fc.record({
    generator: fc.constant('custom' as const),
    length: fc.integer({ min: 4, max: 1024 }),
    alphabet: fc.uniqueArray(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), { minLength: 2, maxLength: 12 }).map((chars) => chars.join('')),
  }),
).chain((policy) => fc.option(fc.integer({ min: 1, max: 3650 }), { nil: undefined }).map((periodDays) => (periodDays === undefined ? policy : { ...policy, periodDays })));

describe('rotation policy', () => {
  it('round-trips every valid policy through its metadata string', () => {
    fc.assert(
      fc.property(policyArbitrary, (policy) => {
        const parsed = rotationPolicySchema.safeParse(policy);
        fc.pre(parsed.success);
        const text = encodePolicy(policy);
        expect(text).toMatch(/^[a-z0-9_-]+$/);
        const back = decodePolicy(text);
        expect(back).toEqual(Object.fromEntries(Object.entries(policy).filter(([key, value]) => !(key === 'special' && value === 'safe'))));
      }),
    );
  });

  it('fits a Google label (lower-case, at most 63 characters) for every built-in generator', () => {
    for (const policy of [DEFAULT_POLICY, { generator: 'password', length: 1024, periodDays: 3650, special: 'all' }, { generator: 'base64url', length: 1024, periodDays: 3650 }] as RotationPolicy[]) {
      expect(encodePolicy(policy)).toMatch(/^[a-z0-9_-]{1,63}$/);
    }
    expect(encodePolicy({ generator: 'hex', length: 64, periodDays: 90 })).toBe('hex-64-p90');
    expect(encodePolicy({ generator: 'custom', length: 20, alphabet: 'abc' })).toBe('custom-20-x616263');
  });

  it('uses the default for a secret without the metadata key and reads a stored one', () => {
    expect(policyFromMetadata(undefined)).toEqual({ policy: DEFAULT_POLICY, stored: false });
    expect(policyFromMetadata({ other: 'x' })).toEqual({ policy: DEFAULT_POLICY, stored: false });
    const metadata = withPolicy({ owner: 'team-a' }, { generator: 'uuid', periodDays: 30 });
    expect(metadata).toEqual({ owner: 'team-a', [ROTATION_METADATA_KEY]: 'uuid-p30' });
    expect(policyFromMetadata(metadata)).toEqual({ policy: { generator: 'uuid', periodDays: 30 }, stored: true });
  });

  it('refuses malformed stored policies with a message that shows the grammar', () => {
    expect(() => encodePolicy({ generator: 'custom', length: 8, alphabet: 'a\ud800' })).toThrow(/lone surrogate/);
    for (const text of ['password-8', 'uuid-32', 'hex-64-p0', 'custom-10', 'password-32-x6161', 'rot13', 'hex-64-p90-extra', 'custom-10-x6161']) {
      expect(() => decodePolicy(text), text).toThrow(expect.objectContaining({ kind: 'InvalidInput', message: expect.stringContaining('<generator>') }));
    }
  });

  it('generates values that follow the policy, and refuses to invent a manual secret', () => {
    expect(generateValue({ generator: 'hex', length: 10 })).toMatch(/^[0-9a-f]{10}$/);
    expect(generateValue({ generator: 'custom', length: 6, alphabet: 'xy' })).toMatch(/^[xy]{6}$/);
    expect(generateValue(DEFAULT_POLICY)).toHaveLength(32);
    expect(() => generateValue({ generator: 'manual' })).toThrow(expect.objectContaining({ kind: 'InvalidInput' }));
  });
});

describe('rotation schedule', () => {
  const day = 24 * 60 * 60 * 1000;
  const now = new Date('2025-06-01T00:00:00Z');

  it('takes the secret’s period over the environment default over 90 days', () => {
    expect(effectivePeriodDays({ generator: 'uuid', periodDays: 7 }, 30)).toBe(7);
    expect(effectivePeriodDays({ generator: 'uuid' }, 30)).toBe(30);
    expect(effectivePeriodDays(undefined, undefined)).toBe(90);
  });

  it('is ok, due soon, then overdue as the current value ages', () => {
    const at = (ageDays: number) => computeDue({ lastChangedAt: new Date(now.getTime() - ageDays * day), periodDays: 90, now });
    expect(dueSoonWindowDays(90)).toBe(14);
    expect(at(10)).toMatchObject({ status: 'ok', daysLeft: 80 });
    expect(at(76).status).toBe('due-soon');
    expect(at(90).status).toBe('overdue');
    expect(at(120)).toMatchObject({ status: 'overdue', daysLeft: -30 });
    expect(computeDue({ lastChangedAt: undefined, periodDays: 90, now }).status).toBe('unknown');
  });

  it('dates a secret by its current version, then by its update time', () => {
    const described = {
      path: 'p',
      updatedAt: '2025-05-01T00:00:00Z',
      versions: [
        { version: '1', createdAt: '2025-01-01T00:00:00Z', state: 'enabled' as const, current: false },
        { version: '2', createdAt: '2025-03-01T00:00:00Z', state: 'enabled' as const, current: true },
      ],
    };
    expect(lastChangedAt(described)?.toISOString()).toBe('2025-03-01T00:00:00.000Z');
    expect(lastChangedAt({ path: 'p', updatedAt: '2025-05-01T00:00:00Z' })?.toISOString()).toBe('2025-05-01T00:00:00.000Z');
    expect(lastChangedAt({ path: 'p' })).toBeUndefined();
  });
});

describe('escrow path', () => {
  it('fits the local file store form <project>/<environment>/<KEY> and does not repeat the reference', async () => {
    const { defaultEscrowPath } = await import('../../../electron/core/rotation/escrow');
    const { ENVIRONMENT_NAME, PROJECT_NAME, SECRET_KEY } = await import('../../../shared/names');
    const path = defaultEscrowPath('keychain://svc/DB_PASSWORD');
    const [project, environment, key, ...rest] = path.split('/');
    expect(rest).toEqual([]);
    expect(project).toMatch(PROJECT_NAME);
    expect(environment).toMatch(ENVIRONMENT_NAME);
    expect(key).toMatch(SECRET_KEY);
    expect(path).not.toContain('DB_PASSWORD');
    expect(defaultEscrowPath('keychain://svc/OTHER')).not.toBe(path);
  });
});
