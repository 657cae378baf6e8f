import { backendUnavailable } from '../../electron/core/errors';
import type { SessionRevocationPlan, SessionRevoker } from '../../electron/core/rotation/session-revocation';

/**
 * TEST DOUBLE for the sessions core's revoker (built on another branch): counts from a fixed table,
 * records each revocation, and can fail the next call on command.
 */
export class RecordingSessionRevoker implements SessionRevoker {
  readonly revoked: SessionRevocationPlan[] = [];
  failNext = 0;

  constructor(private readonly sessionsPerPlan: number) {}

  async count(): Promise<number> {
    return this.sessionsPerPlan;
  }

  async revoke(plan: SessionRevocationPlan): Promise<{ revoked: number }> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw backendUnavailable('Redis is not reachable at 127.0.0.1:6390 (injected).');
    }
    this.revoked.push(plan);
    return { revoked: this.sessionsPerPlan };
  }
}
