import type { RotationClass } from '../../../shared/rotation';
import { DEFAULT_POLICY, describePolicy, isGenerated, type RotationPolicy } from './policy';
import type { ValueInspection } from './value-inspection';

/**
 * The rule of what rotation may touch. A secret is rotated by *generation* only when Latchkey knows the
 * value is its own to make: it changes at a service through a rotator, Latchkey generated its current
 * value, or the person chose a generator policy for it. Everything else — typed in, imported, a key a
 * provider issued — is rotated *by hand* at whoever issued it, and Latchkey never overwrites it. A URL
 * (postgres://user:pw@host/db) is never replaced whole by a random value, whatever the policy.
 *
 * Classes:
 *   generate  Latchkey makes the next value with `policy` and stores it as a new version
 *   service   a rotator changes the credential where it is checked (Postgres, Redis ACL, IAM…)
 *   by-hand   a person rotates it where it was issued, then stores the new value; Latchkey lists it
 */
export { rotationClasses, type RotationClass } from '../../../shared/rotation';

export interface RuleInput {
  /** The policy stored with the secret (metadata `latchkey-rotation`); undefined when it has none. */
  storedPolicy?: RotationPolicy;
  /** A policy chosen for this rotation (`rotate --policy`, the policy dialog's "Save and rotate now"). */
  chosenPolicy?: RotationPolicy;
  /** What the current value looks like (inspected in main; see value-inspection.ts). */
  value: ValueInspection;
  /** Latchkey generated the current value (its origin record lists it; see origin-records.ts). */
  generatedByLatchkey: boolean;
  /** The rotator attached to the secret, where it has one: the rotators module fills this in. */
  rotator?: { service: string };
}

export interface RotationRule {
  class: RotationClass;
  /** Why this class applies, as one sentence for people (no value, only what is known about it). */
  reason: string;
  /** generate: the policy the next value is made with. */
  policy?: RotationPolicy;
  /** The service a rotator changes the credential at (class service). */
  service?: string;
  /** Who issued the value, when its prefix says so. */
  provider?: string;
  /** The value is a URL of this scheme. */
  urlScheme?: string;
}

export function classifySecret(input: RuleInput): RotationRule {
  const known = {
    ...(input.value.provider === undefined ? {} : { provider: input.value.provider }),
    ...(input.value.url === undefined ? {} : { urlScheme: input.value.url.scheme }),
  };
  if (input.rotator !== undefined) {
    return { class: 'service', service: input.rotator.service, reason: `A rotator changes the credential at ${input.rotator.service}.`, ...known };
  }
  const url = input.value.url;
  if (url !== undefined) {
    return {
      class: 'by-hand',
      reason: url.credentials
        ? `It is a ${url.scheme}:// URL with credentials inside, which Latchkey never replaces whole: change the password where it is checked, then store the updated URL.`
        : `It is a ${url.scheme}:// URL, which Latchkey never replaces with a random value: change it where it was issued, then store the new one.`,
      ...known,
    };
  }
  const chosen = input.chosenPolicy;
  if (chosen !== undefined && isGenerated(chosen)) return { class: 'generate', policy: chosen, reason: `You chose ${describePolicy(chosen)} for this rotation.`, ...known };
  const stored = chosen ?? input.storedPolicy;
  if (stored !== undefined && !isGenerated(stored)) return { class: 'by-hand', reason: 'Its policy says it is rotated by hand.', ...known };
  if (stored !== undefined) return { class: 'generate', policy: stored, reason: `Its policy makes each new value: ${describePolicy(stored)}.`, ...known };
  if (input.generatedByLatchkey) {
    return { class: 'generate', policy: DEFAULT_POLICY, reason: `Latchkey generated its current value, so it makes the next one too: ${describePolicy(DEFAULT_POLICY)}.`, ...known };
  }
  const provider = input.value.provider;
  return {
    class: 'by-hand',
    reason:
      provider === undefined
        ? 'Latchkey did not make this value (it was typed in or imported) and has no generator policy for it: rotate it where it was issued, then store the new value — or choose a generator in its policy.'
        : `It looks like a ${provider} credential, which Latchkey did not make: rotate it at ${providerName(provider)}, then store the new value.`,
    ...known,
  };
}

/** "Stripe (live secret key)" → "Stripe". */
export function providerName(provider: string): string {
  return provider.replace(/\s*\(.*\)$/, '');
}
