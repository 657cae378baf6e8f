import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LOCK_CHECK_INTERVAL_MS, watchForLock } from '../../../electron/main/lock-watch';

/** What main watches to lock the app: OS screen lock, suspend, and idle time measured from real input. */
function setup() {
  const calls: string[] = [];
  const lock = {
    lock: async (reason: string) => void calls.push(`lock:${reason}`),
    recordActivity: () => void calls.push('activity'),
    checkIdle: async () => {
      calls.push('checkIdle');
      return false;
    },
  };
  const power = Object.assign(new EventEmitter(), { idleState: 'active' as 'active' | 'locked', getSystemIdleState: () => power.idleState });
  const input = new EventEmitter();
  const intervals: { run: () => void; ms: number; cleared: boolean }[] = [];
  const stop = watchForLock({
    lock: lock as never,
    powerMonitor: power as never,
    input: input as never,
    timers: {
      setInterval: (run, ms) => {
        const timer = { run, ms, cleared: false };
        intervals.push(timer);
        return timer;
      },
      clearInterval: (timer) => void ((timer as { cleared: boolean }).cleared = true),
    },
  });
  return { calls, power, input, intervals, stop };
}

describe('lock watch (main process)', () => {
  it('locks when the OS locks the screen or suspends', () => {
    const { calls, power } = setup();
    power.emit('lock-screen');
    power.emit('suspend');
    expect(calls).toEqual(['lock:os-lock', 'lock:suspend']);
  });

  it("counts the window's real input events as activity, not a mouse leaving it", () => {
    const { calls, input } = setup();
    for (const type of ['keyDown', 'mouseMove', 'mouseWheel', 'touchStart', 'mouseLeave', 'undefined']) input.emit('input-event', {}, { type });
    expect(calls).toEqual(['activity', 'activity', 'activity', 'activity']);
  });

  it('checks the idle timeout on a timer, and locks when the OS reports its screen locked', () => {
    const { calls, power, intervals, stop } = setup();
    expect(intervals).toHaveLength(1);
    expect(intervals[0]!.ms).toBe(LOCK_CHECK_INTERVAL_MS);
    intervals[0]!.run();
    power.idleState = 'locked';
    intervals[0]!.run();
    expect(calls).toEqual(['checkIdle', 'lock:os-lock']);
    stop();
    expect(intervals[0]!.cleared).toBe(true);
  });
});
