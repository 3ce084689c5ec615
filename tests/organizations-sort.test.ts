// ORG-2 sort/order (UI-11): every key and direction, with every filter and page, against a
// reference computed here from the hosts themselves (hostStatus(), AGT-3) and the plain rule
// "by the key, ties by name then id"; and the per-org status counts behind the host-count keys:
// kept by triggers on every write, re-counted by the refresh job when time alone moves a host
// across a threshold, and always saying when they were exact.
import { TRPCError } from '@trpc/server';
import { eq, sql } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nameKey } from '../main/core/names';
import * as pgHostStats from '../main/db/pg/repos/host-stats';
import * as sqliteHostStats from '../main/db/sqlite/repos/host-stats';
import { orgSortPlan } from '../main/db/sqlite/repos/organizations-sql';
import { ORG_SORT_KEYS, SORT_ORDERS } from '../shared/constants';
import { hostStatus } from '../shared/schemas/hosts.schema';
import { mulberry32 } from '../bench/measure';
import Database from 'better-sqlite3';
import { HostCountsScheduler } from '../main/features/hosts/host-status-counts';
import { createExportWorld } from './fixtures/export-world';
import { sqlRows, sqlRun } from './fixtures/raw-sql';
import { t } from './fixtures/tables';
import { onPg, sqliteOnly } from './fixtures/test-engine';
import { createWorld, type World } from './fixtures/world';

let w: World;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** SQLite orders TEXT by its UTF-8 bytes (BINARY), not by UTF-16 code units as JS does. */
const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

interface Seeded {
  id: number;
  name: string;
  region: string | null;
  active: boolean;
  hosts: { lastSeenAt: number | null; registeredAt: number }[];
}

/** Each engine's twin of the host-status SQL (main/db/{sqlite,pg}/repos/host-stats.ts). */
const hostStatsFor = (db: World['db'], orgIds: number[], now: number) =>
  onPg
    ? pgHostStats.hostStatsFor(db as never, orgIds, now)
    : Promise.resolve(sqliteHostStats.hostStatsFor(db, orgIds, now));

async function locationOf(orgId: number): Promise<number> {
  const [loc] = await w.db
    .select()
    .from(t.locations)
    .where(eq(t.locations.organizationId, orgId))
    .limit(1);
  return loc!.id;
}

async function addHosts(org: Seeded, rows: Seeded['hosts']) {
  if (rows.length === 0) return;
  const loc = await locationOf(org.id);
  await w.db.insert(t.hosts).values(
    rows.map((r, i) => ({
      ...r,
      organizationId: org.id,
      locationId: loc,
      hostname: `h-${org.id}-${org.hosts.length + i}`,
      ip: '10.0.0.1',
      agentType: 'go' as const,
    })),
  );
  org.hosts.push(...rows);
}

/** 24 orgs: regions with ties and nulls, names whose case and bytes disagree, host counts with ties. */
async function seed(): Promise<Seeded[]> {
  const api = w.caller(w.admin);
  const rand = mulberry32(11);
  const now = w.clock.now();
  const names = ['alpha', 'Bravo', 'charlie', 'Delta', 'écho', 'Zulu', 'ábc', 'a-b'];
  const regions = ['eu', 'us', null, 'eu', 'apac'];
  const out: Seeded[] = [];
  for (let i = 0; i < 24; i++) {
    const name = `${names[i % names.length]} ${Math.floor(i / names.length)}`;
    const region = regions[i % regions.length] ?? null;
    const org = await api.organizations.create({ name, region, description: `org ${i}` });
    const s: Seeded = { id: org.id, name, region, active: true, hosts: [] };
    const n = Math.floor(rand() * 7);
    await addHosts(
      s,
      Array.from({ length: n }, () => {
        const r = rand();
        const registeredAt = now - Math.floor(rand() * 60 * DAY);
        return {
          registeredAt,
          lastSeenAt:
            r < 0.4
              ? now - Math.floor(rand() * 4 * MIN)
              : r < 0.7
                ? now - 10 * MIN - Math.floor(rand() * 20 * DAY)
                : r < 0.85
                  ? now - 40 * DAY
                  : null,
        };
      }),
    );
    out.push(s);
  }
  for (const s of out.filter((_, i) => i % 6 === 5)) {
    await api.organizations.delete({ id: s.id });
    s.active = false;
  }
  // Hosts written with a last-seen in the past are due at once: the job re-counts them at now.
  await w.services.infra.hostCounts.refreshDue(w.clock.now());
  return out;
}

