import { z } from 'zod';
import { dueStatuses, generatorKinds, rotationClasses } from '../rotation';
import { call } from './entry';
import { confirmed, empty, environmentName, operationId, projectName, secretKey, timestamp, versionId } from './fields';

const where = { project: projectName, environment: environmentName, key: secretKey };
const version = z.string().max(128);

/** How a secret's next value is made and how often it is due. Core checks the limits per generator. */
export const rotationPolicy = z.strictObject({
  generator: z.enum(generatorKinds),
  length: z.number().int().min(1).max(4096).optional(),
  special: z.enum(['safe', 'all']).optional(),
  alphabet: z.string().min(2).max(256).optional(),
  periodDays: z.number().int().min(1).max(3650).optional(),
});

/** What a rotation, rollback or restore left current — a version, never a value. */
const outcome = z.object({
  /**
   * rotate only: false when the rotation rule leaves the secret to a person (or a rotator) and nothing
   * was changed; `rule` says why.
   */
  rotated: z.boolean().optional(),
  version: version.optional(),
  previousVersion: version.optional(),
  /** The version whose value is current again (rollback, restore). */
  restoredFrom: version.optional(),
  /** Something to know although it worked (e.g. the audit outcome could not be written). */
  warning: z.string().max(500).optional(),
});

/** The rotation rule that applies to a secret, and why (never a value; the provider's name at most). */
export const rotationRule = z.object({
  class: z.enum(rotationClasses),
  reason: z.string().max(500),
  provider: z.string().max(100).optional(),
  urlScheme: z.string().max(40).optional(),
});

/**
 * A rotation's outcome, with where it changed the credential: at a service (its name; never a
 * credential) and what became of the old one — retired (and refused when tried once more), or retired at
 * the end of its grace period. Absent changedAt: the stored copy only.
 */
const rotateOutcome = outcome.extend({
  rule: rotationRule.optional(),
  changedAt: z.string().max(200).optional(),
  oldRetired: z.union([z.boolean(), timestamp]).optional(),
  oldRefused: z.boolean().optional(),
});

export const dueItem = z.object({
  environment: environmentName,
  key: secretKey,
  status: z.enum(dueStatuses),
  /** The rotation rule's class; unreadable when the secret could not be read. */
  class: z.enum([...rotationClasses, 'unreadable']).optional(),
  rotatable: z.boolean(),
  reason: z.string().max(500).optional(),
  policy: z.string().max(200).optional(),
  periodDays: z.number().int().optional(),
  lastChangedAt: timestamp.optional(),
  dueAt: timestamp.optional(),
  daysLeft: z.number().int().optional(),
});

export const dueCount = z.object({ environment: environmentName, overdue: z.number().int().nonnegative(), dueSoon: z.number().int().nonnegative() });

export const rotationContract = {
  /**
   * Generates a new value, writes it as a new version, verifies it. The value never crosses IPC. A
   * secret with a rotator is changed at its service first; with an operationId, each step is reported
   * live as a `rotation.step` event.
   */
  rotate: call(z.strictObject({ ...where, policy: rotationPolicy.optional(), confirmed, operationId: operationId.optional() }), rotateOutcome),
  /** The previous value becomes current again. */
  rollback: call(z.strictObject({ ...where, confirmed }), outcome),
  /** An older version becomes current again (AWS moves its labels; other backends write its value as a new version). */
  restore: call(z.strictObject({ ...where, version: versionId, confirmed }), outcome),
  policy: call(
    z.strictObject(where),
    z.object({
      policy: rotationPolicy,
      /** The stored form; absent when the default applies. */
      text: z.string().max(300).optional(),
      description: z.string().max(300),
      periodDays: z.number().int(),
      environmentPeriodDays: z.number().int().optional(),
      /** False where the backend stores metadata only with a new value (then: save and rotate). */
      canStore: z.boolean(),
      /** The rule that applies now: whether Latchkey generates the next value, and why. */
      rule: rotationRule,
    }),
  ),
  /** null removes the stored policy (the default applies again). */
  setPolicy: call(z.strictObject({ ...where, policy: rotationPolicy.nullable(), confirmed }), empty),
  /** The default period of an environment's secrets; null: the built-in default (90 days). */
  setEnvironmentPeriod: call(z.strictObject({ project: projectName, environment: environmentName, days: z.number().int().min(1).max(3650).nullable(), confirmed }), empty),
  /** Every secret of a project's environments with its due status, and per environment the badge counts. */
  schedule: call(z.strictObject({ project: projectName }), z.object({ items: z.array(dueItem), counts: z.array(dueCount) })),
};

export type RotationPolicy = z.infer<typeof rotationPolicy>;
export type DueItem = z.infer<typeof dueItem>;
export type DueCount = z.infer<typeof dueCount>;
export type RotationRuleView = z.infer<typeof rotationRule>;
