import { create } from 'zustand';
import type { SecretItem } from '../../../shared/ipc/secrets.contract';
import { api, messageOf } from '../api';

/**
 * The secrets list of the open environment: keys, notes, times and versions only. Values are never
 * stored here — a revealed value lives in its row's component state and nowhere else.
 */
interface SecretsState {
  items: SecretItem[];
  query: string;
  loading: boolean;
  error: string | undefined;
  /**
   * What the items were read from: the environment and where it is stored. A late answer for another
   * one is dropped, and rows read from one backend are never shown under another backend's name
   * (changing an environment's "Stored in" empties the list until the new place answers).
   */
  loadedFor: string | undefined;
  setQuery(query: string): void;
  /**
   * `where` names the environment's storage (its backend and location); with an operationId, main
   * reports the listing's progress (remote backends with many secrets).
   */
  load(project: string, environment: string, options?: { where?: string; operationId?: string }): Promise<void>;
}

export const useSecrets = create<SecretsState>((set, get) => ({
  items: [],
  query: '',
  loading: false,
  error: undefined,
  loadedFor: undefined,
  setQuery(query) {
    set({ query });
  },
  async load(project, environment, options = {}) {
    const target = JSON.stringify([project, environment, options.where ?? '']);
    set({ loading: true, ...(get().loadedFor === target ? {} : { items: [], error: undefined, loadedFor: target }) });
    try {
      const { items } = await api.secrets.list({ project, environment, ...(options.operationId === undefined ? {} : { operationId: options.operationId }) });
      if (get().loadedFor === target) set({ items, loading: false, error: undefined });
    } catch (error) {
      if (get().loadedFor === target) set({ items: [], loading: false, error: messageOf(error) });
    }
  },
}));

/** Search on key and note, case-insensitive, in the list already loaded. */
export function filterSecrets(items: SecretItem[], query: string): SecretItem[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return items;
  return items.filter((item) => item.key.toLowerCase().includes(needle) || item.note.toLowerCase().includes(needle));
}
