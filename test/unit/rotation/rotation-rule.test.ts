import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../electron/core/rotation/policy';
import { classifySecret, type RuleInput } from '../../../electron/core/rotation/rotation-rule';
import { inspectValue } from '../../../electron/core/rotation/value-inspection';

// The rule of what rotation may touch: generation only for values Latchkey may make; URLs never replaced
// whole; provider keys named; and what leaves the inspection is never a part of the value.

describe('inspectValue', () => {
  it('recognises providers by prefix and names only the provider', () => {
    const cases: [string, string][] = [
      ['sk_live_51Habcdefghijklmnop', 'Stripe (live secret key)'],
      ['sk_test_51Habcdefghijklmnop', 'Stripe (test secret key)'],
      ['rk_live_51Habcdefghijklmnop', 'Stripe (live restricted key)'],
      ['ghp_0123456789abcdefghijABCDEFGHIJ012345', 'GitHub (personal access token)'],
      ['github_pat_11ABCDEFG0123456789_abcdefghij', 'GitHub (fine-grained token)'],
      ['glpat-abcdefghij0123456789', 'GitLab (personal access token)'],
      ['xoxb-1234567890-abcdefghij', 'Slack (bot token)'],
      ['xoxp-1234567890-abcdefghij', 'Slack (user token)'],
      ['AKIAIOSFODNN7EXAMPLE', 'AWS (access key)'],
      ['ASIAIOSFODNN7EXAMPLE', 'AWS (temporary access key)'],
      ['AIzaSyA-abcdefghijklmnopqrstuvwxyz0123', 'Google (API key)'],
      ['SG.abcdefghijklmnop.qrstuvwxyz0123456789', 'SendGrid (API key)'],
      ['npm_abcdefghijklmnopqrstuvwxyz0123456789', 'npm (access token)'],
    ];
    for (const [value, provider] of cases) {
      const inspection = inspectValue(value);
      expect(inspection, value).toEqual({ provider });
      expect(JSON.stringify(inspection)).not.toContain(value.slice(5));
    }
    // A bare prefix, or one inside a value, is not a provider key.
    expect(inspectValue('sk_live_')).toEqual({});
    expect(inspectValue('xx-sk_live_abcdefghijklmnop')).toEqual({});
  });

  it('finds URLs and whether credentials are inside, without passing any part of them on', () => {
    expect(inspectValue('postgres://shop:Hunter2-secret@db.internal:5432/shop')).toEqual({ url: { scheme: 'postgres', credentials: true } });
    expect(inspectValue('redis://:Hunter2-secret@cache:6379/0')).toEqual({ url: { scheme: 'redis', credentials: true } });
    expect(inspectValue('mysql://app:pw@h/d')).toEqual({ url: { scheme: 'mysql', credentials: true } });
    expect(inspectValue('amqp://app:pw@mq')).toEqual({ url: { scheme: 'amqp', credentials: true } });
    expect(inspectValue('https://user:pw@example.com/x')).toEqual({ url: { scheme: 'https', credentials: true } });
    expect(inspectValue('mongodb+srv://app:pw@cluster0.example.net/db')).toEqual({ url: { scheme: 'mongodb+srv', credentials: true } });
    // Multi-host DSNs that a URL parser refuses are still URLs.
    expect(inspectValue('redis://default:pw@a:6379,b:6379')).toEqual({ url: { scheme: 'redis', credentials: true } });
    // A Sentry DSN carries its key as the user name.
    expect(inspectValue('https://0123456789abcdef@o1.ingest.sentry.io/42')).toEqual({ url: { scheme: 'https', credentials: true } });
    expect(inspectValue('https://hooks.slack.com/services/T0/B0/abc')).toEqual({ url: { scheme: 'https', credentials: false } });
    expect(inspectValue('  postgres://a:b@c/d \n')).toEqual({ url: { scheme: 'postgres', credentials: true } });
    // Not URLs: a password with punctuation, text with spaces, a scheme and nothing else.
    expect(inspectValue('Zq3-_.~+=,abcdefghijklmnopqrstu')).toEqual({});
    expect(inspectValue('see https://x.example/y for the key')).toEqual({});
    expect(inspectValue('postgres://')).toEqual({});
  });
});

describe('classifySecret', () => {
  const plain: RuleInput = { value: {}, generatedByLatchkey: false };

  it('a typed-in or imported value without a policy is rotated by hand; with a provider, at that provider', () => {
    expect(classifySecret(plain)).toMatchObject({ class: 'by-hand', reason: expect.stringContaining('did not make this value') });
    const stripe = classifySecret({ ...plain, value: { provider: 'Stripe (live secret key)' } });
    expect(stripe).toMatchObject({ class: 'by-hand', provider: 'Stripe (live secret key)', reason: expect.stringContaining('rotate it at Stripe') });
    expect(stripe.policy).toBeUndefined();
  });

  it('a value Latchkey generated is generated again, by the default policy', () => {
    expect(classifySecret({ ...plain, generatedByLatchkey: true })).toMatchObject({ class: 'generate', policy: DEFAULT_POLICY, reason: expect.stringContaining('Latchkey generated') });
  });

  it('a policy the person chose is followed (stored or for this rotation); "manual" means by hand', () => {
    expect(classifySecret({ ...plain, storedPolicy: { generator: 'hex', length: 64 } })).toMatchObject({ class: 'generate', policy: { generator: 'hex', length: 64 } });
    expect(classifySecret({ ...plain, storedPolicy: { generator: 'manual', periodDays: 30 }, generatedByLatchkey: true })).toMatchObject({ class: 'by-hand', reason: expect.stringContaining('policy') });
    // Chosen now overrides a stored "manual"; a stored generator still applies to a provider-looking value (the person chose it).
    expect(classifySecret({ ...plain, storedPolicy: { generator: 'manual' }, chosenPolicy: { generator: 'uuid' } })).toMatchObject({ class: 'generate', policy: { generator: 'uuid' } });
    expect(classifySecret({ ...plain, value: { provider: 'GitHub (personal access token)' }, storedPolicy: { generator: 'password' } })).toMatchObject({
      class: 'generate',
      provider: 'GitHub (personal access token)',
    });
    expect(classifySecret({ ...plain, chosenPolicy: { generator: 'manual' } })).toMatchObject({ class: 'by-hand' });
  });

  it('a URL is never replaced whole, whatever the policy or origin', () => {
    for (const input of [
      { ...plain, value: { url: { scheme: 'postgres', credentials: true } } },
      { ...plain, value: { url: { scheme: 'postgres', credentials: true } }, storedPolicy: { generator: 'password' as const } },
      { ...plain, value: { url: { scheme: 'redis', credentials: true } }, chosenPolicy: { generator: 'hex' as const } },
      { ...plain, value: { url: { scheme: 'https', credentials: false } }, generatedByLatchkey: true },
    ]) {
      expect(classifySecret(input), JSON.stringify(input)).toMatchObject({ class: 'by-hand', urlScheme: input.value.url.scheme });
    }
    expect(classifySecret({ ...plain, value: { url: { scheme: 'postgres', credentials: true } } }).reason).toContain('never replaces whole');
  });

  it('a secret with a rotator changes at its service (the rotators module supplies it)', () => {
    expect(classifySecret({ ...plain, value: { url: { scheme: 'postgres', credentials: true } }, rotator: { service: 'pg-prod' } })).toMatchObject({
      class: 'service',
      service: 'pg-prod',
      reason: 'A rotator changes the credential at pg-prod.',
    });
  });
});
