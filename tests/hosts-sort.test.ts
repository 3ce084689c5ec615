// UI-11 for the hosts table (AGT-4): hosts.list sorted server-side by hostname, IP, last seen,
// status or location, in either order, with every filter and page, against a reference computed
// here; and the search that also matches an IP (a prefix of it).
import { TRPCError } from '@trpc/server';
import { eq, sql } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nameKey } from '../main/core/names';
import { hosts } from '../main/db/schema';
import { hostSortSegments } from '../main/db/sqlite/repos/hosts-sql';
import { parseIp } from '../shared/cidr';
import { HOST_SORT_KEYS, SORT_ORDERS } from '../shared/constants';
import { hostStatus, type HostStatus } from '../shared/schemas/hosts.schema';
import { mulberry32 } from '../bench/measure';
import { goAgent, unixSeconds } from './fixtures/server';
import { t } from './fixtures/tables';
import { sqliteOnly } from './fixtures/test-engine';
import { createWorld, type Caller, type World } from './fixtures/world';

let w: World;
let api: Caller;
let orgId: number;
let secret: string;
let locs: { id: number; name: string }[];
beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
  const org = await api.organizations.create({ name: 'Acme' });
  orgId = org.id;
  secret = org.secret;
  const lab = await api.locations.create({
    organization_id: orgId,
    name: 'lab',
    subnets: ['10.9.0.0/16'],
  });
  const berlin = await api.locations.create({
    organization_id: orgId,
    name: 'Berlin',
    subnets: ['2001:db8::/32', '10.0.0.0/24'],
  });
  locs = [
    { id: org.default_location_id, name: 'Default' },
    { id: lab.id, name: 'lab' },
    { id: berlin.id, name: 'Berlin' },
  ];
});
afterEach(() => w.close());

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

interface Seeded {
  id: number;
  hostname: string;
  ip: string;
  locationId: number;
  lastSeenAt: number | null;
  registeredAt: number;
}

/** Hosts registered through the agent endpoint (the real write path), then aged by hand. */
async function seed(n = 40): Promise<Seeded[]> {
  const rand = mulberry32(5);
  const now = w.clock.now();
  const ips = ['10.0.0.9', '10.0.0.10', '10.0.0.1', '10.9.1.2', '10.9.10.2', '192.168.0.1'];
  ips.push('2001:db8::1', '2001:db8::10', '2001:DB8::9', '2001:db8:0:1::', '172.16.0.1');
  const names = ['web', 'Web', 'db', 'DB', 'mail', 'a_b', 'x-1'];
  const out: Seeded[] = [];
  for (let i = 0; i < n; i++) {
    const hostname = `${names[i % names.length]}-${Math.floor(rand() * 5)}${i % 3 ? '' : 'z'}${i}`;
    const ip = ips[Math.floor(rand() * ips.length)]!;
    const reg = await w.services.agents.register(secret, { hostname, ip, agent_type: 'legacy' });
    const r = rand();
    const registeredAt = now - Math.floor(rand() * 60 * DAY);
    // Ties on purpose: several hosts share a last-seen time.
    const lastSeenAt =
      r < 0.3
        ? now - [0, MIN, MIN, 5 * MIN][Math.floor(rand() * 4)]!
        : r < 0.6
          ? now - 5 * MIN - 1 - Math.floor(rand() * 3) * DAY
          : r < 0.8
            ? now - 31 * DAY - Math.floor(rand() * 3) * DAY
            : null;
    await w.db.update(t.hosts).set({ lastSeenAt, registeredAt }).where(eq(t.hosts.id, reg.host_id));
    out.push({
      id: reg.host_id,
      hostname,
      ip,
      locationId: reg.location_id,
      lastSeenAt,
      registeredAt,
    });
  }
  return out;
}

const RANK: Record<HostStatus, number> = { online: 0, offline: 1, stale: 2 };

