// Issue 18, the outbox's cost on registration (bench/outbox-bench.ts): the drain runs beside the
// registrations, on the same writer and event loop, several passes a second under load, so what
// a pass costs is what registration pays. These pin the cuts that the bench's figures led to.
import type Database from 'better-sqlite3';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PgIntegrationsRepo } from '../main/db/pg/repos/integrations';
import { SqliteIntegrationsRepo } from '../main/db/sqlite/repos/integrations';
import { nextPassDelay } from '../main/features/integrations/outbox-drainer';
import { sqliteOnly } from './fixtures/test-engine';
import { createWorld, type World } from './fixtures/world';

let w: World;
let destinationId: number;

beforeEach(async () => {
  w = await createWorld();
  // Discard (nothing listens on port 9): a UDP send succeeds whether or not anyone reads it.
  const d = await w.caller(w.admin).integrations.create({
    kind: 'syslog',
    url: 'udp://127.0.0.1:9',
  });
  destinationId = d.id;
  await w.services.infra.outbox.drainOnce();
});
afterEach(() => w.close());

/** Appends `n` audit entries in one transaction (each queues one outbox row). */
async function append(n: number): Promise<void> {
  await w.services.infra.uow.write(async (r) => {
    for (let i = 0; i < n; i++)
      await r.audit.record(w.admin, {
        accountId: w.accountId,
        action: 'organization.updated',
        targetType: 'organization',
        targetId: i,
      });
  });
}

interface Compiled {
  sql: string;
  /** The arguments of each run of the statement. */
  runs: unknown[][];
}

/**
 * Records the statements compiled on this connection while `fn` runs, and what each ran with:
 * better-sqlite3's own prepare, observed, so what the repositories really send is what is read.
 */
