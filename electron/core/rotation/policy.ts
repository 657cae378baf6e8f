import { z } from 'zod';
import { generatorKinds } from '../../../shared/rotation';
import { invalidInput } from '../errors';
import type { SecretMetadata } from '../secrets/backend';
import { generateBase64url, generateCustom, generateHex, generatePassword, generateUuid, LIMITS } from './generators';

/**
 * How a secret is rotated: which generator, how long, and how often. Stored with the secret in its
 * backend metadata under one key, `latchkey-rotation`, as a compact string that fits the strictest
 * backend (Google labels: lower-case letters, digits, `-` and `_`, at most 63 characters):
 *
 *   <generator>[-<length>][-p<days>][-sall][-x<alphabet as lower-case hex of its UTF-8 bytes>]
 *
 *   password-32          32-character password, special characters from the safe set
 *   password-40-p30-sall 40 characters, all ASCII punctuation, rotate every 30 days
 *   hex-64-p90           64 hex digits, every 90 days
 *   uuid                 a random UUID
 *   custom-20-x616263    20 characters from "abc"
 *   manual-p180          Latchkey never generates it (e.g. a token issued by another service), but it is
 *                        due for a person to rotate every 180 days
 *
 * A secret without the key rotates as `password-32`, on the environment's (or the default) period.
 */
export const ROTATION_METADATA_KEY = 'latchkey-rotation';
export const DEFAULT_PERIOD_DAYS = 90;
export { generatorKinds, type GeneratorKind } from '../../../shared/rotation';

export const rotationPolicySchema = z
  .object({
    generator: z.enum(generatorKinds),
    length: z.number().int().positive().optional(),
    /** Password special characters: the safe set (default) or all ASCII punctuation. */
    special: z.enum(['safe', 'all']).optional(),
    /** custom only: the characters to draw from, each once. */
    alphabet: z.string().min(2).max(256).optional(),
    periodDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict()
  .superRefine((policy, context) => {
    const issue = (message: string) => context.addIssue({ code: 'custom', message });
    const limits = policy.generator in LIMITS ? LIMITS[policy.generator as keyof typeof LIMITS] : undefined;
    if (policy.length !== undefined) {
      if (limits === undefined) issue(`a ${policy.generator} policy has no length`);
      else if (policy.length < limits.min || policy.length > limits.max) issue(`${policy.generator} length must be ${limits.min} to ${limits.max}`);
    }
    if ((policy.alphabet !== undefined) !== (policy.generator === 'custom')) issue('an alphabet is given exactly for the custom generator');
    if (policy.alphabet !== undefined && new Set(Array.from(policy.alphabet)).size !== Array.from(policy.alphabet).length) {
      issue('the alphabet repeats a character');
    }
    if (policy.alphabet !== undefined && Buffer.from(policy.alphabet, 'utf8').toString('utf8') !== policy.alphabet) {
      issue('the alphabet holds a broken Unicode character (a lone surrogate)');
    }
    if (policy.special !== undefined && policy.generator !== 'password') issue('special applies to passwords only');
  });
export type RotationPolicy = z.infer<typeof rotationPolicySchema>;

export const DEFAULT_POLICY: RotationPolicy = { generator: 'password', length: LIMITS.password.default };

const ENCODED = /^(password|hex|base64url|uuid|custom|manual)(?:-(\d{1,4}))?(?:-p(\d{1,4}))?(?:-(sall))?(?:-x((?:[0-9a-f]{2})+))?$/;

export function encodePolicy(policy: RotationPolicy): string {
  const checked = parsePolicy(policy);
  let text = checked.generator;
  if (checked.length !== undefined) text += `-${checked.length}`;
  if (checked.periodDays !== undefined) text += `-p${checked.periodDays}`;
  if (checked.special === 'all') text += '-sall';
  if (checked.alphabet !== undefined) text += `-x${Buffer.from(checked.alphabet, 'utf8').toString('hex')}`;
  return text;
}

export function decodePolicy(text: string): RotationPolicy {
  const match = ENCODED.exec(text);
  if (match === null) throw invalidPolicy(text);
  const [, generator, length, period, special, alphabetHex] = match;
  const alphabet = alphabetHex === undefined ? undefined : Buffer.from(alphabetHex, 'hex').toString('utf8');
  const candidate = {
    generator,
    ...(length === undefined ? {} : { length: Number(length) }),
    ...(period === undefined ? {} : { periodDays: Number(period) }),
    ...(special === undefined ? {} : { special: 'all' }),
    ...(alphabet === undefined ? {} : { alphabet }),
  };
  const parsed = rotationPolicySchema.safeParse(candidate);
  if (!parsed.success) throw invalidPolicy(text);
  return parsed.data;
}

export function parsePolicy(input: unknown): RotationPolicy {
  const parsed = rotationPolicySchema.safeParse(input);
  if (!parsed.success) {
    throw invalidInput(`That rotation policy is not valid: ${parsed.error.issues.map((issue) => issue.message).join('; ')}.`);
  }
  return parsed.data;
}

/** The policy stored in a secret's metadata, or the default when there is none. */
export function policyFromMetadata(metadata: SecretMetadata | undefined): { policy: RotationPolicy; stored: boolean } {
  const text = metadata?.[ROTATION_METADATA_KEY];
  return text === undefined ? { policy: DEFAULT_POLICY, stored: false } : { policy: decodePolicy(text), stored: true };
}

export function withPolicy(metadata: SecretMetadata | undefined, policy: RotationPolicy): SecretMetadata {
  return { ...metadata, [ROTATION_METADATA_KEY]: encodePolicy(policy) };
}

export function isGenerated(policy: RotationPolicy): boolean {
  return policy.generator !== 'manual';
}

/** A new value under `policy`; InvalidInput for a manual policy (Latchkey cannot make that value). */
export function generateValue(policy: RotationPolicy): string {
  switch (policy.generator) {
    case 'password':
      return generatePassword({ length: policy.length ?? LIMITS.password.default, special: policy.special ?? 'safe' });
    case 'hex':
      return generateHex(policy.length ?? LIMITS.hex.default);
    case 'base64url':
      return generateBase64url(policy.length ?? LIMITS.base64url.default);
    case 'uuid':
      return generateUuid();
    case 'custom':
      return generateCustom(policy.alphabet ?? '', policy.length ?? LIMITS.custom.default);
    case 'manual':
      throw invalidInput('This secret is rotated by hand (policy "manual"): set its new value yourself, or give it a generator policy.');
  }
}

/** Human-readable summary for previews and reports. */
export function describePolicy(policy: RotationPolicy): string {
  const period = policy.periodDays === undefined ? '' : `, every ${policy.periodDays} days`;
  switch (policy.generator) {
    case 'uuid':
      return `UUID${period}`;
    case 'manual':
      return `rotated by hand${period}`;
    case 'custom':
      return `${policy.length ?? LIMITS.custom.default} characters from a custom alphabet${period}`;
    default:
      return `${policy.generator}, ${policy.length ?? LIMITS[policy.generator].default} characters${policy.special === 'all' ? ', all punctuation' : ''}${period}`;
  }
}

function invalidPolicy(text: string) {
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return invalidInput(
    `The stored rotation policy "${shown}" (metadata "${ROTATION_METADATA_KEY}") is not valid. ` +
      'Use <generator>[-<length>][-p<days>][-sall][-x<alphabet hex>], e.g. password-32-p90, or remove it to use the default.',
  );
}
