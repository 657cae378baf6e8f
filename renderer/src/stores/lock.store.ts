import { create } from 'zustand';
import type { LockReason } from '../../../shared/lock';
import type { LockStatusView } from '../../../shared/ipc/lock.contract';
import { api } from '../api';

/** Whether the app is locked, why, and how it unlocks. Main decides; this mirrors its status and events. */
interface LockState {
  locked: boolean;
  reason: LockReason | undefined;
  method: LockStatusView['method'];
  idleTimeoutMinutes: number;
  loaded: boolean;
  load(): Promise<void>;
  apply(event: { locked: boolean; reason?: LockReason }): void;
}

export const useLock = create<LockState>((set) => ({
  locked: false,
  reason: undefined,
  method: 'keychain',
  idleTimeoutMinutes: 5,
  loaded: false,
  async load() {
    const status = await api.lock.status({});
    set({ locked: status.locked, reason: status.reason, method: status.method, idleTimeoutMinutes: status.idleTimeoutMinutes, loaded: true });
  },
  apply(event) {
    set({ locked: event.locked, reason: event.reason });
  },
}));
