import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

/**
 * How this browser is signed in over HTTP. `session` came from email + password and is ended on
 * the server at sign-out; `api-token` is a personal or bootstrap token the user pasted, which
 * sign-out only forgets here (ending it on the server would revoke the admin's token for every
 * tool).
 */
export interface Session {
  token: string;
  kind: 'session' | 'api-token';
}

interface SessionState {
  session: Session | null;
  /** Why the user is looking at the sign-in page, e.g. an expired session. */
  notice: string | null;
  signIn(session: Session): void;
  end(notice?: string | null): void;
}

export const SESSION_KEY = 'orgdesk.session';

/**
 * UI-10: one session for every tab of this browser, so a second tab (or a link opened in one)
 * is signed in, and signing out in one tab signs out all of them.
 *
 * Where the token lives is the decision. It stays readable by the page's own script, as it was
 * in sessionStorage: the console's defence against script injection is its CSP (no inline
 * script, no eval, nothing from another origin; shared/csp.ts) and React's escaping, and any
 * script that ran in the page could read sessionStorage just the same. What localStorage adds is
 * sharing between tabs (the goal) and life beyond the window, bounded by the server: a password
 * session expires there after 12 hours and is revoked at sign-out. An HttpOnly cookie would hide
 * the token from script, but script in the page could still call the API with it, and it would
 * bring cross-site request forgery to a server that today has none: every call carries its token
 * in a header no other site can set.
 */
export const useSession = create<SessionState>()(
  persist(
    (set) => ({
      session: null,
      notice: null,
      signIn: (session) => set({ session, notice: null }),
      end: (notice = null) => set({ session: null, notice }),
    }),
    {
      name: SESSION_KEY,
      storage: createJSONStorage(() => localStorage),
      // The notice travels too: a session that ended says why in every tab.
      partialize: (s) => ({ session: s.session, notice: s.notice }),
    },
  ),
);

/**
 * Another tab signed in, signed out or saw the session end: take its word at once (the `storage`
 * event fires in every other tab of the origin). Returns the unsubscribe.
 */
export function followOtherTabs(): () => void {
  const onStorage = (e: StorageEvent) => {
    if (e.storageArea !== localStorage || (e.key !== SESSION_KEY && e.key !== null)) return;
    void useSession.persist.rehydrate();
    // Removed altogether (storage cleared): signed out.
    if (localStorage.getItem(SESSION_KEY) === null) useSession.setState({ session: null });
  };
  window.addEventListener('storage', onStorage);
  return () => window.removeEventListener('storage', onStorage);
}

export const bearerToken = (): string | null => useSession.getState().session?.token ?? null;
