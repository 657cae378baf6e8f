import { create } from 'zustand';
import type { ConnectionView } from '../../../shared/ipc/connections.contract';
import { api, messageOf } from '../api';

/**
 * Secret-backend connections: names, settings, where they point, whether credentials are stored and
 * which environments use them. Credentials are never here — main never sends them back.
 */
interface ConnectionsState {
  connections: ConnectionView[];
  loaded: boolean;
  error: string | undefined;
  load(): Promise<void>;
}

export const useConnections = create<ConnectionsState>((set) => ({
  connections: [],
  loaded: false,
  error: undefined,
  async load() {
    try {
      const { connections } = await api.connections.list({});
      set({ connections, loaded: true, error: undefined });
    } catch (error) {
      set({ loaded: true, error: messageOf(error) });
    }
  },
}));