async function compiledDuring(fn: () => Promise<unknown>): Promise<Compiled[]> {
  const sqlite = w.opened.sqlite as Database.Database & { prepare: Database.Database['prepare'] };
  const prepare = sqlite.prepare.bind(sqlite);
  const out: Compiled[] = [];
  sqlite.prepare = ((source: string) => {
    const stmt = prepare(source);
    const c: Compiled = { sql: source, runs: [] };
    out.push(c);
    for (const m of ['all', 'get', 'run', 'iterate'] as const) {
      const orig = (stmt[m] as (...a: unknown[]) => unknown).bind(stmt);
      (stmt as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => {
        c.runs.push(args);
        return orig(...args);
      };
    }
    return stmt;
  }) as Database.Database['prepare'];
  try {
    await fn();
  } finally {
    delete (sqlite as { prepare?: unknown }).prepare;
  }
  return out;
}

const planOf = (c: Compiled): string =>
  (
    w.opened.sqlite.prepare(`EXPLAIN QUERY PLAN ${c.sql}`).all(...(c.runs[0] as never[])) as {
      detail: string;
    }[]
  )
    .map((r) => r.detail)
    .join(' | ');

describe.skipIf(
  sqliteOnly(
    "SQLite's query plans (EXPLAIN QUERY PLAN) and the statements better-sqlite3 prepares on " +
      "the one connection; PostgreSQL's outbox claim is raced in tests/pg/repos-c-outbox.test.ts",
  ),
)("the drain's cost", () => {
  it('a claim walks the outbox index in id order and stops at its limit: it sorts no backlog', async () => {
    await append(50);
    const compiled = await compiledDuring(async () => {
      const repo = new SqliteIntegrationsRepo(w.opened.db);
      const claimed = await repo.claim(destinationId, 10);
      // Sequence order all the same: id order is seq order within a destination.
      expect(claimed.map((e) => e.seq)).toEqual(
        [...claimed.map((e) => e.seq)].sort((a, b) => a - b),
      );
      expect(claimed.length).toBe(10);
    });
    const claim = compiled.filter((c) => /from "outbox" inner join "audit_entries"/i.test(c.sql));
    expect(claim.length).toBe(1);
    const plan = planOf(claim[0]!);
    expect(plan).toMatch(/SEARCH o(utbox)? USING (COVERING )?INDEX outbox_/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('a pass compiles no statement but the destination outcome (a dynamic set): the drain prepares its own once', async () => {
    await append(5);
    // The first pass after start may compile what the repositories did not need before.
    await w.services.infra.outbox.drainOnce();
    await append(5);
    const compiled = await compiledDuring(() => w.services.infra.outbox.drainOnce());
    expect(
      compiled.map((c) => c.sql).filter((s) => !/^update "integration_destinations"/.test(s)),
    ).toEqual([]);
  });
});

/** A plain-TCP syslog collector in the test process: RFC 6587 octet-counted frames, in order. */
async function tcpCollector() {
  const messages: string[] = [];
  const server = createTcpServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp === -1) break;
        const len = Number(buf.subarray(0, sp).toString());
        if (buf.length < sp + 1 + len) break;
        messages.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
        buf = buf.subarray(sp + 1 + len);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `tcp://127.0.0.1:${port}`,
    seqs: () => messages.map((m) => Number(/ seq="(\d+)"/.exec(m)![1])),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('dead letters', () => {
  it("a pass looks for dead letters at most once a minute: the scan of every pending row is not each pass's", async () => {
    // The expiry reads every pending row of the outbox (its age is in no index), inside the
    // claim's write transaction: under registration load the backlog is a second's entries or
    // more, and the passes run several times a second. A dead letter is due after 24 h; marking
    // it within the minute after loses nothing.
    const expire = [
      vi.spyOn(SqliteIntegrationsRepo.prototype, 'expire'),
      vi.spyOn(PgIntegrationsRepo.prototype, 'expire'),
    ];
    const scans = () => expire.reduce((n, s) => n + s.mock.calls.length, 0);
    try {
      // beforeEach's pass has just looked.
      for (let i = 0; i < 3; i++) {
        await append(5);
        expect(await w.services.infra.outbox.drainOnce()).toBe(5);
        w.clock.advance(10_000);
      }
      expect(scans()).toBe(0);
      w.clock.advance(30_000);
      await append(5);
      expect(await w.services.infra.outbox.drainOnce()).toBe(5);
      expect(scans()).toBe(1);
    } finally {
      for (const s of expire) s.mockRestore();
    }
  });
});

describe('fewer, fuller passes', () => {
  it('the worker runs the next pass at once only behind a full batch; otherwise it lets the next batch gather', () => {
    expect(nextPassDelay({ delivered: 500, full: true }, 1000)).toEqual({
      delayMs: 0,
      why: 'a full batch: a backlog is waiting, catch up',
    });
    // A pass that delivered a trickle used to run the next one at once: under registration load
    // the drain then ran pass after pass of a few dozen entries, each paying its transactions.
    expect(nextPassDelay({ delivered: 37, full: false }, 1000)).toEqual({
      delayMs: 1000,
      why: 'all caught up: let the next batch gather',
    });
    expect(nextPassDelay({ delivered: 0, full: false }, 1000).delayMs).toBe(1000);
    expect(nextPassDelay(null, 1000)).toEqual({
      delayMs: 1000,
      why: 'the pass failed: try again later',
    });
  });

  it('a backlog of more than a batch goes over full passes, then a partial one: every entry once, in sequence order', async () => {
    const collector = await tcpCollector();
    try {
      // Only the collector from here on: the discard destination of beforeEach is switched off.
      await w.caller(w.admin).integrations.update({ id: destinationId, patch: { enabled: false } });
      await w.caller(w.admin).integrations.create({ kind: 'syslog', url: collector.url });
      await w.services.infra.outbox.drainOnce();
      const before = collector.seqs().length;
      await append(1_100);
      const passes: [number, boolean][] = [];
      for (let i = 0; i < 4; i++) {
        passes.push([
          await w.services.infra.outbox.drainOnce(),
          w.services.infra.outbox.hadFullBatch(),
        ]);
      }
      expect(passes).toEqual([
        [500, true],
        [500, true],
        [100, false],
        [0, false],
      ]);
      const seqs = collector.seqs().slice(before);
      expect(seqs.length).toBe(1_100);
      expect(seqs).toEqual(Array.from(seqs, (_, i) => seqs[0]! + i));
    } finally {
      await collector.close();
    }
  });

  it('a batch interrupted halfway (the receiver fails its third request) resumes at the first undelivered entry: none lost, none reordered, none twice', async () => {
    process.env.ORGDESK_WEBHOOK_ALLOW_PRIVATE = '1';
    const w2 = await createWorld();
    const got: number[] = [];
    let answered = 0;
    const receiver = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        answered++;
        // The first batch: two accepted, then the receiver fails; accepted again from then on.
        const fail = answered === 3;
        if (!fail)
          got.push((JSON.parse(Buffer.concat(chunks).toString()) as { sequence: number }).sequence);
        res.writeHead(fail ? 503 : 200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      await w2.caller(w2.admin).integrations.create({ kind: 'webhook', url });
      // The creation's own entry is the first of the batch, with five more behind it.
      await w2.services.infra.uow.write(async (r) => {
        for (let i = 0; i < 5; i++)
          await r.audit.record(w2.admin, {
            accountId: w2.accountId,
            action: 'organization.updated',
            targetType: 'organization',
            targetId: i,
          });
      });
      expect(await w2.services.infra.outbox.drainOnce()).toBe(2);
      // Not before the backoff; then the rest, from the one that failed on.
      expect(await w2.services.infra.outbox.drainOnce()).toBe(0);
      w2.clock.advance(10_000);
      expect(await w2.services.infra.outbox.drainOnce()).toBe(4);
      expect(got.length).toBe(6);
      expect(got).toEqual(Array.from(got, (_, i) => got[0]! + i));
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
      await w2.close();
      delete process.env.ORGDESK_WEBHOOK_ALLOW_PRIVATE;
    }
  });
});
