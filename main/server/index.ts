// `npm run server`: the Orgdesk server with the configuration from the environment.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../core/clock';
import { FileKeyStore, StaticKeyStore, type KeyStore } from '../core/key-store';
import { openDatabase } from '../db/database';
import { leaseTtlFor } from '../core/lease';
import { PeriodicJob } from '../core/periodic-job';
import {
  SNAPSHOT_CHECK_INTERVAL_MS,
  SNAPSHOT_LEASE,
  SnapshotScheduler,
} from '../features/fleet/snapshot-scheduler';
import {
  DEFAULT_RETENTION_INTERVAL_MS,
  RETENTION_LEASE,
  RetentionScheduler,
} from '../features/governance/retention-scheduler';
import { HOST_COUNTS_LEASE, HostCountsScheduler } from '../features/hosts/host-status-counts';
import { HOST_COUNTS_REFRESH_MS } from '../../shared/constants';
import { OutboxWorker } from '../features/integrations/outbox-drainer';
import { createServices } from '../services';
import { sqliteStorage } from '../db/sqlite/storage';
import { consoleLog, createServer } from './app';
import { bootstrap } from './bootstrap';
import { ConfigError, loadConfig } from './config';
import { prepareDataDir } from './data-dir';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.database.engine !== 'sqlite') {
    // SCALE-1: the configuration is read and checked; composing the services on PostgreSQL is
    // the next step of issue 15. Until then, say so rather than start on the wrong database.
    throw new ConfigError(
      'ORGDESK_DATABASE_URL is set, but this build of the server runs on SQLite only (PostgreSQL ' +
        'serving is not composed yet; `npm run migrate` already migrates a PostgreSQL database). ' +
        'Unset ORGDESK_DATABASE_URL to run on SQLite in the data directory.',
    );
  }
  const dirWarning = prepareDataDir(config.dataDir);
  if (dirWarning) process.stderr.write(`${dirWarning}\n`);
  const keys: KeyStore = config.masterKey
    ? new StaticKeyStore(config.masterKey, 'ORGDESK_MASTER_KEY')
    : new FileKeyStore(join(config.dataDir, 'master.key'));
  const opened = openDatabase({ file: config.database.file });
  for (const notice of opened.notices) process.stderr.write(`${notice}\n`);
  const services = createServices({
    storage: sqliteStorage(opened.db),
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
    trustedProxies: config.trustedProxies,
    tls: config.tls
      ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }
      : null,
    log: consoleLog,
  });
  const { url } = await server.listen();
  // Scheduled jobs: GOV-3 retention cleanup (hourly) and SUP-4/6 expiry of undecided requests
  // and ended grants in the audit trail (access itself never waits for this: it is checked per call).
  // SCALE-2: each under a named lease, so one replica runs it; another takes over when the
  // holder stops renewing (killed), a tick and a half later at most.
  const lease = (name: string, intervalMs: number) =>
    services.infra.lease(name, leaseTtlFor(intervalMs));
  const retention = new RetentionScheduler({
    governance: services.governance,
    clock: systemClock,
    lease: lease(RETENTION_LEASE, DEFAULT_RETENTION_INTERVAL_MS),
    onError: (err) =>
      process.stderr.write(`Orgdesk: retention cleanup failed: ${(err as Error).message}\n`),
  });
  retention.start();
  // ORG-2: the host status counts behind sort=online|offline|stale, re-counted where time alone
  // moved a host across a threshold; the first pass (after an upgrade: every org) runs now.
  const hostCounts = new HostCountsScheduler({
    counts: services.infra.hostCounts,
    clock: systemClock,
    lease: lease(HOST_COUNTS_LEASE, HOST_COUNTS_REFRESH_MS),
    onError: (err) =>
      process.stderr.write(
        `Orgdesk: host status counts refresh failed: ${(err as Error).message}\n`,
      ),
  });
  void hostCounts.start();
  // UI-12: hourly health snapshots for the fleet chart, one taken at start-up (idempotent per hour).
  const snapshots = new SnapshotScheduler({
    snapshots: services.infra.fleetSnapshots,
    lease: lease(SNAPSHOT_LEASE, SNAPSHOT_CHECK_INTERVAL_MS),
    onError: (err) =>
      process.stderr.write(`Orgdesk: fleet snapshot failed: ${(err as Error).message}\n`),
  });
  snapshots.start();
  const EXPIRY_INTERVAL_MS = 5 * 60_000;
  const expiry = new PeriodicJob({
    run: () => services.supportAccess.expireStale(),
    intervalMs: EXPIRY_INTERVAL_MS,
    lease: lease('support-expiry', EXPIRY_INTERVAL_MS),
    onError: (err) =>
      process.stderr.write(`Orgdesk: support access expiry failed: ${(err as Error).message}\n`),
  });
  expiry.start();
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
    expiry.stop();
    process.stdout.write(`Orgdesk: ${signal} received, finishing requests in flight\n`);
    server
      .close()
      // A cleanup pass in flight finishes its batches before the database closes; a forwarding
      // pass in flight records its outcome and gives the lease up.
      // Passes in flight finish; the jobs' leases are given up, so another replica takes over at
      // its next tick instead of waiting for them to run out.
      .then(() =>
        Promise.all([
          retention.shutdown(),
          hostCounts.shutdown(),
          snapshots.shutdown(),
          expiry.shutdown(),
        ]),
      )
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
