// Starts the real Orgdesk server (main/server/app.ts, what `npm run server` runs) on a seeded data
// dir, on 127.0.0.1 and a free port, serving the console built into dist/renderer.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { systemClock } from '../../main/core/clock';
import { FileKeyStore } from '../../main/core/key-store';
import { openDatabase } from '../../main/db/database';
import { HostCountsScheduler } from '../../main/features/hosts/host-status-counts';
import { OutboxWorker } from '../../main/features/integrations/outbox-drainer';
import { createServer } from '../../main/server/app';
import { OpenIdClientProvider } from '../../main/features/sso/oidc-client';
import { createServices } from '../../main/services';
import { sqliteStorage } from '../../main/db/sqlite/storage';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

const RENDERER = resolve('dist/renderer');

export async function startServer(dataDir: string): Promise<RunningServer> {
  if (!existsSync(join(RENDERER, 'index.html'))) {
    throw new Error('dist/renderer is missing: run `vite build` first (npm run test:e2e does)');
  }
  // The same wiring as main/server/index.ts, with the data dir of this test.
  const opened = openDatabase({ file: join(dataDir, 'orgdesk.db') });
  const services = createServices({
    storage: sqliteStorage(opened.db, { guardTransactions: true }),
    clock: systemClock,
    keys: new FileKeyStore(join(dataDir, 'master.key')),
    // Issue 14: a unit of work that awaits real I/O inside its transaction fails the run.
    // IDN-4: the tests' OpenID provider listens on 127.0.0.1 over plain http.
    oidcProvider: new OpenIdClientProvider({ allowLoopbackHttp: true }),
    // INT-2: the e2e receivers listen on loopback, in the test process.
    webhookAllowPrivate: true,
  });
  const server = createServer({
    services,
    host: '127.0.0.1',
    port: 0,
    staticDir: RENDERER,
    // Request lines would drown the test report; failures still show.
    log: { info: () => {}, error: (line) => process.stderr.write(`[server] ${line}\n`) },
  });
  const { url } = await server.listen();
  // ORG-2's host status counts, re-counted as main/server/index.ts does (the seed wrote hosts
  // at past moments of its clock: the first pass counts them at the real time).
  const hostCounts = new HostCountsScheduler({
    counts: services.infra.hostCounts,
    clock: systemClock,
  });
  void hostCounts.start();
  // INT-1/INT-2: the outbox drained as main/server/index.ts does (more often: tests wait on it).
  const forwarding = new OutboxWorker(services.infra.outbox, {
    intervalMs: 200,
    onError: (err) => process.stderr.write(`[server] outbox: ${(err as Error).message}\n`),
  });
  forwarding.start();
  return {
    url,
    // As main/server/index.ts shuts down: the read workers stop before the database closes
    // (and before the test removes the data dir).
    stop: async () => {
      hostCounts.stop();
      await server.close();
      await hostCounts.idle();
      await forwarding.stop();
      await services.infra.offload.close();
      opened.close();
    },
  };
}
