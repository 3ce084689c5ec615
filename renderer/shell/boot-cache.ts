// Hands the answers of the early calls (shell/early-boot.ts) to the query cache, under the keys
// the console's own queries use (taken from the tRPC options proxy, not spelled again here), so
// the first render finds them done (or, past the hold below, in flight).
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import type { TRPCClient } from '@trpc/client';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import type { AppRouter } from '../../main/trpc/router';
import type { Boot, BootCall } from './early-boot';

type KeyFn = { queryKey(input?: unknown): QueryKey };

/**
 * How long the first render waits for the early calls and the first view's chunk. Each render
 * the console would draw before them (the splash; the shell with skeleton rows) is a React
 * commit plus a style, layout and paint pass of its own, and together they cost the load more
 * than the wait; past this a slow server gets the splash, then the skeletons, as before.
 */
export const BOOT_HOLD_MS = 400;

/**
 * Resolves once every early call the first screen holds for has answered (or failed) and the
 * view's chunk is in, or at `ms`. The others (`hold: false`) are left in flight: the server
 * answers the boot's calls one after the other, and a filter's options, asked last, were the
 * last answer the table waited for.
 */
export function bootSettled(boot: Boot, ms = BOOT_HOLD_MS): Promise<void> {
  const held = boot.calls.filter((c) => c.hold);
  const all = Promise.allSettled([...held.map((c) => c.result), boot.view]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([all.then(() => undefined), late]).finally(() => clearTimeout(timer));
}

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
    const queryKey = procedure.queryKey(call.input);
    // An answer already in goes in as data at once: the first render reads it synchronously (a
    // prefetch of a settled promise would still leave the query pending for that render).
    if (call.answer) queryClient.setQueryData(queryKey, call.answer.value);
    else void queryClient.prefetchQuery({ queryKey, queryFn: () => call.result });
  }
}