/** The reference of each order, ascending; descending is its exact reverse. */
function reference(rows: Seeded[], sort: (typeof HOST_SORT_KEYS)[number], now: number): number[] {
  const name = (h: Seeded) => h.hostname.toLowerCase();
  const ip = (h: Seeded) => {
    const p = parseIp(h.ip)!;
    return [p.family, p.value] as const;
  };
  const loc = (h: Seeded) => nameKey(locs.find((l) => l.id === h.locationId)!.name);
  const cmp: Record<typeof sort, (a: Seeded, b: Seeded) => number> = {
    hostname: (a, b) => bytes(name(a), name(b)) || a.id - b.id,
    ip: (a, b) => {
      const [fa, va] = ip(a);
      const [fb, vb] = ip(b);
      return fa - fb || (va < vb ? -1 : va > vb ? 1 : 0) || a.id - b.id;
    },
    // Never seen counts as seen longest ago; ties by registration, then id.
    last_seen: (a, b) =>
      (a.lastSeenAt ?? -Infinity) - (b.lastSeenAt ?? -Infinity) ||
      a.registeredAt - b.registeredAt ||
      a.id - b.id,
    // Online, offline, stale; in each, the most recently seen first, never-seen hosts after the
    // seen ones (latest registered first).
    status: (a, b) =>
      RANK[hostStatus(a.lastSeenAt, a.registeredAt, now)] -
        RANK[hostStatus(b.lastSeenAt, b.registeredAt, now)] ||
      Number(a.lastSeenAt === null) - Number(b.lastSeenAt === null) ||
      (b.lastSeenAt ?? 0) - (a.lastSeenAt ?? 0) ||
      b.registeredAt - a.registeredAt ||
      b.id - a.id,
    location: (a, b) => bytes(loc(a), loc(b)) || bytes(name(a), name(b)) || a.id - b.id,
  };
  return [...rows].sort(cmp[sort]).map((h) => h.id);
}

describe('UI-11 hosts.list sort and order', () => {
  it('every key, both directions, every filter: the reference order, and each page is its slice', async () => {
    const rows = await seed();
    const now = w.clock.now();
    const filters: {
      name: string;
      input: Record<string, unknown>;
      pick: (h: Seeded) => boolean;
    }[] = [
      { name: 'all', input: {}, pick: () => true },
      {
        name: 'lab',
        input: { location_id: locs[1]!.id },
        pick: (h) => h.locationId === locs[1]!.id,
      },
      {
        name: 'offline',
        input: { status: 'offline' },
        pick: (h) => hostStatus(h.lastSeenAt, h.registeredAt, now) === 'offline',
      },
      { name: 'search web', input: { search: 'WEB' }, pick: (h) => /web/i.test(h.hostname) },
    ];
    for (const f of filters) {
      const chosen = rows.filter(f.pick);
      for (const sort of HOST_SORT_KEYS) {
        for (const order of SORT_ORDERS) {
          const label = `${f.name}, ${sort} ${order}`;
          const asc = reference(chosen, sort, now);
          const expected = order === 'asc' ? asc : [...asc].reverse();
          const all = await api.hosts.list({
            organization_id: orgId,
            ...f.input,
            sort,
            order,
            limit: 1000,
          });
          expect(
            all.items.map((h) => h.id),
            label,
          ).toEqual(expected);
          expect(all.total, label).toBe(expected.length);
          for (const limit of [1, 7]) {
            for (let skip = 0; skip <= expected.length; skip += 5) {
              const page = await api.hosts.list({
                organization_id: orgId,
                ...f.input,
                sort,
                order,
                skip,
                limit,
              });
              expect(
                page.items.map((h) => h.id),
                `${label} skip ${skip} limit ${limit}`,
              ).toEqual(expected.slice(skip, skip + limit));
              expect(page.total).toBe(expected.length);
            }
          }
        }
      }
    }
  });

  it('defaults to hostname ascending, and refuses an unknown key or order naming the field', async () => {
    await seed(10);
    const byDefault = await api.hosts.list({ organization_id: orgId });
    const byName = await api.hosts.list({ organization_id: orgId, sort: 'hostname', order: 'asc' });
    expect(byDefault.items.map((h) => h.id)).toEqual(byName.items.map((h) => h.id));
    for (const [input, message] of [
      [{ sort: 'name' }, /sort must be one of hostname, ip, last_seen, status, location/],
      [{ order: 'down' }, /order must be asc or desc/],
    ] as const) {
      const err = await api.hosts.list({ organization_id: orgId, ...input } as never).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TRPCError);
      expect((err as TRPCError).code).toBe('BAD_REQUEST');
      expect((err as TRPCError).message).toMatch(message);
    }
  });

  it('keeps each sort key current through re-registration and a heartbeat from a new IP', async () => {
    const a = await w.services.agents.register(secret, {
      hostname: 'alpha',
      ip: '10.0.0.20',
      agent_type: 'legacy',
    });
    await w.services.agents.register(secret, {
      hostname: 'beta',
      ip: '10.0.0.3',
      agent_type: 'legacy',
    });
    const byIp = async () =>
      (await api.hosts.list({ organization_id: orgId, sort: 'ip' })).items.map((h) => h.hostname);
    expect(await byIp()).toEqual(['beta', 'alpha']);
    // The same host (hostnames ignore case), from a lower address now.
    await w.services.agents.register(secret, {
      hostname: 'ALPHA',
      ip: '10.0.0.2',
      agent_type: 'legacy',
    });
    expect(await byIp()).toEqual(['ALPHA', 'beta']);
    await w.services.agents.heartbeat({
      hostId: String(a.host_id),
      secret,
      rawBody: Buffer.from(JSON.stringify({ ip: '2001:db8::5' })),
      input: { ip: '2001:db8::5' },
    });
    expect(await byIp()).toEqual(['beta', 'ALPHA']);
    // A Go agent's signed heartbeat from a new IP moves its sort key too.
    const agent = goAgent();
    const go = await w.services.agents.register(secret, {
      hostname: 'gamma',
      ip: '10.0.0.1',
      agent_type: 'go',
      public_key: agent.publicKey,
    });
    expect(await byIp()).toEqual(['gamma', 'beta', 'ALPHA']);
    const body = JSON.stringify({ ip: '10.0.0.9' });
    const timestamp = unixSeconds(w.clock);
    await w.services.agents.heartbeat({
      hostId: String(go.host_id),
      timestamp: String(timestamp),
      signature: agent.sign(go.host_id, timestamp, body),
      rawBody: Buffer.from(body),
      input: { ip: '10.0.0.9' },
    });
    expect(await byIp()).toEqual(['beta', 'gamma', 'ALPHA']);
  });
});

