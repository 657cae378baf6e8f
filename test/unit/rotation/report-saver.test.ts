import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coalescingSaver } from '../../../electron/core/rotation/report-saver';

// The incident report's saver, on fake timers: what is saved, and how many times, while items finish.
describe('coalescingSaver', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A save that records the state it saw and takes `ms` to finish. */
  const recorder = (state: { value: number }, ms = 10) => {
    const saved: number[] = [];
    const save = async () => {
      const seen = state.value;
      await new Promise((resolve) => setTimeout(resolve, ms));
      saved.push(seen);
    };
    return { saved, save };
  };

  it('a burst of completions costs one save now and one with the newest state after the interval, not one each', async () => {
    const state = { value: 0 };
    const { saved, save } = recorder(state);
    const saver = coalescingSaver(save, 250);
    for (let i = 1; i <= 100; i += 1) {
      state.value = i;
      saver.request();
      await vi.advanceTimersByTimeAsync(1);
    }
    await vi.advanceTimersByTimeAsync(1_000);
    expect(saved[0]).toBe(1);
    expect(saved.at(-1)).toBe(100);
    // 100 ms of completions, saves at most every 250 ms after the first: two.
    expect(saved).toHaveLength(2);
  });

  it('now() saves the newest state at once, cutting short the pause between saves', async () => {
    const state = { value: 1 };
    const { saved, save } = recorder(state);
    const saver = coalescingSaver(save, 60_000);
    saver.request();
    await vi.advanceTimersByTimeAsync(20);
    state.value = 2;
    saver.request(); // within the interval: waits
    await vi.advanceTimersByTimeAsync(1_000);
    expect(saved).toEqual([1]);
    state.value = 3;
    const done = saver.now();
    await vi.advanceTimersByTimeAsync(20);
    await done;
    expect(saved).toEqual([1, 3]);
    // Nothing left pending afterwards: the interval's timer was cleared.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(saved).toEqual([1, 3]);
  });

  it('a request during a save is not lost: a later save carries it', async () => {
    const state = { value: 1 };
    const { saved, save } = recorder(state, 50);
    const saver = coalescingSaver(save, 100);
    saver.request();
    await vi.advanceTimersByTimeAsync(10);
    state.value = 2;
    saver.request();
    await vi.advanceTimersByTimeAsync(500);
    expect(saved).toEqual([1, 2]);
  });

  it('a failed intermediate save does not stop later ones; now() reports its own failure', async () => {
    let fail = true;
    const saved: string[] = [];
    const saver = coalescingSaver(async () => {
      if (fail) throw new Error('disk full');
      saved.push('ok');
    }, 100);
    saver.request();
    await vi.advanceTimersByTimeAsync(1);
    await expect(saver.now()).rejects.toThrow('disk full');
    fail = false;
    await saver.now();
    expect(saved).toEqual(['ok']);
  });
});