function countsAt(s: Seeded, at: number) {
  const c = { online: 0, offline: 0, stale: 0, total: s.hosts.length };
  for (const h of s.hosts) c[hostStatus(h.lastSeenAt, h.registeredAt, at)]++;
  return c;
}

/** The reference: by the key in the asked direction, ties by name (bytes of the name key), then id. */
function referenceOrder(
  orgs: Seeded[],
  sort: (typeof ORG_SORT_KEYS)[number],
  order: 'asc' | 'desc',
  at: number,
): number[] {
  const dir = order === 'asc' ? 1 : -1;
  const key = (s: Seeded): number | string | null =>
    sort === 'name' ? nameKey(s.name) : sort === 'region' ? s.region : countsAt(s, at)[sort];
  const cmpKey = (a: Seeded, b: Seeded): number => {
    const ka = key(a);
    const kb = key(b);
    if (ka === kb) return 0;
    // A missing region sorts before every region (as SQLite orders NULL).
    if (ka === null) return -1;
    if (kb === null) return 1;
    return typeof ka === 'number' ? ka - (kb as number) : bytes(ka, kb as string);
  };
  return [...orgs]
    .sort((a, b) => {
      const k = cmpKey(a, b);
      if (k !== 0) return dir * k;
      // Sorting by name itself reverses the whole order; every other key breaks ties by name asc.
      const tie = sort === 'name' ? dir : 1;
      return tie * (bytes(nameKey(a.name), nameKey(b.name)) || a.id - b.id);
    })
    .map((s) => s.id);
}

const refresh = () => w.services.infra.hostCounts.refreshDue(w.clock.now());

