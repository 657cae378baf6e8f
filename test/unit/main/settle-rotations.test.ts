import { describe, expect, it } from 'vitest';
import type { Core } from '../../../electron/core';
import type { RecoveryOutcome } from '../../../electron/core/services/service-rotation';
import { settleRotationsAtStart } from '../../../electron/main/settle-rotations';
import { captureLogger } from '../../harness/log-capture';

// The app settles interrupted rotations at start — and, when it starts locked, only after the unlock
// (the journal's values are sealed with the store's key).
function fakeCore(locked: boolean, outcomes: RecoveryOutcome[]) {
  const listeners = new Set<(state: { locked: boolean }) => void>();
  let calls = 0;
  const core = {
    lock: {
      isLocked: () => locked,
      subscribe(listener: (state: { locked: boolean }) => void) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    services: {
      rotation: {
        recover: async () => {
          calls += 1;
          return outcomes;
        },
      },
    },
  } as unknown as Pick<Core, 'lock' | 'services'>;
  return { core, calls: () => calls, unlock: () => [...listeners].forEach((listener) => listener({ locked: false })), listeners };
}

describe('settleRotationsAtStart', () => {
  it('settles at once when unlocked, and logs what it did without values', async () => {
    const { logger, lines } = captureLogger();
    const fake = fakeCore(false, [
      { ref: 'file://shop/prod/DB', service: 'pg-prod', outcome: 'finished', message: 'finished' },
      { ref: 'file://shop/prod/R', service: 'redis-prod', outcome: 'failed', message: 'x', error: { kind: 'BackendUnavailable', message: 'down' } },
      { ref: 'file://shop/prod/W', service: 'redis-prod', outcome: 'waiting', message: 'later' },
    ]);
    await settleRotationsAtStart(fake.core, logger);
    expect(fake.calls()).toBe(1);
    expect(lines.join('\n')).toContain('"outcome":"finished"');
    expect(lines.join('\n')).toContain('"error_kind":"BackendUnavailable"');
    expect(lines.join('\n')).not.toContain('file://shop/prod/W');
  });

  it('waits for the unlock when the app starts locked, then settles once', async () => {
    const fake = fakeCore(true, []);
    const settled = settleRotationsAtStart(fake.core, captureLogger().logger);
    await Promise.resolve();
    expect(fake.calls()).toBe(0);
    fake.unlock();
    await settled;
    expect(fake.calls()).toBe(1);
    expect(fake.listeners.size).toBe(0);
  });
});
