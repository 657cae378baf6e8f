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
  /** The environment the items belong to, so a late answer for another one is dropped. */
  loadedFor: string | undefined;
  setQuery(query: string): void;
  /** With an operationId, main reports the listing's progress (remote backends with many secrets). */
  load(project: string, environment: string, operationId?: string): Promise<void>;
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
  async load(project, environment, operationId) {
    const target = `${project}/${environment}`;
    set({ loading: true, ...(get().loadedFor === target ? {} : { items: [], loadedFor: target }) });
    try {
      const { items } = await api.secrets.list({ project, environment, ...(operationId === undefined ? {} : { operationId }) });
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
