import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTRPC } from './trpc';

/** After a mutation: refetch everything of the touched features (lists, details, stats). */
export function useInvalidate() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(
    (...features: ('organizations' | 'locations' | 'hosts' | 'workflows' | 'governance')[]) =>
      Promise.all(
        features.map((f) => queryClient.invalidateQueries({ queryKey: trpc[f].pathKey() })),
      ),
    [trpc, queryClient],
  );
}
