import { createTRPCClient, httpBatchLink, httpLink, type TRPCLink } from '@trpc/client';
import type { AppRouter } from '../../main/trpc/router';
import { MAX_TRPC_BATCH } from '../../shared/constants';
import { hasIpcBridge, ipcLink } from './ipc-link';
import { bearerToken } from './session';

export type Transport = 'ipc' | 'http';

export const TRPC_URL = '/trpc';

export const authHeaders = (token: string | null): Record<string, string> =>
  token ? { Authorization: `Bearer ${token}` } : {};

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
  return { transport, client: createTRPCClient<AppRouter>({ links: [link] }) };
}

/** A throwaway client for checking a pasted API token before this window adopts it. */
export function createProbeClient(token: string) {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: TRPC_URL, headers: () => authHeaders(token) })],
  });
}
