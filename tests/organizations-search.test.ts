// ORG-2 at scale: the trigram index behind search and the range counts behind host stats must
// answer exactly what the plain definitions answer (substring of name/description; hostStatus()).
import { and, count, eq, sql } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { organizations } from '../main/db/schema';
import * as pgHostStats from '../main/db/pg/repos/host-stats';
import * as sqliteHostStats from '../main/db/sqlite/repos/host-stats';
import { searchPlan } from '../main/db/sqlite/repos/organizations-sql';
import { hostStatus } from '../shared/schemas/hosts.schema';
import { mulberry32 } from '../bench/measure';
import { normalizeName } from '../shared/names';
import Database from 'better-sqlite3';
import { createExportWorld } from './fixtures/export-world';
import { sqlRows } from './fixtures/raw-sql';
import { t } from './fixtures/tables';
import { onPg, sqliteOnly } from './fixtures/test-engine';
import { createWorld, type World } from './fixtures/world';

let w: World;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

const names = async (search: string) =>
  (await w.caller(w.admin).organizations.list({ search, limit: 500 })).items.map((o) => o.name);

/**
 * The reference of ORG-2's matching, spelled out here independently of shared/org-search.ts:
 * lower-cased without locale, accents folded (canonical decomposition, the combining diacritics
 * U+0300–U+036F dropped, the letters with a stroke that have no decomposition mapped to their
 * base letter, then recomposed), and a plain substring test.
 */
const STROKES: Record<string, string> = {
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ħ: 'h',
  ŧ: 't',
  ƀ: 'b',
  ƶ: 'z',
  ǥ: 'g',
  ɨ: 'i',
};
const fold = (s: string) =>
  s
    .toLocaleLowerCase('en-US')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[łøđħŧƀƶǥɨ]/g, (c) => STROKES[c]!)
    .normalize('NFC');
const literalMatch = (name: string, description: string | undefined, term: string) =>
  fold(`${name}\n${description ?? ''}`).includes(fold(term.trim()));

