import type { TRPCError } from '@trpc/server';
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemActor, type Actor } from '../main/core/actor';
import { SqliteAuditTrailRepo } from '../main/db/sqlite/repos/audit-trail';
import { csvCell, toCsv } from '../main/features/audit/audit.csv';
import {
  MAX_AUDIT_EXPORT,
  listAuditInput,
  type AuditEntry,
  type ListAuditInput,
} from '../shared/schemas/audit.schema';
import { hasOpenssl, opensslVerify } from './fixtures/openssl';
import { makeRoomAfter, nextSeq } from './fixtures/audit-rows';
import { sqlRows, sqlRun } from './fixtures/raw-sql';
import { t } from './fixtures/tables';
import { onPg, sqliteOnly } from './fixtures/test-engine';
import { createWorld, type Caller, type World } from './fixtures/world';

const HOUR = 3_600_000;

let w: World;
let api: Caller;
let acme: number;
let beta: number;
let orgAdmin: Actor;

beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
  acme = (await api.organizations.create({ name: 'Acme' })).id; // t0
  w.clock.advance(HOUR);
  beta = (await api.organizations.create({ name: 'Beta' })).id; // t0 + 1h
  w.clock.advance(HOUR);
  await api.locations.create({ organization_id: acme, name: 'Lab' }); // t0 + 2h
  w.clock.advance(HOUR);
  await api.organizations.update({ id: beta, patch: { region: 'eu' } }); // t0 + 3h
  orgAdmin = await w.userWith(w.accountId, [{ role: 'org_admin', orgId: acme }]);
});
afterEach(() => w.close());

const code = async (p: Promise<unknown>) =>
  (
    (await p.then(
      () => null,
      (e: TRPCError) => e,
    )) as TRPCError | null
  )?.code;

const actions = (items: AuditEntry[]) => items.map((e) => e.action);

