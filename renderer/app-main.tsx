// The console proper, loaded by main.tsx once the early calls are out (shell/early-boot.ts).
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createAppClient, type Transport } from './lib/client';
import { TRPCProvider } from './lib/trpc';
import { bootSettled, seedBootCalls } from './shell/boot-cache';
import type { Boot } from './shell/early-boot';
import { createQueryClient } from './shell/query-client';
import { App } from './shell/app';
import { createAppHistory, HistoryContext } from './shell/router';

export async function startConsole(bootTransport: Transport, boot: Boot): Promise<void> {
  // Chosen once for the life of the window: IPC inside Electron, HTTP in a browser; and with it
  // the window's history (hash inside Electron, real paths in a browser: shell/router.ts).
  const { client, transport } = createAppClient();
  if (transport !== bootTransport) throw new Error('the transport changed during boot');
  const queryClient = createQueryClient();
  const history = createAppHistory(transport);
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html lacks #root');

  // The first screen is drawn once, with its data (shell/boot-cache.ts).
  await bootSettled(boot);
  seedBootCalls(queryClient, client, boot.calls);

  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={client} queryClient={queryClient}>
          <HistoryContext.Provider value={history}>
            <App transport={transport} />
          </HistoryContext.Provider>
        </TRPCProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}
