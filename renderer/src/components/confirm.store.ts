import { create } from 'zustand';

/**
 * One confirmation at a time, asked from anywhere with `confirm(...)` and answered by <ConfirmHost/>.
 * For a protected environment the person types its name.
 */
export interface ConfirmRequest {
  title: string;
  body: string;
  confirmLabel: string;
  tone: 'danger' | 'normal';
  /** When set, the confirm button stays disabled until this exact text is typed. */
  typeToConfirm?: string;
}

interface ConfirmState {
  request: ConfirmRequest | undefined;
  resolve: ((answer: boolean) => void) | undefined;
  ask(request: ConfirmRequest): Promise<boolean>;
  answer(answer: boolean): void;
}

export const useConfirm = create<ConfirmState>((set, get) => ({
  request: undefined,
  resolve: undefined,
  ask(request) {
    get().resolve?.(false);
    return new Promise<boolean>((resolve) => set({ request, resolve }));
  },
  answer(answer) {
    get().resolve?.(answer);
    set({ request: undefined, resolve: undefined });
  },
}));

export const confirm = (request: ConfirmRequest) => useConfirm.getState().ask(request);

/** Asks before a write to a protected environment; resolves true at once for other environments. */
export function confirmProtectedWrite(environment: { name: string; protected: boolean }, what: string): Promise<boolean> {
  if (!environment.protected) return Promise.resolve(true);
  return confirm({
    title: `Change ${environment.name}?`,
    body: `${environment.name} is a protected environment. ${what} Type the environment's name to confirm.`,
    confirmLabel: 'Confirm change',
    tone: 'danger',
    typeToConfirm: environment.name,
  });
}
