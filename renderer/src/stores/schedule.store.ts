import { useMemo } from 'react';
import { create } from 'zustand';
import type { DueCount, DueItem } from '../../../shared/ipc/rotation.contract';
import { api, messageOf } from '../api';

/**
 * The rotation schedule of the open project: per secret its due status, per environment the counts
 * for the badges. Names, dates and counts only.
 */
interface ScheduleState {
  project: string | undefined;
  items: DueItem[];
  counts: DueCount[];
  error: string | undefined;
  load(project: string): Promise<void>;
}

export const useSchedule = create<ScheduleState>((set, get) => ({
  project: undefined,
  items: [],
  counts: [],
  error: undefined,
  async load(project) {
    if (get().project !== project) set({ project, items: [], counts: [], error: undefined });
    try {
      const { items, counts } = await api.rotation.schedule({ project });
      if (get().project === project) set({ items, counts, error: undefined });
    } catch (error) {
      if (get().project === project) set({ error: messageOf(error) });
    }
  },
}));

/** The counts of one environment of `project`, for a pill. */
export function useDueCounts(project: string | undefined): (environment: string) => DueCount | undefined {
  const loadedFor = useSchedule((state) => state.project);
  const counts = useSchedule((state) => state.counts);
  return (environment) => (project === undefined || loadedFor !== project ? undefined : counts.find((count) => count.environment === environment));
}

/** The due status of each key of one environment (the same Map until the schedule changes). */
export function useDueItems(project: string, environment: string): Map<string, DueItem> {
  const loadedFor = useSchedule((state) => state.project);
  const items = useSchedule((state) => state.items);
  return useMemo(
    () => new Map(loadedFor === project ? items.filter((item) => item.environment === environment).map((item) => [item.key, item]) : []),
    [loadedFor, project, items, environment],
  );
}
