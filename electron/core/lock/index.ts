/** The app lock (docs/ARCHITECTURE.md, "Core areas"): what main uses. Everything else in this folder is internal to core. */
export type { AppLock, LockStatus, LockState, UnlockMethod } from './app-lock';
