// `npm run bench`: builds the dataset in a temp dir, measures each figure next to a baseline from
// the same run, prints a table and writes bench/results.json (bench/results-<N>-orgs.json for other
// sizes, so the large run does not replace the default one). Not part of `npm test`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
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
import { heartbeatBenches } from './heartbeat-bench';
import { outboxBenches } from './outbox-bench';
import { restBenches } from './rest-bench';

// Besides --orgs, the published figures use these; a run with any other value is a trial.
const PUBLISHED = { hosts: '1000000', audit: '1000000', 'export-hosts': '100000', runs: '200' };

const { values } = parseArgs({
  options: {
    orgs: { type: 'string', default: '10000' },
    hosts: { type: 'string', default: PUBLISHED.hosts },
    audit: { type: 'string', default: PUBLISHED.audit },
    'export-hosts': { type: 'string', default: PUBLISHED['export-hosts'] },
    runs: { type: 'string', default: PUBLISHED.runs },
    keep: { type: 'boolean', default: false },
    // Development only: measure a dataset kept by an earlier --keep run instead of building one
    // (earlier runs will have added hosts to it, so published figures come from a fresh build).
    reuse: { type: 'string' },
    only: { type: 'string' },
  },
});

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
  try {
    if (want('orgs')) {
      rows.push(await hostCountsCatchUp(ds, services, opened.sqlite));
      rows.push(...(await orgPageBenches(ds, services, opened.sqlite, admin, runs)));
      rows.push(await hostCountsTick(ds, services));
    }
    if (want('resolve')) rows.push(resolveBench(ds));
    if (want('audit')) rows.push(await auditBench(ds, services, opened.sqlite, admin, runs));
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
    // Issue 15: signed heartbeats from a million distinct hosts (gives the Go hosts keys: last).
    if (want('heartbeat')) rows.push(...(await heartbeatBenches(ds)));
  } catch (err) {
    // A failed run leaves no gigabyte behind in the temp dir, unless asked to keep it.
    if (opened.sqlite.open) opened.close();
    if (!values.keep && !values.reuse) rmSync(ds.dir, { recursive: true, force: true });
    throw err;
  } finally {
    if (opened.sqlite.open) opened.close();
  }

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
