import { z } from 'zod';

/** Rotation vocabulary shared by the core and the IPC contract. */
export const generatorKinds = ['password', 'hex', 'base64url', 'uuid', 'custom', 'manual'] as const;
export type GeneratorKind = (typeof generatorKinds)[number];

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
