import { create } from 'zustand';

/**
 * Short notices under the open screen, optionally with one action (e.g. Undo). Never holds a secret
 * value. A notice that repeats one still shown is counted on it (×3) instead of stacking again (it takes
 * the newest action: an Undo undoes the latest change), and at most MAX_TOASTS are shown: the oldest
 * goes first.
 */
export interface ToastAction {
  label: string;
  run(): void;
}

export interface Toast {
  id: number;
  tone: 'info' | 'success' | 'error';
  text: string;
  /** How many times this notice was given while it was shown. */
  count: number;
  action?: ToastAction;
}

export const MAX_TOASTS = 3;
/** A toast with an action stays long enough to use it. */
const SHOWN_MS = { info: 4000, success: 4000, error: 8000, action: 10_000 } as const;

interface ToastState {
  toasts: Toast[];
  show(tone: Toast['tone'], text: string, action?: ToastAction): void;
  dismiss(id: number): void;
}

let nextId = 1;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

export const useToasts = create<ToastState>((set, get) => {
  const expireLater = (toast: Toast) => {
    clearTimeout(timers.get(toast.id));
    timers.set(
      toast.id,
      setTimeout(() => get().dismiss(toast.id), toast.action === undefined ? SHOWN_MS[toast.tone] : SHOWN_MS.action),
    );
  };
  return {
    toasts: [],
    show(tone, text, action) {
      const same = get().toasts.find((toast) => toast.tone === tone && toast.text === text);
      if (same !== undefined) {
        const { action: _previous, ...rest } = same;
        const counted: Toast = { ...rest, count: same.count + 1, ...(action === undefined ? {} : { action }) };
        set({ toasts: get().toasts.map((toast) => (toast.id === same.id ? counted : toast)) });
        expireLater(counted);
        return;
      }
      const toast: Toast = { id: nextId++, tone, text, count: 1, ...(action === undefined ? {} : { action }) };
      const kept = [...get().toasts, toast];
      for (const dropped of kept.slice(0, Math.max(0, kept.length - MAX_TOASTS))) {
        clearTimeout(timers.get(dropped.id));
        timers.delete(dropped.id);
      }
      set({ toasts: kept.slice(-MAX_TOASTS) });
      expireLater(toast);
    },
    dismiss(id) {
      clearTimeout(timers.get(id));
      timers.delete(id);
      set({ toasts: get().toasts.filter((toast) => toast.id !== id) });
    },
  };
});