describe('ORG-2 search through the trigram index', () => {
  it('agrees with a literal accent- and case-insensitive substring test, terms of every length', async () => {
    const rand = mulberry32(42);
    // With letters that Unicode case folding merges but lower-casing keeps apart (ſ and s, ς and
    // σ): a case-insensitive index would match them to each other. With accents composed and
    // decomposed (é, e + U+0301), a bare combining mark, stroked letters (ł, Ø) and scripts
    // whose marks are not accents (Hangul, kana): they must fold exactly as the reference does.
    const alphabet = ['a', 'b', 'A', 'B', ' ', '-', '%', '_', '"', 'é', 'É', 'ß', '1', 'ü'];
    alphabet.push('s', 'ſ', 'ς', 'σ', 'Σ', 'İ', 'i');
    alphabet.push('e', 'è', 'È', '\u0301', 'ł', 'Ø', 'o', '한', '하', 'が', 'か');
    const pick = (n: number) =>
      Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    const api = w.caller(w.admin);
    const created: { name: string; description: string | undefined; raw: string }[] = [];
    for (let i = 0; i < 60; i++) {
      // Trimmed as the API trims them, and the name NFC-normalised as the API stores it.
      const name = normalizeName(`${pick(1 + Math.floor(rand() * 6))}${i}`.trim());
      const description = rand() < 0.5 ? pick(8).trim() || undefined : undefined;
      await api.organizations.create({ name, description });
      created.push({ name, description, raw: `${name}\n${description ?? ''}` });
    }
    // The stored text is the reference's folding of name and description.
    const stored = await sqlRows<{ name: string; text: string }>(
      w.db,
      sql`SELECT name, search_text AS text FROM organizations`,
    );
    expect(stored).toHaveLength(created.length);
    for (const o of created) {
      expect(stored.find((r) => r.name === o.name)?.text).toBe(fold(o.raw));
    }
    for (let k = 0; k < 200; k++) {
      // Terms cut from the unfolded text (so they carry accents, marks and capitals), or random.
      const source = created[Math.floor(rand() * created.length)]!.raw;
      const len = 1 + Math.floor(rand() * 5);
      const at = Math.floor(rand() * Math.max(1, source.length - len));
      // The API trims the term, and an empty one is no filter: compare what is searched.
      const term = (rand() < 0.8 ? source.slice(at, at + len) : pick(len)).trim() || 'ab';
      // A slice across the name/description separator (a line break) is no search term: the
      // API refuses control characters, so nothing can match across the two fields.
      if (term.includes('\n')) {
        await expect(names(term)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
        continue;
      }
      const expected = created
        .filter((o) => literalMatch(o.name, o.description, term))
        .map((o) => o.name)
        .sort();
      expect((await names(term)).sort(), `search ${JSON.stringify(term)}`).toEqual(expected);
    }
  });

  it('follows renames, description changes and deletes (no stale or ghost matches)', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Bravo Works', description: 'harbour' });
    expect(await names('bravo')).toEqual(['Bravo Works']);
    await api.organizations.update({
      id: org.id,
      patch: { name: 'Zulu Works', description: 'airport' },
    });
    expect(await names('bravo')).toEqual([]);
    expect(await names('harbour')).toEqual([]);
    expect(await names('zulu')).toEqual(['Zulu Works']);
    expect(await names('airp')).toEqual(['Zulu Works']);
    await api.organizations.delete({ id: org.id, hard_delete: true });
    expect(await names('zulu')).toEqual([]);
  });

  it("keeps to the caller's scope: another account's orgs and unheld orgs never match", async () => {
    const api = w.caller(w.admin);
    const held = await api.organizations.create({ name: 'Harbour North' });
    await api.organizations.create({ name: 'Harbour South' });
    await api.organizations
      .create({ name: 'Harbour Closed' })
      .then((o) => api.organizations.delete({ id: o.id }));
    const other = await w.otherAccount();
    await w.caller(other.admin).organizations.create({ name: 'Harbour Elsewhere' });
    const reader = await w.userWith(w.accountId, [{ role: 'reader', orgId: held.id }]);
    for (const term of ['harbour', 'ha']) {
      const seen = async (actor: typeof w.admin, input = {}) =>
        (await w.caller(actor).organizations.list({ search: term, ...input })).items
          .map((o) => o.name)
          .sort();
      expect(await seen(w.admin), term).toEqual(['Harbour North', 'Harbour South']);
      expect(await seen(w.admin, { is_active: false }), term).toEqual(['Harbour Closed']);
      expect(await seen(reader), term).toEqual(['Harbour North']);
      expect(await seen(other.admin), term).toEqual(['Harbour Elsewhere']);
    }
  });

  // tests/pg/search-index.test.ts reads PostgreSQL's plan of its GIN trigram index.
  it.skipIf(sqliteOnly("SQLite's query planner over its FTS5 trigram table and covering indexes"))(
    'uses the trigram index from three characters on, and a covering index below',
    async () => {
      // Enough orgs that the planner's statistics (gathered at open) tell the indexes apart.
      const api = w.caller(w.admin);
      for (let i = 0; i < 30; i++) await api.organizations.create({ name: `Plan ${i}` });
      w.opened.sqlite.exec('ANALYZE');
      const plan = (search: string) => {
        const p = searchPlan(search);
        const q = new SQLiteSyncDialect().sqlToQuery(
          sql`SELECT ${organizations.id} FROM ${p.from}
            WHERE ${organizations.accountId} = ${w.accountId} AND ${organizations.isActive} = 1
              AND ${p.where}
            ORDER BY ${organizations.nameKey}, ${organizations.id}`,
        );
        return (
          w.opened.sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as {
            detail: string;
          }[]
        )
          .map((r) => r.detail)
          .join(' | ');
      };
      expect(plan('bra')).toMatch(/SCAN organizations_search VIRTUAL TABLE INDEX/);
      expect(plan('bra')).toMatch(/USING COVERING INDEX organizations_id_scope_idx/);
      expect(plan('br')).not.toMatch(/organizations_search/);
      // The one- and two-character test reads search_text from an index, not the table rows.
      expect(plan('br')).toMatch(/USING COVERING INDEX organizations_account_active_search_idx/);
    },
  );
});

