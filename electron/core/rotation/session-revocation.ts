import type { SessionRevocationPlan } from '../../../shared/rotation';

/**
 * The optional session part of an incident: which Redis sessions to revoke. The sessions core provides
 * the SessionRevoker; incident mode only calls it and records the count.
 */
export { sessionRevocationPlanSchema, type SessionRevocationPlan } from '../../../shared/rotation';

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