describe('AGT-4 host search by IP (a prefix of the address)', () => {
  it('matches a hostname substring, or the start of the IP, literally and ignoring case', async () => {
    for (const [hostname, ip] of [
      ['web-1', '10.0.0.1'],
      ['web-2', '10.0.0.12'],
      ['db-1', '10.9.1.2'],
      ['v6', '2001:db8::a1'],
      ['x_y', '192.168.1.10'],
    ] as const) {
      await w.services.agents.register(secret, { hostname, ip, agent_type: 'legacy' });
    }
    const found = async (search: string) =>
      (await api.hosts.list({ organization_id: orgId, search })).items.map((h) => h.hostname);
    expect(await found('10.0.0.1')).toEqual(['web-1', 'web-2']);
    expect(await found('10.0.0.12')).toEqual(['web-2']);
    expect(await found('10.9.')).toEqual(['db-1']);
    expect(await found('2001:DB8::A')).toEqual(['v6']);
    // Not a prefix of any IP: only what the hostnames hold.
    expect(await found('.0.1')).toEqual([]);
    expect(await found('1.10')).toEqual([]);
    expect(await found('web')).toEqual(['web-1', 'web-2']);
    // Wildcards are literal on both sides.
    expect(await found('10._')).toEqual([]);
    expect(await found('10.%')).toEqual([]);
    expect(await found('_')).toEqual(['x_y']);
  });
});

describe.skipIf(
  sqliteOnly(
    "SQLite's query planner (EXPLAIN QUERY PLAN over hostSortSegments, the SQLite repo's SQL)",
  ),
)('UI-11 sorted host pages read their order from an index', () => {
  it('each key and direction, segment by segment, walks an index with no sort step', async () => {
    await seed(30);
    w.opened.sqlite.exec('ANALYZE');
    const dialect = new SQLiteSyncDialect();
    for (const sort of HOST_SORT_KEYS) {
      for (const order of SORT_ORDERS) {
        const segments = hostSortSegments(
          sort,
          order,
          w.clock.now(),
          locs.map((l) => l.id),
        );
        for (const seg of segments) {
          const q = dialect.sqlToQuery(
            sql`SELECT ${hosts.id} FROM ${hosts}
                WHERE ${hosts.organizationId} = ${orgId}${seg.where ? sql` AND ${seg.where}` : sql``}
                ORDER BY ${sql.join(seg.orderBy, sql`, `)} LIMIT 10`,
          );
          const detail = (
            w.opened.sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as {
              detail: string;
            }[]
          )
            .map((r) => r.detail)
            .join(' | ');
          expect(detail, `${sort} ${order}`).toMatch(/USING (COVERING )?INDEX hosts_/);
          expect(detail, `${sort} ${order}`).not.toMatch(/TEMP B-TREE/);
        }
      }
    }
  });
});