describe('ORG-2 paging from either end', () => {
  it('every skip and limit gives the slice of the full name order, past the middle too', async () => {
    const api = w.caller(w.admin);
    for (const name of ['delta', 'Alpha', 'echo', 'Bravo', 'charlie', 'Foxtrot', 'golf']) {
      await api.organizations.create({ name });
      await api.organizations.create({ name: `${name} 2` });
    }
    const all = (await api.organizations.list({ limit: 500 })).items.map((o) => o.id);
    expect(all).toHaveLength(14);
    for (const limit of [1, 3, 5, 14]) {
      for (let skip = 0; skip <= 15; skip++) {
        const page = await api.organizations.list({ skip, limit });
        expect(page.total).toBe(14);
        expect(
          page.items.map((o) => o.id),
          `skip ${skip} limit ${limit}`,
        ).toEqual(all.slice(skip, skip + limit));
      }
    }
  });
});

describe('AGT-3 statuses as index ranges (ORG-2 stats, the hosts filter)', () => {
  // Each engine's twin of the status SQL (main/db/{sqlite,pg}/repos/host-stats.ts), over its tables.
  const { hostStatsFor, statusFilter } = onPg ? pgHostStats : sqliteHostStats;
  it('stats and the status filter equal hostStatus() host by host, at any clock', async () => {
    const org = await w.caller(w.admin).organizations.create({ name: 'Stats' });
    const [loc] = await w.db
      .select()
      .from(t.locations)
      .where(eq(t.locations.organizationId, org.id));
    const rand = mulberry32(7);
    const now = w.clock.now();
    const MIN = 60_000;
    const DAY = 24 * 60 * MIN;
    const rows = Array.from({ length: 300 }, (_, i) => {
      const registeredAt = now - Math.floor(rand() * 60 * DAY);
      const r = rand();
      const lastSeenAt =
        r < 0.1
          ? null
          : r < 0.2
            ? now - 5 * MIN // the online boundary
            : r < 0.3
              ? now - 30 * DAY // the stale boundary
              : now - Math.floor(rand() * 45 * DAY);
      return { registeredAt, lastSeenAt, hostname: `h${i}` };
    });
    await w.db.insert(t.hosts).values(
      rows.map((r) => ({
        ...r,
        organizationId: org.id,
        locationId: loc!.id,
        ip: '10.0.0.1',
        agentType: 'go' as const,
      })),
    );
    for (const at of [now, now + 1, now + 3 * MIN, now + 20 * DAY, now + 100 * DAY]) {
      const expected = { online: 0, offline: 0, stale: 0, total: rows.length };
      for (const r of rows) expected[hostStatus(r.lastSeenAt, r.registeredAt, at)]++;
      expect(await hostStatsFor(w.db as never, [org.id, 999_999], at)).toEqual(
        new Map([
          [org.id, expected],
          [999_999, { online: 0, offline: 0, stale: 0, total: 0 }],
        ]),
      );
      for (const status of ['online', 'offline', 'stale'] as const) {
        const [{ n }] = (await w.db
          .select({ n: count() })
          .from(t.hosts)
          .where(and(eq(t.hosts.organizationId, org.id), statusFilter(status, at)))) as [
          { n: number },
        ];
        expect(n, `${status} at +${at - now} ms`).toBe(expected[status]);
      }
    }
  });
});

