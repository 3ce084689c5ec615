// Issue 18, the outbox's cost on registration (bench/outbox-bench.ts): the drain runs beside the
// registrations, on the same writer and event loop, several passes a second under load, so what
// a pass costs is what registration pays. These pin the cuts that the bench's figures led to.
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteIntegrationsRepo } from '../main/db/sqlite/repos/integrations';
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

describe("the drain's cost", () => {
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
