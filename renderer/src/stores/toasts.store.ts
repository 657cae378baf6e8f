import { create } from 'zustand';

/** Short notices at the bottom of the window, optionally with one action (e.g. Undo). Never holds a secret value. */
export interface ToastAction {
  label: string;
  run(): void;
}

export interface Toast {
  id: number;
  tone: 'info' | 'success' | 'error';
  text: string;
  action?: ToastAction;
}

interface ToastState {
  toasts: Toast[];
  show(tone: Toast['tone'], text: string, action?: ToastAction): void;
  dismiss(id: number): void;
}

/** A toast with an action stays long enough to use it. */
const SHOWN_MS = { plain: 4000, error: 8000, action: 10_000 };

let nextId = 1;

export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  show(tone, text, action) {
    const id = nextId++;
    set({ toasts: [...get().toasts.slice(-3), { id, tone, text, ...(action === undefined ? {} : { action }) }] });
    setTimeout(() => get().dismiss(id), action !== undefined ? SHOWN_MS.action : tone === 'error' ? SHOWN_MS.error : SHOWN_MS.plain);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((toast) => toast.id !== id) });
  },
}));
