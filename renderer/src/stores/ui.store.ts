import { create } from 'zustand';

/** Which screen is open and the colour theme. */
export type Screen = 'secrets' | 'sessions' | 'connections' | 'services' | 'incident' | 'diff' | 'audit' | 'settings';
export type ThemeChoice = 'system' | 'light' | 'dark';

interface UiState {
  screen: Screen;
  theme: ThemeChoice;
  /** Bumped to hide every revealed value at once (window hidden, app locked). */
  hideEpoch: number;
  /** The keyboard shortcuts overlay ("?"). */
  shortcutsOpen: boolean;
  go(screen: Screen): void;
  showShortcuts(open: boolean): void;
  setTheme(theme: ThemeChoice): void;
  hideAllRevealed(): void;
}

export const useUi = create<UiState>((set, get) => ({
  screen: 'secrets',
  theme: 'system',
  hideEpoch: 0,
  shortcutsOpen: false,
  go: (screen) => set({ screen }),
  showShortcuts: (shortcutsOpen) => set({ shortcutsOpen }),
  setTheme: (theme) => set({ theme }),
  hideAllRevealed: () => set({ hideEpoch: get().hideEpoch + 1 }),
}));
