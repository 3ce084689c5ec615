import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { SignInPage } from '../features/auth/sign-in-page';
import type { Transport } from '../lib/client';
import { errorCode, errorMessage } from '../lib/errors';
import { useSession } from '../lib/session';
import { useTRPC } from '../lib/trpc';
import { useWindowStore } from '../stores/window-store';
import { Shell } from './shell';
import { useApplyTheme } from './theme';

/**
 * The sign-in gate. Over HTTP the window needs a token; inside Electron the local database needs
 * none, so `users.me` decides: it answers, or says UNAUTHORIZED and the sign-in page shows.
 */
export function App({ transport }: { transport: Transport }) {
  useApplyTheme();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession((s) => s.session);
  const needsToken = transport === 'http' && !session;
  const me = useQuery({
    ...trpc.users.me.queryOptions(undefined, { retry: false, staleTime: 60_000 }),
    enabled: !needsToken,
  });

  // Signed out (or the session ended): forget every server answer and where this window was,
  // so the next person to sign in here sees nothing of the previous one.
  useEffect(() => {
    if (!session && transport === 'http') {
      queryClient.clear();
      useWindowStore.getState().reset();
    }
  }, [session, transport, queryClient]);

  if (needsToken || errorCode(me.error) === 'UNAUTHORIZED') return <SignInPage />;
  if (me.error) {
    return (
      <main className="splash" data-view="boot" data-state="error">
        <div className="splash-card" role="alert">
          <h1>Orgdesk cannot start</h1>
          <p>{errorMessage(me.error)}</p>
          <button type="button" className="button button-primary" onClick={() => void me.refetch()}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (!me.data) {
    return (
      <main className="splash" data-view="boot" data-state="loading" aria-busy="true">
        <div className="splash-card">
          <span className="spinner" aria-hidden="true" /> Loading Orgdesk…
        </div>
      </main>
    );
  }
  return <Shell me={me.data} transport={transport} />;
}
