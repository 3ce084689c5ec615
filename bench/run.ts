// `npm run bench`: builds the dataset in a temp dir, measures each figure next to a baseline from
// the same run, prints a table and writes bench/results.json (bench/results-<N>-orgs.json for other
// sizes, so the large run does not replace the default one). Not part of `npm test`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ManualClock } from '../main/core/clock';
import { FileKeyStore } from '../main/core/key-store';
import { openDatabase } from '../main/db/database';
import { createServices } from '../main/services';
import { sqliteStorage } from '../main/db/sqlite/storage';
import { buildDataset, loadDataset, saveDataset, type Dataset, type DatasetSize } from './dataset';
import {
  auditBench,
  hostCountsCatchUp,
  hostCountsTick,
  orgPageBenches,
  resolveBench,
  type Row,
} from './db-benches';
import { browserBench } from './browser-bench';
import { eventLoopBench } from './event-loop-bench';
import { exportBench } from './export-bench';
import { extraBenches } from './extra-benches';
import { heartbeatBenches, sqliteDurability } from './heartbeat-bench';
import { outboxBenches } from './outbox-bench';
import { restBenches } from './rest-bench';
import { pgAuditBench, pgOrgPageBenches } from './pg-benches';
import { loadPgDataset, type PgDataset } from './pg-dataset';
import { appRouter } from '../main/trpc/router';
import { createCallerFactory } from '../main/trpc/trpc';

/** The PostgreSQL copy's figures and the server's settings, stated beside the PG rows. */
function pgLoadRow(p: PgDataset): Row {
  const s = p.settings;
  const rows = Object.values(p.tables).reduce((a, b) => a + b, 0);
  return {
    name: `PostgreSQL ${s.server_version}: the dataset copied from SQLite (${rows.toLocaleString('en-US')} rows, ids kept)`,
    figure: `copy ${p.copySeconds.toFixed(1)} s, then VACUUM (ANALYZE) ${p.vacuumSeconds.toFixed(1)} s`,
    baseline: `fsync=${s.fsync}, synchronous_commit=${s.synchronous_commit}, full_page_writes=${s.full_page_writes}, shared_buffers=${s.shared_buffers}, work_mem=${s.work_mem}, jit=${s.jit}`,
    ratio: '–',
    target: 'report',
    met: null,
    raw: {
      engine: 'pg',
      settings: s,
      tables: p.tables,
      copySeconds: p.copySeconds,
      vacuumSeconds: p.vacuumSeconds,
    },
  };
}

// Besides --orgs, the published figures use these; a run with any other value is a trial.
const PUBLISHED = {
  hosts: '1000000',
  audit: '1000000',
  'export-hosts': '100000',
  runs: '200',
  heartbeats: '250000',
};

const { values } = parseArgs({
  options: {
    orgs: { type: 'string', default: '10000' },
    hosts: { type: 'string', default: PUBLISHED.hosts },
    audit: { type: 'string', default: PUBLISHED.audit },
    'export-hosts': { type: 'string', default: PUBLISHED['export-hosts'] },
    runs: { type: 'string', default: PUBLISHED.runs },
    // Signed ahead of each heartbeat run (each host once per run): fewer for quick trials.
    heartbeats: { type: 'string', default: PUBLISHED.heartbeats },
    keep: { type: 'boolean', default: false },
    // Development only: measure a dataset kept by an earlier --keep run instead of building one
    // (earlier runs will have added hosts to it, so published figures come from a fresh build).
    reuse: { type: 'string' },
    only: { type: 'string' },
    // Issue 15: the ORG-2, audit and heartbeat rows on SQLite (the default), PostgreSQL, or both.
    engine: { type: 'string', default: 'sqlite' },
  },
});

if (!['sqlite', 'pg', 'both'].includes(values.engine!)) {
  console.error(`bench: --engine is sqlite, pg or both (not ${values.engine})`);
  process.exit(2);
}
const onSqlite = values.engine !== 'pg';
const onPg = values.engine !== 'sqlite';

