import { runBounded } from '../async/bounded-pool';
import type { SessionStore } from '../sessions';
import type { SessionRevocationPlan, SessionRevoker } from './session-revocation';

/**
 * Incident mode's session part over the sessions core: a user's or a device's sessions through the
 * store's own bulk revocation (its index, then a keyspace walk for sessions written without one), and
 * "all" as a walk of the keyspace that revokes each session it meets.
 */
export type RevocableSessions = Pick<SessionStore, 'listByUser' | 'listByDevice' | 'revokeUser' | 'revokeDevice' | 'stream' | 'revoke'>;

/** Sessions revoked at once during an "all" walk (each is one small script call). */
const ALL_CONCURRENCY = 16;

export function sessionStoreRevoker(store: RevocableSessions): SessionRevoker {
  return {
    async count(plan: SessionRevocationPlan, signal?: AbortSignal): Promise<number> {
      const options = signal === undefined ? {} : { signal };
      switch (plan.scope) {
        case 'user':
          return (await store.listByUser(plan.user_id, options)).sessions.length;
        case 'device':
          return (await store.listByDevice(plan.device_id, options)).sessions.length;
        case 'all': {
          let count = 0;
          for await (const batch of store.stream({ ...options, unique: true })) count += batch.sessions.length;
          return count;
        }
      }
    },
    async revoke(plan: SessionRevocationPlan, signal?: AbortSignal): Promise<{ revoked: number }> {
      const options = signal === undefined ? {} : { signal };
      switch (plan.scope) {
        case 'user':
          return { revoked: (await store.revokeUser(plan.user_id, options)).revoked };
        case 'device':
          return { revoked: (await store.revokeDevice(plan.device_id, options)).revoked };
        case 'all': {
          let revoked = 0;
          // Revoking is idempotent per session, so SCAN's occasional repeat of a key costs nothing.
          for await (const batch of store.stream(options)) {
            await runBounded(
              batch.sessions,
              ALL_CONCURRENCY,
              async (session) => {
                if ((await store.revoke({ id: session.id })).revoked) revoked += 1;
              },
              signal,
            );
          }
          signal?.throwIfAborted();
          return { revoked };
        }
      }
    },
  };
}
