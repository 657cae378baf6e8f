import { create } from 'zustand';
import type { ServiceKind, ServiceKindView, ServiceView } from '../../../shared/ipc/services.contract';
import { api, messageOf } from '../api';

/**
 * Services (where credentials are checked): names, kinds, where they point, whether an admin credential
 * is stored, and which secrets rotate there; and what each kind's driver supports. Never a credential —
 * main never sends one back.
 */
interface ServicesState {
  services: ServiceView[];
  kinds: ServiceKindView[];
  loaded: boolean;
  error: string | undefined;
  load(): Promise<void>;
}

export const useServices = create<ServicesState>((set, get) => ({
  services: [],
  kinds: [],
  loaded: false,
  error: undefined,
  async load() {
    try {
      const [{ services }, kinds] = await Promise.all([api.services.list({}), get().kinds.length > 0 ? { kinds: get().kinds } : api.services.kinds({})]);
      set({ services, kinds: kinds.kinds, loaded: true, error: undefined });
    } catch (error) {
      set({ loaded: true, error: messageOf(error) });
    }
  },
}));

/** What a kind's driver supports (strategies, self mode), once loaded. */
export function useKind(kind: ServiceKind | undefined): ServiceKindView | undefined {
  return useServices((state) => (kind === undefined ? undefined : state.kinds.find((candidate) => candidate.kind === kind)));
}
