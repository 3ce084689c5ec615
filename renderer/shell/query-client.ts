import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { errorCode, isClientError } from '../lib/errors';
import { useSession } from '../lib/session';

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
      },
      mutations: { retry: false },
    },
  });
}
