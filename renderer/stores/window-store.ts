import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { useToasts } from './toast-store';

// Notices about the previous org (its names, its errors) must not linger after a switch.
const clearNotices = () => useToasts.getState().clear();

/**
 * Where this window is: the org it acts on (null = "All organizations") and the view. Kept in
 * sessionStorage, so each window has its own current org and a reload keeps it.
 */
interface WindowState {
  orgId: number | null;
  view: string;
  /**
   * UI-6: the one customer account a support engineer picked (its All organizations view shows
   * only its orgs); null: every account that granted access. The server decides what is readable.
   */
  accountId: number | null;
  openOrg(orgId: number, view?: string): void;
  openAll(view?: string): void;
  /** UI-6: land in a granted account's All organizations view (null: all granted accounts). */
  openAccount(accountId: number | null): void;
  setView(view: string): void;
  reset(): void;
}

export const DEFAULT_ALL_VIEW = 'organizations';
export const DEFAULT_ORG_VIEW = 'overview';

export const useWindowStore = create<WindowState>()(
  persist(
    (set) => ({
      orgId: null,
      view: DEFAULT_ALL_VIEW,
      accountId: null,
      openOrg: (orgId, view) =>
        set((s) => {
          if (s.orgId !== orgId) clearNotices();
          return {
            orgId,
            // Org to org keeps the kind of view (locations stays locations); from "All" it opens
            // the overview. The shell checks the view exists for the new scope.
            view: view ?? (s.orgId === null ? DEFAULT_ORG_VIEW : s.view),
          };
        }),
      openAll: (view = DEFAULT_ALL_VIEW) =>
        set((s) => {
          if (s.orgId !== null) clearNotices();
          return { orgId: null, view };
        }),
      openAccount: (accountId) =>
        set((s) => {
          if (s.orgId !== null || s.accountId !== accountId) clearNotices();
          return { orgId: null, view: DEFAULT_ALL_VIEW, accountId };
        }),
      setView: (view) => set({ view }),
      reset: () => set({ orgId: null, view: DEFAULT_ALL_VIEW, accountId: null }),
    }),
    { name: 'orgdesk.window', storage: createJSONStorage(() => sessionStorage) },
  ),
);
