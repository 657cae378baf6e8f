import type { AppLock } from '../core/lock';

/**
 * What locks the app, seen from main: the OS locking the screen or going to sleep (powerMonitor), and
 * no input in the window for the idle timeout. Activity is taken from the input events Electron hands
 * the window (keyboard, mouse, touch) — they come from the OS through the browser process, so a page
 * cannot fake them to keep the app open, as it could with an "I am active" IPC call.
 */
export interface PowerMonitorPort {
  on(event: 'lock-screen' | 'suspend', listener: () => void): unknown;
  /** 'locked' where the OS reports its screen lock this way (used where 'lock-screen' is not emitted). */
  getSystemIdleState(idleThresholdSeconds: number): 'active' | 'idle' | 'locked' | 'unknown';
}

export interface InputSource {
  on(event: 'input-event', listener: (event: unknown, input: { type: string }) => void): unknown;
}

export interface LockWatchTimers {
  setInterval(run: () => void, ms: number): unknown;
  clearInterval(timer: unknown): void;
}

/** How often the idle timeout and the OS screen lock are checked. */
export const LOCK_CHECK_INTERVAL_MS = 5_000;

export function watchForLock(deps: {
  lock: Pick<AppLock, 'lock' | 'recordActivity' | 'checkIdle'>;
  powerMonitor: PowerMonitorPort;
  input: InputSource;
  timers?: LockWatchTimers;
  onError?: (error: unknown) => void;
}): () => void {
  const { lock } = deps;
  const timers: LockWatchTimers = deps.timers ?? {
    setInterval: (run, ms) => setInterval(run, ms),
    clearInterval: (timer) => clearInterval(timer as NodeJS.Timeout),
  };
  const report = (promise: Promise<unknown>) => void promise.catch((error: unknown) => deps.onError?.(error));

  // SECURITY: a locked screen or a sleeping machine locks Latchkey at once.
  deps.powerMonitor.on('lock-screen', () => report(lock.lock('os-lock')));
  deps.powerMonitor.on('suspend', () => report(lock.lock('suspend')));
  deps.input.on('input-event', (_event, input) => {
    if (input.type !== 'undefined' && input.type !== 'mouseLeave') lock.recordActivity();
  });

  const timer = timers.setInterval(() => {
    if (deps.powerMonitor.getSystemIdleState(60) === 'locked') report(lock.lock('os-lock'));
    else report(lock.checkIdle());
  }, LOCK_CHECK_INTERVAL_MS);
  // The check must not keep the process alive on its own.
  (timer as { unref?: () => void }).unref?.();
  return () => timers.clearInterval(timer);
}