describe('ORG-2 sort and order', () => {
  it('every key, both directions, every filter: the reference order, and each page is its slice', async () => {
    const orgs = await seed();
    const api = w.caller(w.admin);
    const now = w.clock.now();
    const filters: {
      name: string;
      input: Record<string, unknown>;
      pick: (s: Seeded) => boolean;
    }[] = [
      { name: 'active', input: {}, pick: (s) => s.active },
      { name: 'inactive', input: { is_active: false }, pick: (s) => !s.active },
      { name: 'all', input: { active_only: false }, pick: () => true },
      { name: 'region eu', input: { region: 'eu' }, pick: (s) => s.active && s.region === 'eu' },
      // Three characters (the trigram index) and one (instr), accents folded.
      { name: 'search', input: { search: 'ech' }, pick: (s) => s.active && /écho/.test(s.name) },
      {
        name: 'search 1',
        input: { search: 'a' },
        // 'ábc' too: accents are folded.
        pick: (s) => s.active && s.name.normalize('NFD').toLowerCase().includes('a'),
      },
    ];
    for (const f of filters) {
      const chosen = orgs.filter(f.pick);
      for (const sort of ORG_SORT_KEYS) {
        for (const order of SORT_ORDERS) {
          const label = `${f.name}, ${sort} ${order}`;
          const expected = referenceOrder(chosen, sort, order, now);
          const full = await api.organizations.list({ ...f.input, sort, order, limit: 1000 });
          expect(
            full.items.map((o) => o.id),
            label,
          ).toEqual(expected);
          expect(full.total, label).toBe(expected.length);
          // The stats shown are the ones sorted by, and they are the hosts' real statuses.
          for (const o of full.items) {
            const s = orgs.find((x) => x.id === o.id)!;
            expect({ ...o.stats, as_of: undefined }, `${label}: ${s.name}`).toEqual({
              ...countsAt(s, now),
              as_of: undefined,
            });
          }
          // Pages, from either end (the service walks deep skips from the end).
          for (const limit of [1, 4]) {
            for (let skip = 0; skip <= expected.length; skip += 3) {
              const page = await api.organizations.list({ ...f.input, sort, order, skip, limit });
              expect(
                page.items.map((o) => o.id),
                `${label} skip ${skip} limit ${limit}`,
              ).toEqual(expected.slice(skip, skip + limit));
              expect(page.total).toBe(expected.length);
            }
          }
        }
      }
    }
  });

  it('defaults to name ascending; names only the other keys as they are asked for', async () => {
    await seed();
    const api = w.caller(w.admin);
    const byDefault = await api.organizations.list();
    const byName = await api.organizations.list({ sort: 'name', order: 'asc' });
    expect(byDefault.items.map((o) => o.id)).toEqual(byName.items.map((o) => o.id));
    // Name-sorted pages count their stats live: no snapshot time.
    expect(byDefault.items[0]!.stats).not.toHaveProperty('as_of');
  });

  it('refuses an unknown sort key or order, naming the field and the choices', async () => {
    const api = w.caller(w.admin);
    const fail = async (input: Record<string, unknown>) => {
      const err = await api.organizations.list(input as never).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TRPCError);
      expect((err as TRPCError).code).toBe('BAD_REQUEST');
      return (err as TRPCError).message;
    };
    expect(await fail({ sort: 'hosts' })).toMatch(
      /sort must be one of name, region, online, offline, stale, total/,
    );
    expect(await fail({ order: 'up' })).toMatch(/order must be asc or desc/);
  });

  it("keeps to the caller's scope, also through the sort keys' own table", async () => {
    const orgs = await seed();
    const other = await w.otherAccount();
    await w.caller(other.admin).organizations.create({ name: 'aaa foreign' });
    const held = orgs.filter((s) => s.active).slice(0, 3);
    const reader = await w.userWith(
      w.accountId,
      held.map((s) => ({ role: 'reader' as const, orgId: s.id })),
    );
    for (const sort of ORG_SORT_KEYS) {
      const seen = await w.caller(reader).organizations.list({ sort, order: 'desc' });
      expect(seen.items.map((o) => o.id).sort()).toEqual(held.map((s) => s.id).sort());
      const foreign = await w.caller(other.admin).organizations.list({ sort });
      expect(foreign.items.map((o) => o.name)).toEqual(['aaa foreign']);
    }
  });
});

