import { describe, expect, it } from 'vitest';
import { createClipboardGuard } from '../../../electron/main/clipboard-guard';

function fakeTimers() {
  const timers: { run: () => void; ms: number; cleared: boolean }[] = [];
  return {
    timers,
    setTimer: (run: () => void, ms: number) => {
      const timer = { run, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer: unknown) => {
      (timer as { cleared: boolean }).cleared = true;
    },
  };
}

describe('clipboard guard', () => {
  const setup = () => {
    let text = 'before';
    const cleared: string[] = [];
    const clock = fakeTimers();
    const guard = createClipboardGuard({
      clipboard: { readText: () => text, writeText: (value) => void (text = value) },
      onCleared: (reason) => cleared.push(reason),
      setTimer: clock.setTimer,
      clearTimer: clock.clearTimer,
    });
    return { guard, clock, cleared, read: () => text, write: (value: string) => void (text = value) };
  };

  it('clears the copied value after 30 seconds', async () => {
    const { guard, clock, cleared, read } = setup();
    await guard.copy('s3cret');
    expect(read()).toBe('s3cret');
    expect(clock.timers[0]!.ms).toBe(30_000);
    clock.timers[0]!.run();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(read()).toBe('');
    expect(cleared).toEqual(['timeout']);
  });

  it('leaves the clipboard alone when the person copied something else since', async () => {
    const { guard, clock, cleared, read, write } = setup();
    await guard.copy('s3cret');
    write('their own text');
    clock.timers[0]!.run();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(read()).toBe('their own text');
    expect(cleared).toEqual([]);
    expect(await guard.clearIfUnchanged('quit')).toBe(false);
  });

  it('clears on quit if unchanged, and only once', async () => {
    const { guard, clock, cleared, read } = setup();
    await guard.copy('s3cret');
    expect(await guard.clearIfUnchanged('quit')).toBe(true);
    expect(read()).toBe('');
    expect(clock.timers[0]!.cleared).toBe(true);
    expect(await guard.clearIfUnchanged('quit')).toBe(false);
    expect(cleared).toEqual(['quit']);
  });

  it('a second copy replaces the first timer', async () => {
    const { guard, clock, read } = setup();
    await guard.copy('one');
    await guard.copy('two');
    expect(clock.timers[0]!.cleared).toBe(true);
    clock.timers[1]!.run();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(read()).toBe('');
  });
});
