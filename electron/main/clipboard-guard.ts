import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Copies a secret to the system clipboard from main (the value never goes to the renderer) and clears
 * it after a timeout, when the app locks, or on quit, but only if the clipboard still holds that value — something the
 * person copied since is left alone. To know that without keeping the value, it keeps a keyed digest.
 */
export interface ClipboardPort {
  readText(): Promise<string> | string;
  writeText(text: string): Promise<void> | void;
}

export interface ClipboardGuardOptions {
  clipboard: ClipboardPort;
  clearAfterMs?: number;
  onCleared?: (reason: ClearReason) => void;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export const CLIPBOARD_CLEAR_MS = 30_000;
export type ClearReason = 'timeout' | 'lock' | 'quit';

export function createClipboardGuard(options: ClipboardGuardOptions) {
  const clearAfterMs = options.clearAfterMs ?? CLIPBOARD_CLEAR_MS;
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as NodeJS.Timeout));
  const key = randomBytes(32);
  const digest = (text: string) => createHmac('sha256', key).update(text, 'utf8').digest();
  let pending: { digest: Buffer; timer: unknown } | undefined;

  const clearIfUnchanged = async (reason: ClearReason): Promise<boolean> => {
    const copied = pending;
    if (copied === undefined) return false;
    pending = undefined;
    clearTimer(copied.timer);
    const held = digest(await options.clipboard.readText());
    if (!timingSafeEqual(held, copied.digest)) return false;
    await options.clipboard.writeText('');
    options.onCleared?.(reason);
    return true;
  };

  return {
    clearAfterSeconds: Math.round(clearAfterMs / 1000),
    async copy(value: string): Promise<void> {
      if (pending !== undefined) clearTimer(pending.timer);
      pending = undefined;
      await options.clipboard.writeText(value);
      const timer = setTimer(() => void clearIfUnchanged('timeout'), clearAfterMs);
      // A pending clear must not keep the process (the CLI, tests) alive.
      (timer as { unref?: () => void }).unref?.();
      pending = { digest: digest(value), timer };
    },
    /**
     * Text that is not a secret (a command to paste in a terminal): written as it is and never cleared.
     * A secret copied before is replaced, so its pending clear finds something else and leaves it.
     */
    async copyText(text: string): Promise<void> {
      await options.clipboard.writeText(text);
    },
    /** Clears now if the clipboard still holds the copied secret (called on lock and before quitting). */
    clearIfUnchanged,
  };
}

export type ClipboardGuard = ReturnType<typeof createClipboardGuard>;