describe('AUD-2 queries', () => {
  it('account admins read the whole account, newest first, paginated with a total', async () => {
    const all = await api.audit.list();
    expect(all.total).toBe(4);
    expect(actions(all.items)).toEqual([
      'organization.updated',
      'location.created',
      'organization.created',
      'organization.created',
    ]);
    const ids = all.items.map((e) => e.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    const page = await api.audit.list({ skip: 1, limit: 2 });
    expect(page).toMatchObject({ total: 4 });
    expect(page.items.map((e) => e.id)).toEqual(ids.slice(1, 3));
    expect(all.items[0]).toMatchObject({
      account_id: w.accountId,
      organization_id: beta,
      actor_user_id: w.admin.userId,
      actor_label: 'admin@a.test',
      target_type: 'organization',
      target_id: String(beta),
      at: '2026-01-01T03:00:00.000Z',
    });
    expect(all.items[0]!.details).toMatchObject({ changes: { region: { from: null, to: 'eu' } } });
  });

  it('order=asc lists oldest first (UI-11), paged the same way; desc is the default', async () => {
    const newest = (await api.audit.list()).items.map((e) => e.id);
    const oldest = await api.audit.list({ order: 'asc' });
    expect(oldest.total).toBe(4);
    expect(oldest.items.map((e) => e.id)).toEqual([...newest].reverse());
    expect(oldest.items.map((e) => e.at)).toEqual([...oldest.items.map((e) => e.at)].sort());
    expect((await api.audit.list({ order: 'desc' })).items.map((e) => e.id)).toEqual(newest);
    const page = await api.audit.list({ order: 'asc', skip: 1, limit: 2, organization_id: acme });
    expect(actions(page.items)).toEqual(['location.created']);
    expect(page.total).toBe(2);
    const err = await api.audit.list({ order: 'oldest' } as never).then(
      () => null,
      (e: TRPCError) => e,
    );
    expect(err?.code).toBe('BAD_REQUEST');
    expect(err?.message).toMatch(/order must be asc or desc/);
  });

  it('sorts by the time of each entry even when the clock stepped back between writes', async () => {
    // Recorded after the others (a later id), at an earlier time: a clock stepped back.
    w.clock.set(Date.UTC(2025, 11, 31, 23));
    await api.organizations.update({ id: acme, patch: { region: 'us' } });
    const at = (items: AuditEntry[]) => items.map((e) => e.at);
    const oldest = await api.audit.list({ order: 'asc' });
    expect(at(oldest.items)).toEqual([...at(oldest.items)].sort());
    expect(oldest.items[0]!.at).toBe('2025-12-31T23:00:00.000Z');
    const newest = await api.audit.list();
    expect(at(newest.items)).toEqual([...at(newest.items)].sort().reverse());
    const orgPage = await api.audit.list({ organization_id: acme, order: 'asc', limit: 1 });
    expect(orgPage.items[0]!.at).toBe('2025-12-31T23:00:00.000Z');
    // Time filters are ranges of the same order.
    const early = await api.audit.list({ to: '2026-01-01T00:00:00Z' });
    expect(early.items.map((e) => e.action)).toEqual(['organization.updated']);
  });

  it("org admins see only their org's entries, never the account-wide trail", async () => {
    const mine = await w.caller(orgAdmin).audit.list({ organization_id: acme });
    expect(mine.total).toBe(2);
    expect(mine.items.every((e) => e.organization_id === acme)).toBe(true);
    expect(await code(w.caller(orgAdmin).audit.list({ organization_id: beta }))).toBe('NOT_FOUND');
    expect(await code(w.caller(orgAdmin).audit.list())).toBe('FORBIDDEN');
    expect(await code(w.caller(orgAdmin).audit.verify())).toBe('FORBIDDEN');
    const tech = await w.userWith(w.accountId, [{ role: 'technician', orgId: acme }]);
    expect(await code(w.caller(tech).audit.list({ organization_id: acme }))).toBe('FORBIDDEN');
    expect(await code(w.caller(tech).audit.export({ organization_id: acme }))).toBe('FORBIDDEN');
    // account admins may narrow to one org too
    expect((await api.audit.list({ organization_id: beta })).total).toBe(2);
  });

  it('another tenant sees nothing: foreign account and org ids read as not found', async () => {
    const other = await w.otherAccount();
    const theirs = w.caller(other.admin);
    expect(await code(theirs.audit.list({ account_id: w.accountId }))).toBe('NOT_FOUND');
    expect(await code(theirs.audit.list({ organization_id: acme }))).toBe('NOT_FOUND');
    expect(await code(theirs.audit.export({ account_id: w.accountId }))).toBe('NOT_FOUND');
    expect(await code(theirs.audit.verify({ account_id: w.accountId }))).toBe('NOT_FOUND');
    const own = await theirs.audit.list();
    expect(own.items.every((e) => e.account_id === other.accountId)).toBe(true);
    // an org id of this account combined with a foreign account id is not a way around it
    expect(await code(api.audit.list({ organization_id: acme, account_id: other.accountId }))).toBe(
      'NOT_FOUND',
    );
  });

  it('support engineers read the account trail only while a grant is active', async () => {
    const platform = await w.otherAccount('Platform');
    const se = await w.userWith(platform.accountId, [], { support: true });
    const seApi = w.caller(se);
    expect(await code(seApi.audit.list({ account_id: w.accountId }))).toBe('NOT_FOUND');
    await api.supportAccess.enable({ duration_hours: 1 });
    expect((await seApi.audit.list({ account_id: w.accountId })).total).toBe(5);
    expect((await seApi.audit.list({ organization_id: acme })).total).toBe(2);
    expect((await seApi.audit.verify({ account_id: w.accountId })).ok).toBe(true);
    w.clock.advance(HOUR);
    expect(await code(seApi.audit.list({ account_id: w.accountId }))).toBe('NOT_FOUND');
    expect(await code(seApi.audit.list({ organization_id: acme }))).toBe('NOT_FOUND');
  });

  it('filters by actor id or label, exact action or prefix, target and time range', async () => {
    const u = await api.users.create({ email: 'Zed.Tech@Example.com', name: 'Zed' });
    await api.users.setRoles({ id: u.id, roles: [{ role: 'technician', organization_id: acme }] });
    const zed = (await w.services.auth.actorForUser(u.id))!;
    w.clock.advance(HOUR);
    await w.caller(zed).locations.create({ organization_id: acme, name: 'Zed lab' });

    const byId = await api.audit.list({ actor_user_id: zed.userId });
    expect(actions(byId.items)).toEqual(['location.created']);
    const byLabel = await api.audit.list({ actor: 'zed.TECH' });
    expect(byLabel.items.map((e) => e.actor_label)).toEqual(['Zed.Tech@Example.com']);
    expect((await api.audit.list({ actor: 'admin@' })).total).toBe(6);

    expect(actions((await api.audit.list({ action: 'organization.created' })).items)).toEqual([
      'organization.created',
      'organization.created',
    ]);
    expect((await api.audit.list({ action: 'organization.' })).total).toBe(3);
    expect((await api.audit.list({ action: 'organization.*' })).total).toBe(3);
    expect((await api.audit.list({ action: 'organization' })).total).toBe(0);
    expect((await api.audit.list({ action: 'user.' })).total).toBe(2);
    // LIKE wildcards in a prefix mean themselves
    expect((await api.audit.list({ action: '%.' })).total).toBe(0);
    expect((await api.audit.list({ action: 'organization_.' })).total).toBe(0);

    const target = await api.audit.list({ target_type: 'organization', target_id: beta });
    expect(actions(target.items)).toEqual(['organization.updated', 'organization.created']);
    expect(
      (await api.audit.list({ target_type: 'organization', target_id: String(beta) })).total,
    ).toBe(2);
    expect((await api.audit.list({ target_type: 'location' })).total).toBe(2);

    const window = await api.audit.list({
      from: '2026-01-01T01:00:00Z',
      to: '2026-01-01T03:00:00Z',
    });
    expect(window.items.map((e) => e.at)).toEqual([
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T01:00:00.000Z',
    ]);
    expect((await api.audit.list({ from: '2026-01-01T03:00:00+00:00' })).total).toBe(4);
    expect((await api.audit.list({ to: '2026-01-01' })).total).toBe(0);
    expect((await api.audit.list({ from: '2026-01-01', action: 'organization.' })).total).toBe(3);
  });

  it('bad filters name the field', async () => {
    const msg = async (input: object) =>
      (await api.audit.list(input as never).catch((e: TRPCError) => e)) as TRPCError;
    for (const [input, field] of [
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2026-13-45T00:00:00Z' }, 'to'],
      [{ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'to'],
      [{ limit: 5000 }, 'limit'],
      [{ organization_id: -1 }, 'organization_id'],
    ] as const) {
      const e = await msg(input);
      expect(e.code).toBe('BAD_REQUEST');
      expect(e.message).toContain(field);
    }
  });

  it.skipIf(
    sqliteOnly(
      "SQLite's query plans (EXPLAIN QUERY PLAN) of the SQLite repository's page query; " +
        'PostgreSQL has no audit page plan test yet',
    ),
  )(
    'an index serves each query: (account_id, at, id) account-wide, (organization_id, at, id) per org',
    () => {
      const plan = (q: { toSQL(): { sql: string; params: unknown[] } }) => {
        const { sql, params } = q.toSQL();
        return (
          w.opened.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(params as never[])) as {
            detail: string;
          }[]
        )
          .map((r) => r.detail)
          .join(' | ');
      };
      // The page query as the repository builds it for a scope the access check decided.
      const trail = new SqliteAuditTrailRepo(w.opened.db);
      const filter = (raw: ListAuditInput) => listAuditInput.parse(raw);
      const account = plan(
        trail.pageQuery({ accountId: w.accountId }, filter({ action: 'organization.' })),
      );
      expect(account).toMatch(/USING (COVERING )?INDEX audit_account_at_idx/);
      expect(account).not.toMatch(/USE TEMP B-TREE/);
      const org = plan(
        trail.pageQuery({ organizationId: acme }, filter({ organization_id: acme })),
      );
      expect(org).toMatch(/USING (COVERING )?INDEX audit_org_at_idx/);
      expect(org).not.toMatch(/USE TEMP B-TREE/);
      // Oldest first walks the same indexes the other way.
      for (const [scope, input] of [
        [{ accountId: w.accountId }, { order: 'asc' as const }],
        [{ organizationId: acme }, { order: 'asc' as const, organization_id: acme }],
      ] as const) {
        const asc = plan(trail.pageQuery(scope, filter(input)));
        expect(asc).toMatch(/USING (COVERING )?INDEX audit_(account|org)_at_idx/);
        expect(asc).not.toMatch(/USE TEMP B-TREE/);
      }
    },
  );
});

/** A small RFC 4180 reader, to check the export reads back to exactly what was written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  return rows;
}

describe('AUD-2 export', () => {
  it('csv cells: quoted when needed, formulas neutralised', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(12)).toBe('12');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    expect(toCsv([])).toBe(
      'id,at,account_id,organization_id,actor_user_id,actor_label,action,target_type,target_id,details,prev_hash,hash\r\n',
    );
  });

  it('exports CSV with a header row, read back exactly, and injection-safe', async () => {
    // Hostile text from a real path: an org name and an actor label that look like formulas.
    await api.organizations.create({ name: '=HYPERLINK("http://evil.example","click")' });
    const hostile: Actor = { ...w.admin, label: '@cmd|" /C calc"!A0, "x"' };
    await api.organizations.update({ id: acme, patch: { description: 'line 1\nline 2' } });
    await w.caller(hostile).organizations.update({ id: beta, patch: { region: '-2+3' } });

    const out = await api.audit.export({ format: 'csv' });
    expect(out).toMatchObject({ format: 'csv', count: 7, truncated: false });
    expect(out.content_type).toMatch(/^text\/csv/);
    expect(out.filename).toMatch(/^orgdesk-audit-account-\d+-2026-01-01\.csv$/);
    const rows = parseCsv(out.content);
    expect(rows[0]).toEqual([
      'id',
      'at',
      'account_id',
      'organization_id',
      'actor_user_id',
      'actor_label',
      'action',
      'target_type',
      'target_id',
      'details',
      'prev_hash',
      'hash',
    ]);
    expect(rows).toHaveLength(8);
    expect(rows.every((r) => r.length === 12)).toBe(true);
    // Oldest first, the order of the chain.
    const json = JSON.parse((await api.audit.export({ format: 'json' })).content) as AuditEntry[];
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(json.map((e) => e.id));
    const last = rows[7]!;
    expect(last[5]).toBe(`'${hostile.label}`);
    expect(JSON.parse(last[9]!)).toMatchObject({ changes: { region: { to: '-2+3' } } });
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const created = rows.find(
      (r) => r[6] === 'organization.created' && r[9]!.includes('HYPERLINK'),
    )!;
    expect(JSON.parse(created[9]!).name).toBe('=HYPERLINK("http://evil.example","click")');
    expect(rows.find((r) => r[9]!.includes('line 1'))![9]).toContain('line 1\\nline 2');
  });

  it('exports JSON with the same filters and scope as the listing', async () => {
    const out = await w
      .caller(orgAdmin)
      .audit.export({ format: 'json', organization_id: acme, action: 'location.' });
    expect(out).toMatchObject({ format: 'json', count: 1, truncated: false });
    expect(out.filename).toBe(`orgdesk-audit-org-${acme}-2026-01-01.json`);
    const entries = JSON.parse(out.content) as AuditEntry[];
    // The file holds the entries as chained; the names the listing adds (AUD-2) are read-time.
    expect(entries).toEqual(
      (await api.audit.list({ organization_id: acme, action: 'location.' })).items.map(
        ({ target_name: _n, target_deleted: _d, ...e }) => e,
      ),
    );
    expect(await code(w.caller(orgAdmin).audit.export({ format: 'json' }))).toBe('FORBIDDEN');
    expect(await code(api.audit.export({ format: 'xml' as 'json' }))).toBe('BAD_REQUEST');
  });
  it('a CSV or JSON export carries a detached Ed25519 signature that openssl verifies', async () => {
    expect(hasOpenssl(), 'the openssl tool (.ci/run installs it)').toBe(true);
    for (const format of ['csv', 'json'] as const) {
      const out = await api.audit.export({ format });
      const key = await api.exportKey.get();
      // The signer is this installation's export key, the one GET /api/v1/export-key shows.
      expect(out.signature).toEqual({
        algorithm: 'Ed25519',
        value: expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/),
        public_key: key.public_key,
        public_key_pem: key.public_key_pem,
        fingerprint: key.fingerprint,
        signer_label: key.label,
      });
      // Signed: the UTF-8 bytes of `content`, exactly as saved to the file.
      const verdict = opensslVerify(out.content, out.signature.value, key.public_key_pem);
      expect(verdict).toEqual({ ok: true, output: 'Signature Verified Successfully' });
      const altered = out.content.replace('organization.created', 'organization.creatod');
      expect(altered).not.toBe(out.content);
      expect(opensslVerify(altered, out.signature.value, key.public_key_pem)).toMatchObject({
        ok: false,
        output: expect.stringMatching(/Signature Verification Failure/),
      });
    }
  });

  it('stops at MAX_AUDIT_EXPORT entries and says so', async () => {
    // Bulk rows straight into the table: the export reads them, it does not verify them.
    const first = (await nextSeq(w.db, w.accountId)) - 1;
    await sqlRun(
      w.db,
      sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${MAX_AUDIT_EXPORT})
         INSERT INTO audit_entries (at, account_id, actor_label, action, target_type, prev_hash, hash, seq)
         SELECT 1767225600000 + i, ${w.accountId}, 'bulk', 'test.bulk', 'thing', '', '', ${first} + i FROM n`,
    );
    const out = await api.audit.export({ format: 'json' });
    expect(out).toMatchObject({ count: MAX_AUDIT_EXPORT, truncated: true });
    const entries = JSON.parse(out.content) as AuditEntry[];
    expect(entries).toHaveLength(MAX_AUDIT_EXPORT);
    // the oldest ones: the first organization.created is in, the newest bulk row is not
    expect(entries[0]!.action).toBe('organization.created');
    const narrowed = await api.audit.export({ format: 'csv', action: 'organization.' });
    expect(narrowed).toMatchObject({ count: 3, truncated: false });
  });
});

describe('AUD-3 hash chain verification', () => {
  /** Interleave another account's entries, so ids of this account's chain have gaps. */
  async function busyTrail() {
    const other = await w.otherAccount();
    const theirs = w.caller(other.admin);
    for (let i = 0; i < 3; i++) {
      await api.organizations.create({ name: `Org ${i}` });
      await theirs.organizations.create({ name: `Theirs ${i}` });
    }
    const ids = (
      await w.db
        .select({ id: t.auditEntries.id })
        .from(t.auditEntries)
        .where(eq(t.auditEntries.accountId, w.accountId))
        .orderBy(t.auditEntries.id)
    ).map((r) => r.id);
    return { ids, other };
  }
  /** Tampers with the table as someone with the database would (raw SQL, either engine). */
  const tamper = (q: ReturnType<typeof sql>) => sqlRun(w.db, q);
  const entry = async (id: number) =>
    (await w.db.select().from(t.auditEntries).where(eq(t.auditEntries.id, id)).limit(1))[0]!;

  it('the newest entries cut from the end are found: the chain no longer reaches its head', async () => {
    const { ids } = await busyTrail();
    await tamper(sql`DELETE FROM audit_entries WHERE id IN (${ids.at(-1)}, ${ids.at(-2)})`);
    expect(await api.audit.verify()).toMatchObject({
      ok: false,
      problem: 'removed',
      first_bad_entry_id: ids.at(-3),
      message: expect.stringMatching(
        /removed from the end of the trail: it ends at entry \d+, but the chain head records \d+ entries/,
      ),
    });
  });

  it('an append from a stale chain head fails instead of forking the chain (UNIQUE account, seq)', async () => {
    await busyTrail();
    const [head] = await sqlRows<{ seq: number | string; hash: string }>(
      w.db,
      sql`SELECT seq, hash FROM audit_heads WHERE account_id = ${w.accountId}`,
    );
    await api.organizations.create({ name: 'Moves the head' });
    // A second writer that read the head before that append links to it with the same seq.
    const refused = await tamper(
      sql`INSERT INTO audit_entries (at, account_id, actor_label, action, target_type, prev_hash, hash, seq)
           VALUES (1, ${w.accountId}, 'replica-b', 'test.fork', 'thing', ${head!.hash}, ${'b'.repeat(64)}, ${Number(head!.seq) + 1})`,
    ).then(
      () => null,
      (e: unknown) => e as Error & { cause?: Error },
    );
    // The engine's own words for the one constraint: SQLite names its columns, PostgreSQL its
    // index (drizzle wraps PostgreSQL's error as the cause of "Failed query").
    expect((refused?.cause ?? refused)?.message).toMatch(
      onPg
        ? /duplicate key value violates unique constraint "audit_account_seq_uq"/
        : /UNIQUE constraint failed: audit_entries.account_id, audit_entries.seq/,
    );
    expect(await api.audit.verify()).toMatchObject({ ok: true });
  });

  it('an intact chain verifies, per account', async () => {
    const { ids, other } = await busyTrail();
    expect(await api.audit.verify()).toMatchObject({
      ok: true,
      checked: ids.length,
      head_id: ids.at(-1),
    });
    expect((await w.caller(other.admin).audit.verify()).ok).toBe(true);
  });

  it('a changed field is reported as altered, at that entry', async () => {
    const { ids, other } = await busyTrail();
    const victim = ids[3]!;
    await tamper(
      sql`UPDATE audit_entries SET details = '{"name":"Innocent"}' WHERE id = ${victim}`,
    );
    expect(await api.audit.verify()).toMatchObject({
      ok: false,
      first_bad_entry_id: victim,
      problem: 'altered',
      checked: 4,
    });
    // Another account's chain is not affected.
    expect((await w.caller(other.admin).audit.verify()).ok).toBe(true);
  });

  it.each([
    ['actor_user_id', 'actor_user_id + 1'],
    ['at', 'at + 1'],
    ['action', "'organization.viewed'"],
    ['organization_id', 'NULL'],
    ['hash', "'" + 'f'.repeat(64) + "'"],
  ])('changing %s is reported as altered', async (column, value) => {
    const { ids } = await busyTrail();
    await tamper(
      sql`UPDATE audit_entries SET ${sql.raw(column)} = ${sql.raw(value)} WHERE id = ${ids[2]}`,
    );
    expect(await api.audit.verify()).toMatchObject({
      ok: false,
      first_bad_entry_id: ids[2],
      problem: 'altered',
    });
  });

  it('a user is bound by id, not by label (erasure replaces labels, GDPR-1); the system by its label', async () => {
    const { ids } = await busyTrail();
    // The label of a user's entry is a display copy of their email: replaceable, not evidence.
    await tamper(sql`UPDATE audit_entries SET actor_label = 'someone@else' WHERE id = ${ids[2]}`);
    expect(await api.audit.verify()).toMatchObject({ ok: true });
    // The system actor has no id: its label is what the entry binds.
    await w.services.infra.uow.write((r) =>
      r.audit.record(systemActor(w.accountId), {
        accountId: w.accountId,
        action: 'retention.cleanup',
        targetType: 'account',
        targetId: w.accountId,
      }),
    );
    const [system] = await w.db
      .select()
      .from(t.auditEntries)
      .where(eq(t.auditEntries.action, 'retention.cleanup'));
    expect(system).toMatchObject({ actorUserId: null, actorLabel: 'system' });
    await tamper(
      sql`UPDATE audit_entries SET actor_label = 'admin@a.test' WHERE id = ${system!.id}`,
    );
    expect(await api.audit.verify()).toMatchObject({
      ok: false,
      first_bad_entry_id: system!.id,
      problem: 'altered',
    });
  });

  it('a deleted entry is reported as removed, at the entry after the gap', async () => {
    const { ids } = await busyTrail();
    await tamper(sql`DELETE FROM audit_entries WHERE id = ${ids[2]}`);
    const res = await api.audit.verify();
    expect(res).toMatchObject({ ok: false, first_bad_entry_id: ids[3], problem: 'removed' });
    expect(res.message).toContain(`entry ${ids[1]}`);
  });

  it('deleting the first entry is reported at the second', async () => {
    const { ids } = await busyTrail();
    await tamper(sql`DELETE FROM audit_entries WHERE id = ${ids[0]}`);
    expect(await api.audit.verify()).toMatchObject({
      first_bad_entry_id: ids[1],
      problem: 'removed',
      checked: 1,
    });
  });

  it('an entry inserted into the chain is reported as inserted, at that entry', async () => {
    const { ids } = await busyTrail();
    // A forged entry in a gap of this account's ids (another account's entry was there), made
    // to look linked to its predecessor; without the key its own hash cannot be right.
    const gap = ids.findIndex((id, i) => i > 1 && id !== ids[i - 1]! + 1);
    expect(gap).toBeGreaterThan(1);
    const forgedId = ids[gap - 1]! + 1;
    await tamper(sql`DELETE FROM audit_entries WHERE id = ${forgedId}`);
    const prev = await entry(ids[gap - 1]!);
    // Its place in the chain: right after its predecessor (the later entries move up one).
    await makeRoomAfter(w.db, w.accountId, prev.seq);
    await tamper(
      sql`INSERT INTO audit_entries (id, at, account_id, organization_id, actor_user_id, actor_label,
           action, target_type, target_id, details, prev_hash, hash, seq)
         VALUES (${forgedId}, ${prev.at}, ${w.accountId}, NULL, ${w.admin.userId}, 'admin@a.test',
           'user.role_granted', 'user', '1', '{}', ${prev.hash}, ${'a'.repeat(64)}, ${prev.seq + 1})`,
    );
    expect(await api.audit.verify()).toMatchObject({
      ok: false,
      first_bad_entry_id: forgedId,
      problem: 'inserted',
    });
  });

  it('a copy of a genuine entry replayed into the chain is reported as inserted', async () => {
    const { ids } = await busyTrail();
    const gap = ids.findIndex((id, i) => i > 1 && id !== ids[i - 1]! + 1);
    const replayId = ids[gap - 1]! + 1;
    await tamper(sql`DELETE FROM audit_entries WHERE id = ${replayId}`);
    const before = await entry(ids[gap - 1]!);
    await makeRoomAfter(w.db, w.accountId, before.seq);
    await tamper(
      sql`INSERT INTO audit_entries (id, at, account_id, organization_id, actor_user_id, actor_label,
           action, target_type, target_id, details, prev_hash, hash, seq)
         SELECT ${replayId}, at, account_id, organization_id, actor_user_id, actor_label, action,
           target_type, target_id, details, prev_hash, hash, ${before.seq + 1}
         FROM audit_entries WHERE id = ${ids[0]}`,
    );
    expect(await api.audit.verify()).toMatchObject({
      first_bad_entry_id: replayId,
      problem: 'inserted',
    });
  });

  it('entries recorded after tampering do not hide it', async () => {
    const { ids } = await busyTrail();
    await tamper(sql`DELETE FROM audit_entries WHERE id = ${ids[1]}`);
    await api.organizations.create({ name: 'Later' });
    expect(await api.audit.verify()).toMatchObject({
      first_bad_entry_id: ids[2],
      problem: 'removed',
    });
  });

  it('verifies a long chain in batches', async () => {
    await w.services.infra.uow.write(async (r) => {
      for (let i = 0; i < 2100; i++) {
        await r.audit.record(w.admin, {
          accountId: w.accountId,
          action: 'test.bulk',
          targetType: 'thing',
          targetId: i,
        });
      }
    });
    expect(await api.audit.verify()).toMatchObject({ ok: true, checked: 2104 });
    const id2050 = (await api.audit.list({ target_type: 'thing', target_id: 2050 })).items[0]!.id;
    await tamper(sql`UPDATE audit_entries SET target_id = '2049' WHERE id = ${id2050}`);
    expect(await api.audit.verify()).toMatchObject({
      first_bad_entry_id: id2050,
      problem: 'altered',
    });
  });
});
