import { create } from 'zustand';

/** Which screen is open and the colour theme. */
export type Screen = 'secrets' | 'sessions' | 'connections' | 'services' | 'incident' | 'diff' | 'audit' | 'settings';
export type ThemeChoice = 'system' | 'light' | 'dark';

interface UiState {
  screen: Screen;
  theme: ThemeChoice;
  /** Bumped to hide every revealed value at once (window hidden, app locked). */
  hideEpoch: number;
  go(screen: Screen): void;
  setTheme(theme: ThemeChoice): void;
  hideAllRevealed(): void;
}

export const useUi = create<UiState>((set, get) => ({
  screen: 'secrets',
  theme: 'system',
  hideEpoch: 0,
  go: (screen) => set({ screen }),
  setTheme: (theme) => set({ theme }),
  hideAllRevealed: () => set({ hideEpoch: get().hideEpoch + 1 }),
}));
