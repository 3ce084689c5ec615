import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

/**
 * How this window is signed in over HTTP. `session` came from email + password and is ended on the
 * server at sign-out; `api-token` is a personal or bootstrap token the user pasted, which sign-out
 * only forgets here (ending it on the server would revoke the admin's token for every tool).
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

// sessionStorage: the token dies with the window and is never shared with other tabs.
export const useSession = create<SessionState>()(
  persist(
    (set) => ({
      session: null,
      notice: null,
      signIn: (session) => set({ session, notice: null }),
      end: (notice = null) => set({ session: null, notice }),
    }),
    {
      name: 'orgdesk.session',
      storage: createJSONStorage(() => sessionStorage),
      partialize: (s) => ({ session: s.session }),
    },
  ),
);

export const bearerToken = (): string | null => useSession.getState().session?.token ?? null;