describe('ORG-2 host-count sort keys: exact on writes, refreshed when time moves', () => {
  it('a registration, a heartbeat and a removal re-sort at once; time alone waits for the job', async () => {
    const api = w.caller(w.admin);
    const a = await api.organizations.create({ name: 'A' });
    const b = await api.organizations.create({ name: 'B' });
    const reg = (secret: string, hostname: string) =>
      w.services.agents.register(secret, { hostname, ip: '10.1.0.1', agent_type: 'legacy' });
    const onlineFirst = async () =>
      (await api.organizations.list({ sort: 'online', order: 'desc' })).items.map((o) => [
        o.name,
        o.stats!.online,
        o.stats!.offline,
      ]);
    // A registration is a first heartbeat: online at once.
    const h1 = await reg(a.secret, 'a1');
    expect(await onlineFirst()).toEqual([
      ['A', 1, 0],
      ['B', 0, 0],
    ]);
    await reg(b.secret, 'b1');
    await reg(b.secret, 'b2');
    expect(await onlineFirst()).toEqual([
      ['B', 2, 0],
      ['A', 1, 0],
    ]);

    // Ten minutes without a heartbeat: every host is offline by the clock, but no row changed.
    w.clock.advance(10 * MIN);
    const waiting = await api.organizations.list({ sort: 'online', order: 'desc' });
    // The counts are the snapshot the page was sorted by, and say until when they were exact:
    // up to the moment the first host passed the 5-minute mark.
    expect(waiting.items.map((o) => [o.name, o.stats!.online])).toEqual([
      ['B', 2],
      ['A', 1],
    ]);
    const exactUntil = Date.parse(waiting.items[0]!.stats!.as_of!);
    expect(exactUntil).toBeLessThan(w.clock.now());
    expect(exactUntil).toBe(w.clock.now() - 10 * MIN + 5 * MIN);

    // The job re-counts what is due; then they are exact now.
    expect(await refresh()).toBe(2);
    const fresh = await api.organizations.list({ sort: 'offline', order: 'desc' });
    expect(fresh.items.map((o) => [o.name, o.stats!.online, o.stats!.offline])).toEqual([
      ['B', 0, 2],
      ['A', 0, 1],
    ]);
    expect(fresh.items.every((o) => o.stats!.as_of === new Date(w.clock.now()).toISOString())).toBe(
      true,
    );
    // Nothing due any more: a second run has nothing to do.
    expect(await refresh()).toBe(0);

    // A heartbeat brings A's host back at once; a removal takes B's away at once.
    await w.services.agents.heartbeat({
      hostId: String(h1.host_id),
      secret: a.secret,
      rawBody: Buffer.from('{}'),
      input: {},
    });
    const bHosts = await api.hosts.list({ organization_id: b.id });
    await api.hosts.remove({ id: bHosts.items[0]!.id });
    expect(await onlineFirst()).toEqual([
      ['A', 1, 0],
      ['B', 0, 1],
    ]);
  });

  it('a heartbeat that changes no status writes nothing but the host row', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Quiet' });
    const reg = await w.services.agents.register(org.secret, {
      hostname: 'steady',
      ip: '10.0.0.1',
      agent_type: 'legacy',
    });
    // The rows a heartbeat wrote. SQLite: every row changed on the connection (total_changes()).
    // PostgreSQL has no such counter: of the host row and its org's counts row, those that got a
    // new row version (xmin, the writing transaction, changes with every write of a row).
    const versions = async () =>
      sqlRows<{ v: string }>(
        w.db,
        sql`SELECT xmin::text AS v FROM hosts WHERE id = ${reg.host_id}
            UNION ALL
            SELECT xmin::text AS v FROM organization_host_counts WHERE organization_id = ${org.id}`,
      );
    let seen = onPg ? await versions() : [];
    const writes = async () => {
      if (!onPg) {
        return (await sqlRows<{ n: number }>(w.db, sql`SELECT total_changes() AS n`))[0]!.n;
      }
      const now = await versions();
      const changed = now.filter((r, i) => r.v !== seen[i]?.v).length;
      seen = now;
      return changed;
    };
    const beat = () =>
      w.services.agents.heartbeat({
        hostId: String(reg.host_id),
        secret: org.secret,
        rawBody: Buffer.from('{}'),
        input: {},
      });
    w.clock.advance(MIN);
    // On PostgreSQL writes() counts from the last call: `before` is then 0.
    let before = onPg ? (await writes(), 0) : await writes();
    await beat();
    // Online and online again: the counts trigger's WHERE is false.
    expect((await writes()) - before).toBe(1);
    // Back after ten minutes (offline at the counts' as_of once re-counted): the row changes.
    w.clock.advance(10 * MIN);
    await refresh();
    before = onPg ? (await writes(), 0) : await writes();
    await beat();
    expect((await writes()) - before).toBe(2);
  });

  it('random writes and clock moves: counts are the statuses at their as_of, exact wherever not due', async () => {
    const api = w.caller(w.admin);
    const orgIds: number[] = [];
    for (let i = 0; i < 4; i++) orgIds.push((await api.organizations.create({ name: `O${i}` })).id);
    const rand = mulberry32(99);
    const db = w.db;
    const kept = () =>
      sqlRows<{
        id: number;
        hosts: number;
        online: number;
        offline: number;
        stale: number;
        as_of: number;
        next_change_at: number | null;
      }>(
        db,
        sql`SELECT organization_id AS id, hosts, online, offline, stale, as_of, next_change_at
            FROM organization_host_counts ORDER BY organization_id`,
      );
    for (let step = 0; step < 400; step++) {
      const now = w.clock.now();
      const r = rand();
      const org = orgIds[Math.floor(rand() * orgIds.length)]!;
      const all = await db.select().from(t.hosts).orderBy(t.hosts.id);
      const some = all[Math.floor(rand() * all.length)];
      const ago = [0, 4 * MIN, 5 * MIN, 5 * MIN + 1, 6 * MIN, 30 * DAY, 30 * DAY + 1, 31 * DAY][
        Math.floor(rand() * 8)
      ]!;
      if (r < 0.3 || !some) {
        // Evaluated in the order the synchronous SQLite original drew them from rand().
        const locationId = await locationOf(org);
        const registeredAt = now - (rand() < 0.5 ? ago : 0);
        const lastSeenAt = rand() < 0.3 ? null : now - ago;
        await db.insert(t.hosts).values({
          organizationId: org,
          locationId,
          hostname: `h${step}`,
          ip: '10.0.0.1',
          agentType: 'go',
          registeredAt,
          lastSeenAt,
        });
      } else if (r < 0.5) {
        await db.update(t.hosts).set({ lastSeenAt: now }).where(eq(t.hosts.id, some.id));
      } else if (r < 0.6) {
        await db
          .update(t.hosts)
          .set({ lastSeenAt: now - ago })
          .where(eq(t.hosts.id, some.id));
      } else if (r < 0.7) {
        await db.delete(t.hosts).where(eq(t.hosts.id, some.id));
      } else if (r < 0.8) {
        // Moved to another org (with a location of that org), last seen changed in the same write.
        await db
          .update(t.hosts)
          .set({ organizationId: org, locationId: await locationOf(org), lastSeenAt: now - ago })
          .where(eq(t.hosts.id, some.id));
      } else if (r < 0.93) {
        w.clock.advance([MIN, 3 * MIN, 2 * DAY, 29 * DAY][Math.floor(rand() * 4)]!);
      } else {
        await refresh();
      }
      const at = w.clock.now();
      const rows = await db.select().from(t.hosts);
      const live = await hostStatsFor(db, orgIds, at);
      for (const c of await kept()) {
        const mine = rows.filter((h) => h.organizationId === c.id);
        // Invariant: the counts are exactly the statuses of today's rows at as_of …
        const atAsOf = { online: 0, offline: 0, stale: 0 };
        for (const h of mine) atAsOf[hostStatus(h.lastSeenAt, h.registeredAt, c.as_of)]++;
        expect(
          { hosts: c.hosts, online: c.online, offline: c.offline, stale: c.stale },
          `step ${step}`,
        ).toEqual({ hosts: mine.length, ...atAsOf });
        // … and they hold until next_change_at: before it, they are the live counts.
        if (c.next_change_at === null || at < c.next_change_at) {
          const l = live.get(c.id)!;
          expect(
            { online: c.online, offline: c.offline, stale: c.stale },
            `step ${step}, org ${c.id} not due`,
          ).toEqual({ online: l.online, offline: l.offline, stale: l.stale });
        }
      }
    }
  });

  it('keeps its copies of name, region and active flag equal to the orgs, and its totals', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Copy Me', region: 'eu' });
    await api.organizations.update({ id: org.id, patch: { name: 'Renamed', region: null } });
    await api.organizations.delete({ id: org.id });
    await api.organizations.create({ name: 'Second', region: 'us' });
    // SQLite's null-safe "IS NOT" is PostgreSQL's "IS DISTINCT FROM".
    const isNot = onPg ? 'IS DISTINCT FROM' : 'IS NOT';
    const drift = await sqlRows(
      w.db,
      sql.raw(
        `SELECT o.id FROM organizations o LEFT JOIN organization_host_counts c ON c.organization_id = o.id
         WHERE c.account_id ${isNot} o.account_id OR c.is_active ${isNot} o.is_active
            OR c.name_key ${isNot} o.name_key OR c.region ${isNot} o.region`,
      ),
    );
    expect(drift).toEqual([]);
  });
});

