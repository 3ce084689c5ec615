import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

export type ThemePreference = 'system' | 'light' | 'dark';

export interface TablePrefs {
  pageSize: number;
}

const MAX_RECENTS = 5;
const MAX_PINS = 12;

/**
 * Per-user preferences in localStorage. Recents and pins hold ids only, keyed by user, and the
 * switcher shows them only after the server confirms the org is still visible to this user: a
 * stored name could leak one tenant's org name to the next person signing in on this machine.
 */
interface PrefsState {
  theme: ThemePreference;
  recents: Record<string, number[]>;
  pins: Record<string, number[]>;
  tables: Record<string, TablePrefs>;
  setTheme(theme: ThemePreference): void;
  touchRecent(user: string, orgId: number): void;
  togglePin(user: string, orgId: number): void;
  forgetOrg(orgId: number): void;
  setTablePrefs(table: string, prefs: Partial<TablePrefs>): void;
}

export const usePrefsStore = create<PrefsState>()(
  persist(
    (set) => ({
      theme: 'system',
      recents: {},
      pins: {},
      tables: {},
      setTheme: (theme) => set({ theme }),
      touchRecent: (user, orgId) =>
        set((s) => ({
          recents: {
            ...s.recents,
            [user]: [orgId, ...(s.recents[user] ?? []).filter((id) => id !== orgId)].slice(
              0,
              MAX_RECENTS,
            ),
          },
        })),
      togglePin: (user, orgId) =>
        set((s) => {
          const pins = s.pins[user] ?? [];
          const next = pins.includes(orgId)
            ? pins.filter((id) => id !== orgId)
            : [...pins, orgId].slice(-MAX_PINS);
          return { pins: { ...s.pins, [user]: next } };
        }),
      forgetOrg: (orgId) =>
        set((s) => ({
          recents: Object.fromEntries(
            Object.entries(s.recents).map(([u, ids]) => [u, ids.filter((id) => id !== orgId)]),
          ),
          pins: Object.fromEntries(
            Object.entries(s.pins).map(([u, ids]) => [u, ids.filter((id) => id !== orgId)]),
          ),
        })),
      setTablePrefs: (table, prefs) =>
        set((s) => ({
          tables: { ...s.tables, [table]: { pageSize: 25, ...s.tables[table], ...prefs } },
        })),
    }),
    { name: 'orgdesk.prefs', storage: createJSONStorage(() => localStorage) },
  ),
);

export const userKey = (me: { id: number; account_id: number }): string =>
  `${me.account_id}:${me.id}`;
