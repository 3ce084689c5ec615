// Issue 18's two rows (--only outbox): what the outbox costs registration over HTTP (one enabled
// syslog destination on the registering account against none, in the same run), and how many
// audit entries per second the drainer forwards to a real rsyslog over TLS.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { systemClock } from '../main/core/clock';
import { FileKeyStore } from '../main/core/key-store';
import { openDatabase } from '../main/db/database';
import { createServices } from '../main/services';
import { sqliteStorage } from '../main/db/sqlite/storage';
import { startRsyslog } from '../tests/fixtures/rsyslog';
import type { Dataset } from './dataset';
import type { Row } from './db-benches';
import { startServer } from './extra-benches';

const SECONDS = 8;

async function servicesOf(ds: Dataset) {
  const opened = openDatabase({ file: ds.file });
  const services = createServices({
    storage: sqliteStorage(opened.db),
    clock: systemClock,
    keys: new FileKeyStore(join(ds.dir, 'master.key')),
  });
  const admin = (await services.auth.actorForUser(ds.adminUserId))!;
  return { opened, services, admin };
}

async function registrations(url: string, secrets: string[], from: number): Promise<number> {
  let n = from;
  const result = await autocannon({
    url: `${url}/api/v1/agents/register`,
    connections: 32,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          n++;
          const org = n % secrets.length;
          return {
            ...req,
            headers: { 'content-type': 'application/json', 'x-organization-secret': secrets[org]! },
            body: JSON.stringify({
              hostname: `outbox-bench-${n}`,
              ip: `10.${n % 200}.${(n >> 8) % 256}.${n % 250}`,
              agent_type: 'legacy',
            }),
          };
        },
      },
    ],
  });
  if (result.non2xx > 0) throw new Error(`${result.non2xx} registrations failed`);
  return result.requests.average;
}

export async function outboxBenches(ds: Dataset, want: (name: string) => boolean): Promise<Row[]> {
  if (!want('outbox')) return [];
  const rows: Row[] = [];
  const secrets = [...ds.secrets.values()].slice(0, 50);

  // (a) Registration with and without a destination, same server process, same run. The two
  // alternate (none, with, none, with), so neither gets the emptier tables or the cooler machine;
  // the destination is switched by enabling it, as an admin would.
  const server = await startServer(ds.dir);
  const runs = { none: [] as number[], with: [] as number[] };
  try {
    await registrations(server.url, secrets, 200_000); // warm-up
    const s = await servicesOf(ds);
    // Discard: nothing listens on port 9; the server's drainer sends the entries anyway.
    const dest = await s.services.integrations.create(s.admin, {
      kind: 'syslog',
      url: 'udp://127.0.0.1:9',
    });
    const id = dest.id;
    const enable = (enabled: boolean) =>
      s.services.integrations.update(s.admin, { id, patch: { enabled } });
    try {
      let from = 300_000;
      for (let i = 0; i < 2; i++) {
        await enable(false);
        runs.none.push(await registrations(server.url, secrets, (from += 100_000)));
        await enable(true);
        runs.with.push(await registrations(server.url, secrets, (from += 100_000)));
      }
    } finally {
      await s.services.infra.offload.close();
      s.opened.close();
    }
  } finally {
    await server.stop();
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const none = mean(runs.none);
  const withDest = mean(runs.with);
  const cost = 1 - withDest / none;
  rows.push({
    name: `INT-1 outbox cost on registration over HTTP (one enabled syslog destination, 32 connections, 2 × ${SECONDS} s each way, alternated)`,
    figure: `${Math.round(withDest).toLocaleString('en-US')} req/s with the destination`,
    baseline: `${Math.round(none).toLocaleString('en-US')} req/s without`,
    ratio: `${(cost * 100).toFixed(1)}% slower`,
    target: '≤ 10%',
    met: cost <= 0.1,
    raw: { withDest, none, cost, runs },
  });

  // (b) Forwarding throughput to rsyslog over TLS.
  if (!existsSync('/usr/sbin/rsyslogd')) {
    rows.push({
      name: 'INT-1 forwarding to rsyslog over TLS',
      figure: 'skipped: rsyslogd is not installed (apt-get install rsyslog rsyslog-gnutls)',
      baseline: '–',
      ratio: '–',
      target: 'report',
      met: null,
      raw: {},
    });
    return rows;
  }
  const collector = await startRsyslog({ tls: true });
  const s = await servicesOf(ds);
  try {
    // Only the new collector: the discard destination of (a) is turned off.
    for (const d of await s.services.integrations.list(s.admin))
      await s.services.integrations.update(s.admin, { id: d.id, patch: { enabled: false } });
    await s.services.integrations.create(s.admin, {
      kind: 'syslog',
      url: `tls://localhost:${collector.port}`,
      ca_pem: collector.caPem,
    });
    await s.services.infra.outbox.drainOnce();
    const before = collector.lines().length;
    const entries = 20_000;
    for (let i = 0; i < entries; i += 500) {
      await s.services.infra.uow.write(async (r) => {
        for (let j = i; j < i + 500; j++)
          await r.audit.record(s.admin, {
            accountId: ds.accountId,
            action: 'bench.forwarded',
            targetType: 'bench',
            targetId: j,
          });
      });
    }
    const t0 = performance.now();
    while ((await s.services.infra.outbox.drainOnce()) > 0);
    // Until the collector has written them all.
    while (collector.lines().length - before < entries) {
      await new Promise((r) => setTimeout(r, 20));
      if (performance.now() - t0 > 120_000) throw new Error('rsyslog did not receive every entry');
    }
    const perSec = entries / ((performance.now() - t0) / 1000);
    rows.push({
      name: `INT-1 forwarding to rsyslog over TLS (${entries.toLocaleString('en-US')} entries, RFC 5425 framing)`,
      figure: `${Math.round(perSec).toLocaleString('en-US')} entries/s`,
      baseline: '–',
      ratio: '–',
      target: 'report',
      met: null,
      raw: { perSec, entries },
    });
  } finally {
    await s.services.infra.offload.close();
    s.opened.close();
    await collector.close();
  }
  return rows;
}
