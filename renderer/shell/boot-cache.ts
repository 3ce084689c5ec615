// Hands the answers of the early calls (shell/early-boot.ts) to the query cache, under the keys
// the console's own queries use (taken from the tRPC options proxy, not spelled again here), so
// the first render finds them in flight or done.
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import type { TRPCClient } from '@trpc/client';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import type { AppRouter } from '../../main/trpc/router';
import type { BootCall } from './early-boot';

type KeyFn = { queryKey(input?: unknown): QueryKey };

export function seedBootCalls(
  queryClient: QueryClient,
  client: TRPCClient<AppRouter>,
  calls: readonly BootCall[],
): void {
  const proxy = createTRPCOptionsProxy<AppRouter>({ client, queryClient });
  for (const call of calls) {
    const procedure = call.path
      .split('.')
      .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], proxy) as KeyFn;
    void queryClient.prefetchQuery({
      queryKey: procedure.queryKey(call.input),
      queryFn: () => call.result,
    });
  }
}
