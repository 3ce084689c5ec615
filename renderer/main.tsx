import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createAppClient } from './lib/client';
import { TRPCProvider } from './lib/trpc';
import { App } from './shell/app';
import { createQueryClient } from './shell/query-client';
import './styles.css';

// Chosen once for the life of the window: IPC inside Electron, HTTP in a browser.
const { client, transport } = createAppClient();
const queryClient = createQueryClient();

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={client} queryClient={queryClient}>
        <App transport={transport} />
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
);
