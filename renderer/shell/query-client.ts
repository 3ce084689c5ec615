import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { errorCode, isClientError } from '../lib/errors';
import { useSession } from '../lib/session';

/**
 * UI-14: how old what a visible window shows may get. Every query the window is showing refetches
 * this often while the window is visible (not in the background: a hidden tab asks nothing), and
 * again when the window regains focus; the Refresh control does it at once. One value for every
 * transport; e2e specs move the page's clock past it rather than change it.
 */
export const LIVE_REFRESH_MS = 30_000;

/** Server data lives here only; a 401 anywhere means the session ended, so sign in again. */
export function createQueryClient(): QueryClient {
  const onError = (err: unknown) => {
    if (errorCode(err) === 'UNAUTHORIZED' && useSession.getState().session) {
      useSession.getState().end('Your session has ended; sign in again.');
    }
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        retry: (count, err) => !isClientError(err) && count < 2,
        refetchOnWindowFocus: true,
        refetchInterval: LIVE_REFRESH_MS,
        refetchIntervalInBackground: false,
      },
      mutations: { retry: false },
    },
  });
}
