import type { SecretDescription } from '../secrets/backend';
import type { OriginCheck } from './origin-records';
import { policyFromMetadata, type RotationPolicy } from './policy';
import { classifySecret, type RotationRule } from './rotation-rule';
import { inspectValue } from './value-inspection';

/**
 * The rotation rule of one secret as it stands: its stored policy, what its current value looks like, and
 * whether Latchkey generated that value. Used before a rotation (which refuses unless the class is
 * generate) and by every listing of what would be rotated (incident preview, schedule, policy dialog).
 * Throws InvalidInput when the stored policy is not valid.
 */
export interface SecretRuleInput {
  ref: string;
  description: SecretDescription;
  /** The current value; read in main, never passed on. */
  value: string;
  /** A policy chosen for this rotation. */
  chosenPolicy?: RotationPolicy;
  /** Origin records, read once per listing; without them only policies count. */
  origins?: OriginCheck;
  /** The rotator attached to this secret (the rotators module looks it up). */
  rotator?: { service: string };
}

export async function ruleForSecret(input: SecretRuleInput): Promise<RotationRule> {
  const stored = policyFromMetadata(input.description.metadata);
  return classifySecret({
    ...(stored.stored ? { storedPolicy: stored.policy } : {}),
    ...(input.chosenPolicy === undefined ? {} : { chosenPolicy: input.chosenPolicy }),
    value: inspectValue(input.value),
    generatedByLatchkey: (await input.origins?.generated(input.ref, input.description.metadata, input.value)) ?? false,
    ...(input.rotator === undefined ? {} : { rotator: input.rotator }),
  });
}