describe('ORG-2 host-count sort keys outside the live database', () => {
  it.skipIf(sqliteOnly('export runs on the desktop, over its local SQLite database'))(
    "an export carries its hosts' statuses counted at the export's time",
    async () => {
      const x = await createExportWorld();
      try {
        const { w: xw, acme } = x;
        // One of Acme's hosts went quiet an hour ago: offline now.
        xw.opened.sqlite
          .prepare("UPDATE hosts SET last_seen_at = ? WHERE hostname = 'laptop'")
          .run(xw.clock.now() - 60 * MIN);
        const { file } = await x.exporter.exportTo(
          xw.admin,
          { scope: 'organization', organization_id: acme.id },
          x.file('statuses.orgdesk-export'),
        );
        const live = (await hostStatsFor(xw.opened.db, [acme.id], xw.clock.now())).get(acme.id)!;
        expect(live.offline).toBe(1);
        const exported = new Database(file, { readonly: true });
        expect(
          exported
            .prepare(
              'SELECT hosts AS total, online, offline, stale, as_of FROM organization_host_counts',
            )
            .all(),
        ).toEqual([{ ...live, as_of: xw.clock.now() }]);
        exported.close();
      } finally {
        await x.w.close();
      }
    },
  );

  it('the scheduler re-counts at start and then on every tick, reporting errors', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Ticking' });
    await w.services.agents.register(org.secret, {
      hostname: 'h',
      ip: '10.0.0.1',
      agent_type: 'legacy',
    });
    let fire: (() => void) | null = null;
    const errors: unknown[] = [];
    const scheduler = new HostCountsScheduler({
      counts: w.services.infra.hostCounts,
      clock: w.clock,
      timers: {
        setInterval: (fn) => ((fire = fn), 'handle'),
        clearInterval: () => (fire = null),
      },
      onError: (e) => errors.push(e),
    });
    const offline = async () =>
      (await api.organizations.list({ sort: 'offline' })).items[0]!.stats!.offline;
    w.clock.advance(10 * MIN);
    expect(await offline()).toBe(0);
    await scheduler.start();
    expect(await offline()).toBe(1);
    // Back online, then quiet for ten minutes again: the next tick sees it.
    await sqlRun(w.db, sql`UPDATE hosts SET last_seen_at = ${w.clock.now()}`);
    expect(await offline()).toBe(0);
    w.clock.advance(10 * MIN);
    fire!();
    await scheduler.idle();
    expect(await offline()).toBe(1);
    scheduler.stop();
    expect(fire).toBeNull();
    expect(errors).toEqual([]);
  });
});