describe('organization_host_counts (kept by triggers)', () => {
  /** Every org's kept count next to count(*) over its hosts (a missing row is drift too). */
  const DRIFT = `SELECT o.id, c.hosts AS kept, (SELECT count(*) FROM hosts h WHERE h.organization_id = o.id) AS actual
     FROM organizations o LEFT JOIN organization_host_counts c ON c.organization_id = o.id
     WHERE coalesce(c.hosts, -1) <> (SELECT count(*) FROM hosts h WHERE h.organization_id = o.id)`;
  /** In an export file (always SQLite). */
  const fileDrift = (sqlite: Database.Database) => sqlite.prepare(DRIFT).all();
  /** In the world's database, on the engine the test runs on. */
  const drift = (w: World) => sqlRows(w.db, sql.raw(DRIFT));

  it('stay exact through registration, re-registration and removal', async () => {
    const api = w.caller(w.admin);
    const acme = await api.organizations.create({ name: 'Acme' });
    for (let i = 0; i < 5; i++)
      await w.services.agents.register(acme.secret, {
        hostname: `extra-${i}`,
        ip: `10.9.0.${i}`,
        agent_type: 'legacy',
      });
    // Re-registration of the same hostname is not a new host.
    await w.services.agents.register(acme.secret, {
      hostname: 'EXTRA-0',
      ip: '10.9.0.9',
      agent_type: 'legacy',
    });
    const page = await api.hosts.list({ organization_id: acme.id, limit: 100 });
    expect(page.total).toBe(5);
    await api.hosts.remove({ id: page.items[0]!.id });
    const [kept] = await w.db
      .select({ n: t.organizationHostCounts.hosts })
      .from(t.organizationHostCounts)
      .where(eq(t.organizationHostCounts.organizationId, acme.id));
    expect(kept!.n).toBe(4);
    expect(await drift(w)).toEqual([]);
  });

  // Export and restore are the desktop's (main/desktop/export), over its SQLite database.
  it.skipIf(sqliteOnly('export and restore run on the desktop, over its local SQLite database'))(
    'stay exact through registration, removal, export and restore',
    async () => {
      const x = await createExportWorld();
      try {
        const { w, acme } = x;
        for (let i = 0; i < 5; i++)
          await w.services.agents.register(acme.secret, {
            hostname: `extra-${i}`,
            ip: `10.9.0.${i}`,
            agent_type: 'legacy',
          });
        // Re-registration of the same hostname is not a new host.
        await w.services.agents.register(acme.secret, {
          hostname: 'EXTRA-0',
          ip: '10.9.0.9',
          agent_type: 'legacy',
        });
        const api = w.caller(w.admin);
        const page = await api.hosts.list({ organization_id: acme.id, limit: 100 });
        await api.hosts.remove({ id: page.items[0]!.id });
        const [kept] = await w.db
          .select({ n: t.organizationHostCounts.hosts })
          .from(t.organizationHostCounts)
          .where(eq(t.organizationHostCounts.organizationId, acme.id));
        expect(kept!.n).toBe(page.total - 1);
        expect(await drift(w)).toEqual([]);

        // The export counts its hosts itself (they are copied before their organization row).
        const { file } = await x.exporter.exportTo(
          w.admin,
          { scope: 'organization', organization_id: acme.id },
          x.file('counts.orgdesk-export'),
        );
        const exported = new Database(file, { readonly: true });
        expect(
          exported.prepare('SELECT hosts FROM organization_host_counts').pluck().all(),
        ).toEqual([page.total - 1]);
        expect(fileDrift(exported)).toEqual([]);
        exported.close();

        const restored = await x.restorer.restoreOrganization(w.admin, file);
        const stats = (await api.organizations.get({ id: restored.organization_id })).stats;
        expect(stats?.total).toBe(page.total - 1);
        expect(await drift(w)).toEqual([]);
      } finally {
        await x.w.close();
      }
    },
  );
});
