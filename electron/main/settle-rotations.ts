import type { Core } from '../core';
import type { Logger } from '../core/log';

/**
 * At start, rotations at services that an earlier run left unfinished (the app or the CLI was killed, a
 * service was down) are finished or undone, and old credentials whose grace period ended are retired.
 * The journal's values are sealed with the store's key, so this waits until the app is unlocked.
 */
export function settleRotationsAtStart(core: Pick<Core, 'lock' | 'services'>, logger: Logger): Promise<void> {
  const settle = async () => {
    const outcomes = await core.services.rotation.recover();
    for (const outcome of outcomes) {
      const fields = { ref: outcome.ref, service: outcome.service, outcome: outcome.outcome };
      if (outcome.outcome === 'failed') logger.warn('an interrupted rotation could not be settled at start', { ...fields, error_kind: outcome.error?.kind });
      else if (outcome.outcome !== 'waiting') logger.info('an interrupted rotation was settled at start', fields);
    }
  };
  const guarded = () => settle().catch((error: unknown) => logger.error('interrupted rotations were not settled at start', { error }));
  if (!core.lock.isLocked()) return guarded();
  return new Promise((resolve) => {
    const stop = core.lock.subscribe(({ locked }) => {
      if (locked) return;
      stop();
      void guarded().then(resolve);
    });
  });
}