// tests/pg/org-sort-plans.test.ts reads PostgreSQL's plans of the same orders.
describe.skipIf(sqliteOnly("SQLite's query planner (EXPLAIN QUERY PLAN over orgSortPlan)"))(
  'ORG-2 sorted pages read their order from an index',
  () => {
    it('each key and direction walks its own index, with no sort step', async () => {
      const api = w.caller(w.admin);
      for (let i = 0; i < 30; i++)
        await api.organizations.create({ name: `Plan ${i}`, region: 'eu' });
      w.opened.sqlite.exec('ANALYZE');
      const plan = (
        sort: (typeof ORG_SORT_KEYS)[number],
        order: 'asc' | 'desc',
        reversed = false,
      ) => {
        const p = orgSortPlan(sort, order, reversed);
        const q = new SQLiteSyncDialect().sqlToQuery(
          sql`SELECT ${p.id} FROM ${p.from}
            WHERE ${p.accountId} = ${w.accountId} AND ${p.isActive} = 1
            ORDER BY ${sql.join(p.orderBy, sql`, `)} LIMIT 10`,
        );
        return (
          w.opened.sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as {
            detail: string;
          }[]
        )
          .map((r) => r.detail)
          .join(' | ');
      };
      for (const sort of ORG_SORT_KEYS) {
        for (const order of SORT_ORDERS) {
          // Forward for the first pages, and backward (the reversed order) for deep skips.
          for (const reversed of [false, true]) {
            const label = `${sort} ${order}${reversed ? ' reversed' : ''}`;
            const detail = plan(sort, order, reversed);
            expect(detail, label).toMatch(/USING COVERING INDEX/);
            expect(detail, label).not.toMatch(/TEMP B-TREE/);
          }
        }
      }
    });
  },
);
