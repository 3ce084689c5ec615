import { create } from 'zustand';
import type { Search } from '../../shared/console-places';

/**
 * The filters each place had when the window left it (UI-10), so that going into an org and
 * back to All organizations by the sidebar or the switcher finds the table as it was. In memory
 * only: the URL is what survives a reload; this is per window, like its history.
 */
interface FilterMemoryState {
  byPlace: Record<string, Search>;
  remember(key: string, search: Search): void;
  reset(): void;
}

export const useFilterMemory = create<FilterMemoryState>()((set) => ({
  byPlace: {},
  remember: (key, search) =>
    set((s) => (s.byPlace[key] === search ? s : { byPlace: { ...s.byPlace, [key]: search } })),
  reset: () => set({ byPlace: {} }),
}));
