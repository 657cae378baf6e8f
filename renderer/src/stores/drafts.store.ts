import { create } from 'zustand';

/**
 * A New secret dialog the app lock interrupted: its key and note (names and words, never a value), so
 * the dialog opens again with them after unlocking and says that the value was dropped. A value never
 * outlives the lock (SECURITY.md: the lock drops everything secret from memory).
 */
export interface InterruptedDraft {
  project: string;
  environment: string;
  key: string;
  note: string;
  /** Whether a value had been typed (it was dropped). */
  hadValue: boolean;
}

interface DraftsState {
  interrupted: InterruptedDraft | undefined;
  keep(draft: InterruptedDraft): void;
  /** The reopened dialog was saved or dismissed. */
  clear(): void;
}

export const useDrafts = create<DraftsState>((set) => ({
  interrupted: undefined,
  keep: (draft) => set({ interrupted: draft }),
  clear: () => set({ interrupted: undefined }),
}));