const size: DatasetSize = {
  orgs: Number(values.orgs),
  hosts: Number(values.hosts),
  subnetsPerOrg: 50,
  bigOrgSubnets: 10_000,
  auditEntries: Number(values.audit),
  exportOrgHosts: Math.min(Number(values['export-hosts']), Number(values.hosts)),
};
const runs = Number(values.runs);

function table(rows: Row[]): string {
  const head = ['benchmark', 'Orgdesk', 'baseline (same run)', 'ratio', 'target', 'met'];
  const body = rows.map((r) => [
    r.name,
    r.figure,
    r.baseline,
    r.ratio,
    r.target,
    r.met === null ? '–' : r.met ? 'yes' : 'NO',
  ]);
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...body.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

function build(): Dataset {
  const dir = mkdtempSync(join(tmpdir(), 'orgdesk-bench-'));
  console.log(
    `bench: building ${size.orgs.toLocaleString('en-US')} orgs, ${size.hosts.toLocaleString('en-US')} hosts, ${size.auditEntries.toLocaleString('en-US')} audit entries in ${dir}`,
  );
  const ds = buildDataset(dir, size);
  console.log(`bench: dataset built in ${ds.buildSeconds.toFixed(1)} s`);
  if (values.keep) saveDataset(ds);
  return ds;
}

async function main() {
  const ds = values.reuse ? loadDataset(values.reuse) : build();

  const opened = openDatabase({ file: ds.file });
  const clock = new ManualClock(ds.now);
  const services = createServices({
    storage: sqliteStorage(opened.db),
    clock,
    keys: new FileKeyStore(join(ds.dir, 'master.key')),
  });
  const admin = (await services.auth.actorForUser(ds.adminUserId))!;
  const rows: Row[] = [];
  const want = (name: string) => !values.only || values.only.split(',').includes(name);
  // With PostgreSQL in the run, each SQLite row of the two engines' benches says its engine.
  const sqliteRow = (r: Row): Row =>
    onPg ? { ...r, name: `${r.name} — SQLite`, raw: { engine: 'sqlite', ...r.raw } } : r;
  let pgds: PgDataset | undefined;
  try {
    if (want('orgs') || want('audit')) {
      // The counts as a server keeps them at the dataset's time: what both engines then read.
      const catchUp = await hostCountsCatchUp(ds, services, opened.sqlite);
      if (want('orgs')) rows.push(sqliteRow(catchUp));
    }
    // One copy for every PostgreSQL row; the heartbeat rows (last) keep it until then.
    if (onPg && (want('orgs') || want('audit') || want('heartbeat'))) {
      pgds = await loadPgDataset(opened.sqlite);
      rows.push(pgLoadRow(pgds));
    }
    if (want('orgs')) {
      if (onSqlite) {
        rows.push(
          ...(await orgPageBenches(ds, services, opened.sqlite, admin, runs)).map(sqliteRow),
        );
      }
      if (pgds) {
        const caller = createCallerFactory(appRouter)({
          services,
          actor: admin,
          serverUrl: 'http://bench',
        });
        rows.push(
          ...(await pgOrgPageBenches(ds, pgds, admin, runs, async (c) => {
            const page = await caller.organizations.list({
              limit: 100,
              skip: c.skip,
              include_stats: true,
              ...(c.search ? { search: c.search } : {}),
              ...(c.region ? { region: c.region } : {}),
              ...(c.sort ? { sort: c.sort, order: c.order } : {}),
            });
            return {
              total: page.total,
              ids: page.items.map(
                (o) => `${o.id}:${o.stats!.total}/${o.stats!.online}/${o.stats!.stale}`,
              ),
            };
          })),
        );
      }
      if (onSqlite) rows.push(sqliteRow(await hostCountsTick(ds, services)));
    }
    if (want('resolve')) rows.push(resolveBench(ds));
    if (want('audit')) {
      if (onSqlite)
        rows.push(sqliteRow(await auditBench(ds, services, opened.sqlite, admin, runs)));
      if (pgds) rows.push(await pgAuditBench(ds, pgds, admin, runs));
    }
    if (!want('heartbeat')) {
      await pgds?.close();
      pgds = undefined;
    }
    if (want('rest')) rows.push(...(await restBenches(ds, services, admin, runs)));
    opened.close();
    // Before registration, which adds hosts to the first orgs (the export org among them).
    if (want('export')) rows.push(...(await exportBench(ds, runs)));
    if (want('browser')) rows.push(...(await browserBench(ds, runs)));
    // Before registration, which adds hosts: the heavy requests read the dataset as built.
    if (want('eventloop')) rows.push(...(await eventLoopBench(ds)));
    rows.push(...(await extraBenches(ds, want)));
    // Issue 18: the outbox's cost on registration, and forwarding to rsyslog over TLS.
    rows.push(...(await outboxBenches(ds, want)));
    // Issue 15: signed heartbeats from a million distinct hosts (gives the Go hosts keys: last),
    // on one SQLite process, one and two PostgreSQL replicas, and the failover of one of two.
    if (want('heartbeat')) {
      rows.push(
        ...(await heartbeatBenches(ds, {
          sqlite: onSqlite,
          pg: pgds,
          heartbeats: Number(values.heartbeats),
        })),
      );
    }
    await pgds?.close();
    pgds = undefined;
  } catch (err) {
    // A failed run leaves no gigabyte behind in the temp dir, unless asked to keep it.
    await pgds?.close();
    if (opened.sqlite.open) opened.close();
    if (!values.keep && !values.reuse) rmSync(ds.dir, { recursive: true, force: true });
    throw err;
  } finally {
    if (opened.sqlite.open) opened.close();
  }

  const pgSettings = rows.find((r) => r.raw.engine === 'pg' && r.raw.settings)?.raw.settings as
    Record<string, string> | undefined;
  const out = table(rows);
  console.log(`\n${out}\n`);
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    platform: process.platform,
  };
  // Only a complete run on a fresh dataset of the published size may replace the published
  // figures: a trial (--only, --reuse, other sizes or runs) must not overwrite them half-measured.
  const trial =
    values.only !== undefined ||
    values.reuse !== undefined ||
    Object.entries(PUBLISHED).some(([k, v]) => values[k as keyof typeof PUBLISHED] !== v);
  const resultsFile =
    ds.size.orgs === 10_000 ? 'results.json' : `results-${ds.size.orgs}-orgs.json`;
  console.log(`bench: machine ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  console.log(
    `bench: load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')} (at the end)`,
  );
  // Durability beside every figure: SQLite as the server opens its file, the bench cluster's own.
  const pgDurability = pgSettings
    ? `; PostgreSQL ${pgSettings.server_version} fsync=${pgSettings.fsync}, synchronous_commit=${pgSettings.synchronous_commit}, full_page_writes=${pgSettings.full_page_writes}, shared_buffers=${pgSettings.shared_buffers}`
    : '';
  console.log(`bench: ${sqliteDurability(ds.file)}${pgDurability}`);
  if (trial) {
    console.log(`bench: a trial run (--only, --reuse or another size): bench/${resultsFile} kept`);
  } else {
    writeFileSync(
      join(import.meta.dirname, resultsFile),
      JSON.stringify(
        {
          at: new Date().toISOString(),
          machine,
          dataset: { ...ds.size, buildSeconds: ds.buildSeconds },
          rows,
        },
        null,
        2,
      ) + '\n',
    );
    console.log(`bench: wrote bench/${resultsFile}`);
  }
  if (values.reuse) return;
  if (!values.keep) rmSync(ds.dir, { recursive: true, force: true });
  else console.log(`bench: kept ${ds.dir} (rerun with --reuse ${ds.dir})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
