import { z } from 'zod';

/** Rotation vocabulary shared by the core and the IPC contract. */
export const generatorKinds = ['password', 'hex', 'base64url', 'uuid', 'custom', 'manual'] as const;
export type GeneratorKind = (typeof generatorKinds)[number];

/** Length limits and defaults of the generators that take a length. */
export const GENERATOR_LIMITS = {
  password: { min: 12, max: 1024, default: 32 },
  hex: { min: 8, max: 1024, default: 64 },
  base64url: { min: 8, max: 1024, default: 43 },
  custom: { min: 4, max: 1024, default: 32 },
} as const;

/**
 * The rotation rule's classes: Latchkey generates the next value; a rotator changes it at a service; or a
 * person rotates it where it was issued (Latchkey never overwrites it).
 */
export const rotationClasses = ['generate', 'service', 'by-hand'] as const;
export type RotationClass = (typeof rotationClasses)[number];

/**
 * The live steps of a rotation at a service, as core reports them and the app shows them: the new value
 * was created (staged), set at the service, tested there, stored (current); then the old credential was
 * retired and refused when tried once more, or it stays valid until its grace period ends
 * (retire-scheduled); undone: a step failed and the change at the service was taken back.
 */
export const serviceRotationSteps = ['created', 'set', 'tested', 'stored', 'retired', 'old-refused', 'retire-scheduled', 'undone'] as const;
export type ServiceRotationStepName = (typeof serviceRotationSteps)[number];

/** Where a secret stands in its rotation schedule (`unreadable`: its metadata could not be read). */
export const dueStatuses = ['overdue', 'due-soon', 'ok', 'unknown', 'unreadable'] as const;

/** Session owners and devices are identifiers chosen by the API server, never tokens. */
const identifier = z.string().regex(/^[A-Za-z0-9_.:@/-]{1,200}$/, 'not a valid user or device id');

/** Which Redis sessions an incident revokes. */
export const sessionRevocationPlanSchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('all') }).strict(),
  z.object({ scope: z.literal('user'), user_id: identifier }).strict(),
  z.object({ scope: z.literal('device'), device_id: identifier }).strict(),
]);
export type SessionRevocationPlan = z.infer<typeof sessionRevocationPlanSchema>;
