import type { LatchkeyApi } from '../../shared/ipc/contract';

declare global {
  interface Window {
    /** The typed bridge to main, built by the preload from the IPC contract. */
    readonly latchkey: LatchkeyApi;
  }
}
