import { useMemo } from 'react';
import { create } from 'zustand';
import type { ResultOf } from '../../../shared/ipc/contract';
import { api, messageOf } from '../api';

export type RotatorSummary = ResultOf<'rotators', 'list'>['rotators'][number];

/**
 * The rotators of the open project's secrets: which secret rotates at which service (for the badges of
 * the secrets list and the confirmation before a rotation at a service). Names only.
 */
interface RotatorsState {
  project: string | undefined;
  rotators: RotatorSummary[];
  error: string | undefined;
  load(project: string): Promise<void>;
}

export const useRotators = create<RotatorsState>((set, get) => ({
  project: undefined,
  rotators: [],
  error: undefined,
  async load(project) {
    if (get().project !== project) set({ project, rotators: [], error: undefined });
    try {
      const { rotators } = await api.rotators.list({ project });
      if (get().project === project) set({ rotators, error: undefined });
    } catch (error) {
      if (get().project === project) set({ error: messageOf(error) });
    }
  },
}));

/** The rotator of each key of one environment. */
export function useRotatorsOf(project: string, environment: string): Map<string, RotatorSummary> {
  const loadedFor = useRotators((state) => state.project);
  const rotators = useRotators((state) => state.rotators);
  return useMemo(
    () => new Map(loadedFor === project ? rotators.filter((rotator) => rotator.environment === environment).map((rotator) => [rotator.key, rotator]) : []),
    [loadedFor, project, rotators, environment],
  );
}
