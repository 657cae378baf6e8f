import { z } from 'zod';

/**
 * The optional session part of an incident: which Redis sessions to revoke. The sessions core provides
 * the SessionRevoker; incident mode only calls it and records the count.
 */
const identifier = z.string().regex(/^[A-Za-z0-9_.:@/-]{1,200}$/);

export const sessionRevocationPlanSchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('all') }).strict(),
  z.object({ scope: z.literal('user'), user_id: identifier }).strict(),
  z.object({ scope: z.literal('device'), device_id: identifier }).strict(),
]);
export type SessionRevocationPlan = z.infer<typeof sessionRevocationPlanSchema>;

export interface SessionRevoker {
  /** How many sessions the plan would revoke (for the preview). */
  count(plan: SessionRevocationPlan, signal?: AbortSignal): Promise<number>;
  revoke(plan: SessionRevocationPlan, signal?: AbortSignal): Promise<{ revoked: number }>;
}

export function describeSessionPlan(plan: SessionRevocationPlan): string {
  switch (plan.scope) {
    case 'all':
      return 'all sessions';
    case 'user':
      return `sessions of user ${plan.user_id}`;
    case 'device':
      return `sessions of device ${plan.device_id}`;
  }
}
