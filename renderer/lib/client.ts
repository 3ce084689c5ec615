import { createTRPCClient, httpBatchLink, httpLink, type TRPCLink } from '@trpc/client';
import type { AppRouter } from '../../main/trpc/router';
import { MAX_TRPC_BATCH } from '../../shared/constants';
import { hasIpcBridge, ipcLink } from './ipc-link';
import { bearerToken } from './session';
import { stepUpLink } from './step-up-link';
import { authHeaders, TRPC_URL, type Transport } from './transport';

export { authHeaders, TRPC_URL, type Transport };

/**
 * The one client of this window. The link is chosen once, at boot: IPC inside Electron (the
 * preload bridge exists), HTTP to the serving Orgdesk server otherwise. Procedures never know.
 */
export function createAppClient() {
  const transport: Transport = hasIpcBridge() ? 'ipc' : 'http';
  const link: TRPCLink<AppRouter> =
    transport === 'ipc'
      ? ipcLink()
      : httpBatchLink({
          url: TRPC_URL,
          // The server refuses larger batches (API-3): the link splits them instead.
          maxItems: MAX_TRPC_BATCH,
          headers: () => authHeaders(bearerToken()),
        });
  // IDN-3: a call that needs a step-up asks for a code in place, then goes on.
  return { transport, client: createTRPCClient<AppRouter>({ links: [stepUpLink(), link] }) };
}

/** A throwaway client for checking a pasted API token before this window adopts it. */
export function createProbeClient(token: string) {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: TRPC_URL, headers: () => authHeaders(token) })],
  });
}
