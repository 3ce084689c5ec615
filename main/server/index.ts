// `npm run server`: the Orgdesk server with the configuration from the environment.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../core/clock';
import { FileKeyStore, StaticKeyStore, type KeyStore } from '../core/key-store';
import { openDatabase } from '../db/database';
import { SnapshotScheduler } from '../features/fleet/snapshot-scheduler';
import { RetentionScheduler } from '../features/governance/retention-scheduler';
import { HostCountsScheduler } from '../features/hosts/host-status-counts';
import { OutboxWorker } from '../features/integrations/outbox-drainer';
import { createServices } from '../services';
import { consoleLog, createServer } from './app';
import { bootstrap } from './bootstrap';
import { ConfigError, loadConfig } from './config';
import { prepareDataDir } from './data-dir';

async function main(): Promise<void> {
  const config = loadConfig();
  const dirWarning = prepareDataDir(config.dataDir);
  if (dirWarning) process.stderr.write(`${dirWarning}\n`);
  const keys: KeyStore = config.masterKey
    ? new StaticKeyStore(config.masterKey, 'ORGDESK_MASTER_KEY')
    : new FileKeyStore(join(config.dataDir, 'master.key'));
  const opened = openDatabase({ file: join(config.dataDir, 'orgdesk.db') });
  for (const notice of opened.notices) process.stderr.write(`${notice}\n`);
  const services = createServices({
    db: opened.db,
    clock: systemClock,
    keys,
    // Names the signer of audit exports (AUD-2); the key itself is derived from the master key.
    installationLabel: `Orgdesk server ${config.publicUrl ?? hostname()}`,
    log: (line) => consoleLog.info(line),
  });
  await bootstrap({
    services,
    adminToken: config.adminToken,
    adminEmail: config.adminEmail,
    print: (line) => process.stdout.write(`${line}\n`),
  });
  const server = createServer({
    services,
    host: config.host,
    port: config.port,
    publicUrl: config.publicUrl,
    tls: config.tls
      ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }
      : null,
    log: consoleLog,
  });
  const { url } = await server.listen();
  // Scheduled jobs: GOV-3 retention cleanup (hourly) and SUP-4/6 expiry of undecided requests
  // and ended grants in the audit trail (access itself never waits for this: it is checked per call).
  const retention = new RetentionScheduler({
    governance: services.governance,
    clock: systemClock,
    onError: (err) =>
      process.stderr.write(`Orgdesk: retention cleanup failed: ${(err as Error).message}\n`),
  });
  retention.start();
  // ORG-2: the host status counts behind sort=online|offline|stale, re-counted where time alone
  // moved a host across a threshold; the first pass (after an upgrade: every org) runs now.
  const hostCounts = new HostCountsScheduler({
    counts: services.infra.hostCounts,
    clock: systemClock,
    onError: (err) =>
      process.stderr.write(
        `Orgdesk: host status counts refresh failed: ${(err as Error).message}\n`,
      ),
  });
  hostCounts.start();
  // UI-12: hourly health snapshots for the fleet chart, one taken at start-up (idempotent per hour).
  const snapshots = new SnapshotScheduler({
    snapshots: services.infra.fleetSnapshots,
    onError: (err) =>
      process.stderr.write(`Orgdesk: fleet snapshot failed: ${(err as Error).message}\n`),
  });
  snapshots.start();
  const expiry = setInterval(() => {
    services.supportAccess.expireStale().catch((err: unknown) => {
      process.stderr.write(`Orgdesk: support access expiry failed: ${(err as Error).message}\n`);
    });
  }, 5 * 60_000);
  expiry.unref();
  // INT-1/INT-2: audit forwarding drains the outbox off the request path, every second; one
  // replica at a time holds the drain's lease (SCALE-2).
  const forwarding = new OutboxWorker(services.infra.outbox, {
    intervalMs: 1000,
    onError: (err) =>
      process.stderr.write(`Orgdesk: audit forwarding failed: ${(err as Error).message}\n`),
  });
  // What each drain pass cost, one JSON line each on stderr (bench/outbox-bench.ts reads it).
  if (process.env.ORGDESK_OUTBOX_TRACE === '1') {
    services.infra.outbox.observe((t) =>
      process.stderr.write(`orgdesk-outbox-pass ${JSON.stringify(t)}\n`),
    );
  }
  forwarding.start();
  // INT-3: notification emails, likewise off the request path under their own lease.
  const mailing = services.infra.email
    ? new OutboxWorker(services.infra.email, {
        intervalMs: 5000,
        onError: (err) =>
          process.stderr.write(`Orgdesk: notification email failed: ${(err as Error).message}\n`),
      })
    : null;
  mailing?.start();
  process.stdout.write(`Orgdesk server listening on ${url} (data in ${config.dataDir})\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      // A group signal can arrive twice (tsx relays it too): only a second Ctrl+C forces the exit.
      if (signal !== 'SIGINT') return;
      process.stderr.write('Orgdesk: interrupted again, exiting without waiting\n');
      process.exit(1);
    }
    stopping = true;
    retention.stop();
    hostCounts.stop();
    snapshots.stop();
    clearInterval(expiry);
    process.stdout.write(`Orgdesk: ${signal} received, finishing requests in flight\n`);
    server
      .close()
      // A cleanup pass in flight finishes its batches before the database closes; a forwarding
      // pass in flight records its outcome and gives the lease up.
      .then(() => retention.settled())
      .then(() => forwarding.stop())
      .then(() => mailing?.stop())
      .then(() => services.infra.offload.close())
      .then(() => {
        opened.close();
        process.stdout.write('Orgdesk server stopped\n');
        process.exit(0);
      })
      .catch((err: unknown) => {
        process.stderr.write(`Orgdesk: shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : ((err as Error)?.stack ?? String(err));
  process.stderr.write(`Orgdesk server could not start: ${message}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
