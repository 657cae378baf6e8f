import { create } from 'zustand';
import type { SessionServerView } from '../../../shared/ipc/sessions.contract';
import { api, messageOf } from '../api';

/**
 * The Sessions screen's settings: the session servers (names and settings, never a password), the
 * one in use, and the person's choices (index-only lookups, auto-refresh). Never a session token: a
 * created token lives in its dialog's component state only.
 */
interface SessionsState {
  servers: SessionServerView[];
  loaded: boolean;
  error: string | undefined;
  selected: string | undefined;
  /** Owner lookups and bulk revocations through the indexes only (fast; misses unindexed sessions). */
  indexOnly: boolean;
  autoRefresh: boolean;
  /**
   * Bumped by every action that changes sessions (revoke, revoke all, extend, create, index): each
   * view of them (results, a drilled-down owner, the analytics) reads them again at once rather than
   * show revoked sessions as live until the next refresh.
   */
  changes: number;
  changed(): void;
  load(): Promise<void>;
  select(name: string): void;
  setIndexOnly(indexOnly: boolean): void;
  setAutoRefresh(autoRefresh: boolean): void;
}

export const useSessions = create<SessionsState>((set, get) => ({
  servers: [],
  loaded: false,
  error: undefined,
  selected: undefined,
  indexOnly: false,
  autoRefresh: true,
  changes: 0,
  changed: () => set({ changes: get().changes + 1 }),
  async load() {
    try {
      const { servers } = await api.sessions.servers({});
      const selected = get().selected;
      const stillThere = servers.some((server) => server.name === selected);
      set({ servers, loaded: true, error: undefined, selected: stillThere ? selected : servers[0]?.name });
    } catch (error) {
      set({ loaded: true, error: messageOf(error) });
    }
  },
  select: (selected) => set({ selected }),
  setIndexOnly: (indexOnly) => set({ indexOnly }),
  setAutoRefresh: (autoRefresh) => set({ autoRefresh }),
}));

/** The lookup strategy the person chose, as calls take it. */
export const strategyOf = (indexOnly: boolean) => (indexOnly ? ('index' as const) : ('both' as const));
