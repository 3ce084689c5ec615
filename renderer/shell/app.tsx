import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { SignInPage } from '../features/auth/sign-in-page';
import { StepUpDialog } from '../components/step-up-dialog';
import { EnrolmentGate } from '../features/security/enrolment-gate';
import { isAccountAdmin } from '../lib/permissions';
import type { Transport } from '../lib/client';
import { errorCode, errorMessage } from '../lib/errors';
import { onShellEvent } from '../lib/ipc-link';
import { followOtherTabs, useSession } from '../lib/session';
import { useTRPC } from '../lib/trpc';
import { useFilterMemory } from '../stores/filter-memory-store';
import { useNavigation } from './navigation';
import { Shell } from './shell';
import { useApplyTheme } from './theme';

/**
 * The sign-in gate. Over HTTP the window needs a token; inside Electron the local database needs
 * none, so `users.me` decides: it answers, or says UNAUTHORIZED and the sign-in page shows. The
 * URL is left as it is, so signing in lands where the link pointed.
 */
export function App({ transport }: { transport: Transport }) {
  useApplyTheme();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const nav = useNavigation();
  const session = useSession((s) => s.session);
  const notice = useSession((s) => s.notice);
  const needsToken = transport === 'http' && !session;
  const me = useQuery({
    ...trpc.users.me.queryOptions(undefined, { retry: false, staleTime: 60_000 }),
    enabled: !needsToken,
  });
  // IDN-1: under "Require MFA" a user without a second factor sees enrolment and nothing else.
  const mfa = useQuery({
    ...trpc.auth.mfaStatus.queryOptions(undefined, { retry: false, staleTime: 60_000 }),
    enabled: transport === 'http' && !needsToken && !!me.data,
  });
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({ onSettled: () => useSession.getState().end() }),
  );

  // UI-10: the tabs of this browser share one session; another tab's sign-in or sign-out is
  // this tab's too.
  useEffect(() => (transport === 'http' ? followOtherTabs() : undefined), [transport]);

  // Signed out, or another token now: forget every server answer and every remembered filter, so
  // the next person to sign in here sees nothing of the previous one. A sign-out (not an expired
  // session, which the same person signs back into) also leaves the place the URL named.
  const token = session?.token ?? null;
  const previous = useRef(token);
  useEffect(() => {
    const before = previous.current;
    previous.current = token;
    if (transport !== 'http' || before === token) return;
    queryClient.removeQueries({ type: 'inactive' });
    void queryClient.resetQueries();
    useFilterMemory.getState().reset();
    if (before !== null && (token !== null || notice === null)) {
      void nav.openAll(undefined, { replace: true });
    }
  }, [token, notice, transport, queryClient, nav]);

  // Inside Electron: another data source (session-changed); none of its answers, places or
  // filters are this one's. Handled here, above the splash: the reset unmounts the whole console
  // until `users.me` answers again, and a listener in Shell missed a second change arriving
  // meanwhile (a review closed by its checksum right after it opened, EXP-2), so the closed
  // review's session stayed cached and its banner came back with the console.
  useEffect(
    () =>
      onShellEvent((event) => {
        if (event.type !== 'session-changed') return;
        useFilterMemory.getState().reset();
        void nav.openAll(undefined, { replace: true });
        void queryClient.resetQueries();
      }),
    [queryClient, nav],
  );

  if (needsToken || errorCode(me.error) === 'UNAUTHORIZED') return <SignInPage />;
  // A failed refresh of an already known caller keeps the console up (and its drafts with it).
  if (me.error && !me.data) {
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
  // Over HTTP the console waits for the second-factor state too, so a user who must enrol never
  // sees the console's calls refused first.
  if (!me.data || (transport === 'http' && mfa.isLoading)) {
    return (
      <main className="splash" data-view="boot" data-state="loading" aria-busy="true">
        <div className="splash-card">
          <span className="spinner" aria-hidden="true" /> Loading Orgdesk…
        </div>
      </main>
    );
  }
  if (mfa.data?.required_by_account && mfa.data.totp !== 'enrolled' && mfa.data.passkeys === 0) {
    return (
      <EnrolmentGate accountAdmin={isAccountAdmin(me.data)} onSignOut={() => logout.mutate()} />
    );
  }
  return (
    <>
      <Shell me={me.data} transport={transport} />
      <StepUpDialog />
    </>
  );
}
