import { DEFAULT_IDLE_MINUTES, type LockReason } from '../../../shared/lock';
import { invalidInput, locked as lockedError } from '../errors';
import type { Logger } from '../log';
import type { CredentialCaches } from './credential-caches';
import type { LockSettingsFile } from './lock-settings';
import type { PassphraseStore } from './passphrase';

/**
 * The app's lock. Locked — after an idle timeout, when the OS locks the screen or suspends, or on
 * request — it drops every cached credential and refuses secret I/O until the person unlocks: with the
 * app passphrase when one is set, otherwise by Latchkey reading the store's key from the OS keychain
 * again. Main calls recordActivity() on real input events and checkIdle() on a timer; the clock is
 * injected so tests drive it.
 */
export type { LockReason };
export type UnlockMethod = 'keychain' | 'passphrase';

export interface LockState {
  locked: boolean;
  reason?: LockReason;
}

export interface LockStatus extends LockState {
  method: UnlockMethod;
  idleTimeoutMinutes: number;
}

export interface AppLockOptions {
  now: () => Date;
  settings: LockSettingsFile;
  passphrase: PassphraseStore;
  caches: CredentialCaches;
  /** Reads the store's key from the OS keychain again (never creates one); throws when it cannot. */
  verifyKeychain: () => Promise<void>;
  logger?: Logger;
}

export interface AppLock {
  /** Reads the settings; locks at once when a passphrase is set (the app starts locked). */
  start(): Promise<void>;
  isLocked(): boolean;
  /** Throws Locked while locked: the guard in front of secret I/O. */
  assertUnlocked(): void;
  status(): Promise<LockStatus>;
  lock(reason: LockReason): Promise<void>;
  unlock(request: { passphrase?: string }): Promise<void>;
  /** A real input event in the app's window (keyboard, mouse, touch). */
  recordActivity(): void;
  /** Locks when the window saw no activity for the idle timeout; returns whether it is locked. */
  checkIdle(): Promise<boolean>;
  setIdleTimeout(minutes: number): Promise<void>;
  setPassphrase(passphrase: string, current?: string): Promise<void>;
  clearPassphrase(current: string): Promise<void>;
  subscribe(listener: (state: LockState) => void): () => void;
}

export function createAppLock(options: AppLockOptions): AppLock {
  const { now, logger } = options;
  let state: LockState = { locked: false };
  let idleTimeoutMs = DEFAULT_IDLE_MINUTES * 60_000;
  let lastActivity = now().getTime();
  const listeners = new Set<(state: LockState) => void>();

  const publish = () => {
    for (const listener of listeners) {
      try {
        listener(state);
      } catch (error) {
        logger?.error('lock: a listener failed', { error });
      }
    }
  };

  const lock = async (reason: LockReason) => {
    if (!state.locked) {
      state = { locked: true, reason };
      logger?.info('lock: locked', { reason });
      publish();
    }
    // Forget on every lock request, even a repeated one: a credential read by a call that was already
    // running when the lock came must not stay cached.
    await options.caches.forgetAll();
  };

  const method = async (): Promise<UnlockMethod> => ((await options.passphrase.isSet()) ? 'passphrase' : 'keychain');

  return {
    async start() {
      idleTimeoutMs = (await options.settings.read()).idleTimeoutMinutes * 60_000;
      lastActivity = now().getTime();
      if ((await method()) === 'passphrase') await lock('startup');
    },
    isLocked: () => state.locked,
    assertUnlocked() {
      if (state.locked) throw lockedError();
    },
    async status() {
      return { ...state, method: await method(), idleTimeoutMinutes: Math.round(idleTimeoutMs / 60_000) };
    },
    lock,
    async unlock(request) {
      if (!state.locked) return;
      if ((await method()) === 'passphrase') {
        if (request.passphrase === undefined) throw invalidInput('Enter your Latchkey passphrase to unlock.');
        await options.passphrase.verify(request.passphrase);
      } else {
        await options.verifyKeychain();
      }
      state = { locked: false };
      lastActivity = now().getTime();
      logger?.info('lock: unlocked');
      publish();
    },
    recordActivity() {
      if (!state.locked) lastActivity = now().getTime();
    },
    async checkIdle() {
      if (!state.locked && now().getTime() - lastActivity >= idleTimeoutMs) await lock('idle');
      return state.locked;
    },
    async setIdleTimeout(minutes) {
      idleTimeoutMs = (await options.settings.setIdleTimeout(minutes)).idleTimeoutMinutes * 60_000;
    },
    setPassphrase: (passphrase, current) => options.passphrase.set(passphrase, current),
    clearPassphrase: (current) => options.passphrase.clear(current),
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
