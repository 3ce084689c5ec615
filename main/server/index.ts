// `npm run server`: the Orgdesk server with the configuration from the environment.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { systemClock } from '../core/clock';
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
import { SUPPORT_EXPIRY_LEASE } from '../features/support-access/support-access.expiry';
import { createServices } from '../services';
import { consoleLog, createServer } from './app';
import { bootstrap } from './bootstrap';
import { ConfigError, loadConfig } from './config';
import { openServerStorage } from './open-storage';

async function main(): Promise<void> {
  const config = loadConfig();
  const engine = await openServerStorage(config);
  for (const notice of engine.notices) process.stderr.write(`${notice}\n`);
  const services = createServices({
    storage: engine.storage,
    clock: systemClock,
    keys: engine.keys,
    // Names the signer of audit exports (AUD-2); the key itself is derived from the master key.
    installationLabel: `Orgdesk server ${config.publicUrl ?? hostname()}`,
    log: (line) => consoleLog.info(line),
  });
  // The first start provisions the account and its admin; replicas starting together on an
  // empty database do it once (the PostgreSQL storage's lock; the others then find the account).
  await engine.exclusive(() =>
    bootstrap({
      services,
      adminToken: config.adminToken,
      adminEmail: config.adminEmail,
      print: (line) => process.stdout.write(`${line}\n`),
    }),
  );
  const server = createServer({
    services,
    host: config.host,
    port: config.port,
    publicUrl: config.publicUrl,
    trustedProxies: config.trustedProxies,
    readiness: engine.readiness,
    tls: config.tls
      ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }
      : null,
    log: consoleLog,
  });
  const { url } = await server.listen();
  // Scheduled jobs: GOV-3 retention cleanup (hourly) and SUP-4/6 expiry of undecided requests
  // and ended grants in the audit trail (access itself never waits for this: it is checked per call).
  // SCALE-2: each under a named lease, so one replica runs it; another takes over when the
  // holder stops renewing (killed): when its lease runs out, a tick and a half after its last
  // renewal at most, plus the retry's margin (core/lease.ts nextLeaseAttempt).
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
  const expiry = new PeriodicJob({
    run: () => services.supportAccess.expireStale(),
    intervalMs: config.supportExpiryIntervalMs,
    lease: lease(SUPPORT_EXPIRY_LEASE, config.supportExpiryIntervalMs),
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
  process.stdout.write(`Orgdesk server listening on ${url} (${engine.where})\n`);

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
      // its next attempt instead of waiting for them to run out.
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
      .then(() => services.infra.storage.close())
      .then(() => engine.close())
      .then(() => {
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
