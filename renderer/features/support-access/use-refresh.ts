import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTRPC } from '../../lib/trpc';

/** After a support-access change: status, requests and the audit trail all moved. */
export function useRefreshSupport() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(
    () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.supportAccess.pathKey() }),
        queryClient.invalidateQueries({ queryKey: trpc.audit.pathKey() }),
      ]),
    [trpc, queryClient],
  );
}
