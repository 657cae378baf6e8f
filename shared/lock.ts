/** The app lock's vocabulary, shared by core and the IPC contract. */
export const lockReasons = ['idle', 'os-lock', 'suspend', 'manual', 'startup'] as const;
export type LockReason = (typeof lockReasons)[number];

export const DEFAULT_IDLE_MINUTES = 5;
export const MIN_IDLE_MINUTES = 1;
export const MAX_IDLE_MINUTES = 24 * 60;

export const MIN_PASSPHRASE_LENGTH = 8;
export const MAX_PASSPHRASE_LENGTH = 1024;
