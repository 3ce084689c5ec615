// EXP-1..3: export to one SQLite file without secrets, open it read-only for review (every
// mutation refused), restore an org from it; the manifest and its checksum; the stock sqlite3 tool.
import type { TRPCError } from '@trpc/server';
import Database from 'better-sqlite3';
import { eq, getTableName, is } from 'drizzle-orm';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as schema from '../main/db/schema';
import { auditEntries, hosts, locations, organizations } from '../main/db/schema';
import {
  columnsOf,
  computeChecksum,
  contentTables,
  openExportFile,
} from '../main/desktop/export/export-file';
import {
  EXPORT_POLICY,
  NO_SECRET_DIGEST_SQL,
  isSkipped,
  policyOf,
} from '../main/desktop/export/export-policy';
import { RESTORE_PLAN, copiedTables } from '../main/desktop/export/restore-plan';
import { openReview, type ReviewHandle } from '../main/desktop/export/review';
import { appRouter } from '../main/trpc/router';
import { createCallerFactory } from '../main/trpc/trpc';
import { sqliteOnly } from './fixtures/test-engine';
import { createExportWorld, MIGRATIONS, type ExportWorld } from './fixtures/export-world';

// The PostgreSQL pass skips these: the desktop's export is of its local SQLite database.
const DESKTOP_EXPORT = sqliteOnly(
  "EXP-1..3 are the desktop's export, review and restore of its local SQLite database (an " +
    '.orgdesk-export is a SQLite file read with better-sqlite3 and the sqlite3 tool); the ' +
    'server on PostgreSQL has no such export: its audit and GDPR exports are ' +
    'tests/pg/read-jobs.test.ts',
);

let x: ExportWorld;
let review: ReviewHandle | null = null;
beforeEach(async () => {
  x = await createExportWorld();
});
afterEach(async () => {
  review?.close();
  review = null;
  await x.w.close();
});

const exportOrg = (name = 'acme.orgdesk-export') =>
  x.exporter.exportTo(
    x.w.admin,
    { scope: 'organization', organization_id: x.acme.id },
    x.file(name),
  );
const exportAccount = (name = 'account.orgdesk-export') =>
  x.exporter.exportTo(x.w.admin, { scope: 'account' }, x.file(name));

describe.skipIf(DESKTOP_EXPORT)('EXP-1 export', () => {
  it('writes one SQLite file with the org, its data and a manifest', async () => {
    const progress: number[] = [];
    const { file, manifest } = await x.exporter.exportTo(
      x.w.admin,
      { scope: 'organization', organization_id: x.acme.id },
      x.file('acme.orgdesk-export'),
      (p) => progress.push(p.done),
    );
    // One file: no -wal, -shm, -journal or partial file beside it.
    expect(readdirSync(x.w.dir).filter((f) => f.startsWith('acme'))).toEqual([
      'acme.orgdesk-export',
    ]);
    expect(manifest).toMatchObject({
      format: 'orgdesk-export',
      source: 'test database',
      exported_at: new Date(x.w.clock.now()).toISOString(),
      exported_by: 'admin@a.test',
      scope: 'organization',
      organizations: [{ id: x.acme.id, name: 'Acme' }],
    });
    expect(manifest.counts).toMatchObject({
      organizations: 1,
      locations: 2,
      location_subnets: 2,
      hosts: 3,
      workflows: 1,
      incidents: 1,
      alert_rules: 3,
      compliance_baselines: 1,
    });
    expect(manifest.content_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(progress.at(-1)).toBe(progress.length);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
      const orgs = db.prepare('SELECT id, name FROM organizations').all();
      expect(orgs).toEqual([{ id: x.acme.id, name: 'Acme' }]);
      // The other org of the account and the other account are not in an org export.
      const hostOrgs = db.prepare('SELECT DISTINCT organization_id AS o FROM hosts').all();
      expect(hostOrgs).toEqual([{ o: x.acme.id }]);
      expect(db.prepare('SELECT count(*) AS n FROM support_grants').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    // The export itself is audited in the source database.
    const entry = x.w.opened.db
      .select()
      .from(auditEntries)
      .where(eq(auditEntries.action, 'export.created'))
      .get();
    expect(entry).toMatchObject({ organizationId: x.acme.id, targetType: 'organization' });
  });

  it('an account export holds every org of the account and nothing of another account', async () => {
    const { file, manifest } = await exportAccount();
    expect(manifest.organizations.map((o) => o.name)).toEqual(['Acme', 'Globex']);
    expect(manifest.counts.support_grants).toBe(1);
    const raw = readFileSync(file);
    expect(raw.includes(Buffer.from(x.foreign.name))).toBe(false);
    expect(raw.includes(Buffer.from('Initech'))).toBe(false);
  });

  it('contains no secret, digest, password hash or token of the source database', async () => {
    for (const { file } of [await exportOrg(), await exportAccount()]) {
      const raw = readFileSync(file);
      const secrets = await x.secrets();
      expect(secrets.length).toBeGreaterThan(20);
      const found = secrets.filter((s) => s.bytes.length >= 8 && raw.includes(s.bytes));
      expect(found.map((s) => s.label)).toEqual([]);
    }
    // The search itself works: the live database does contain them.
    const live = Buffer.concat([
      readFileSync(x.w.opened.file),
      existsSync(`${x.w.opened.file}-wal`)
        ? readFileSync(`${x.w.opened.file}-wal`)
        : Buffer.alloc(0),
    ]);
    const inLive = (await x.secrets()).filter((s) => live.includes(s.bytes));
    expect(inLive.some((s) => s.label.includes('digest'))).toBe(true);
    expect(inLive.some((s) => s.label.includes('password hash'))).toBe(true);
  });

  it('keeps the app schema, with the secret columns blanked', async () => {
    const { file } = await exportAccount();
    const db = new Database(file, { readonly: true });
    try {
      const live = contentTables(x.w.opened.sqlite);
      expect(contentTables(db)).toEqual(live);
      const orgs = db
        .prepare(
          'SELECT id, length(secret_ciphertext) AS len, secret_digest, previous_secret_digest FROM organizations',
        )
        .all() as {
        id: number;
        len: number;
        secret_digest: string;
        previous_secret_digest: null;
      }[];
      for (const o of orgs) {
        expect(o).toEqual({
          id: o.id,
          len: 0,
          secret_digest: `exported-without-secret:${o.id}`,
          previous_secret_digest: null,
        });
      }
      expect(
        db.prepare('SELECT count(*) AS n FROM users WHERE password_hash IS NOT NULL').get(),
      ).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM api_tokens').get()).toEqual({ n: 0 });
      expect(NO_SECRET_DIGEST_SQL).toContain('exported-without-secret');
    } finally {
      db.close();
    }
  });

  it('every table of the schema has an export policy (a new table is a decision)', () => {
    const tables = contentTables(x.w.opened.sqlite);
    expect(tables.filter((t) => !(t in EXPORT_POLICY))).toEqual([]);
  });

  it('needs organizations.edit and audit.view on the org; the account needs users.manage', async () => {
    const tech = await x.w.userWith(x.w.accountId, [{ role: 'technician', orgId: x.acme.id }]);
    await expect(
      x.exporter.exportTo(tech, { scope: 'organization', organization_id: x.acme.id }, x.file('t')),
    ).rejects.toThrow(/organizations\.edit/);
    const orgAdmin = await x.w.userWith(x.w.accountId, [{ role: 'org_admin', orgId: x.acme.id }]);
    await expect(x.exporter.exportTo(orgAdmin, { scope: 'account' }, x.file('t'))).rejects.toThrow(
      /users\.manage/,
    );
    // A foreign org is not found, as everywhere.
    await expect(
      x.exporter.exportTo(
        x.w.admin,
        { scope: 'organization', organization_id: x.foreign.id },
        x.file('t'),
      ),
    ).rejects.toThrow(/not found/);
    expect(existsSync(x.file('t'))).toBe(false);
    const { manifest } = await x.exporter.exportTo(
      orgAdmin,
      { scope: 'organization', organization_id: x.acme.id },
      x.file('by-org-admin'),
    );
    expect(manifest.exported_by_user_id).toBe(orgAdmin.userId);
  });

  it('opens in the stock sqlite3 tool with plainly named tables and a readable manifest', async () => {
    const sqlite3 = spawnSync('sqlite3', ['-version']);
    if (sqlite3.error) {
      console.warn(
        'skipped: the sqlite3 command-line tool is not installed (apt-get install sqlite3)',
      );
      return;
    }
    const { file } = await exportOrg();
    const tables = execFileSync('sqlite3', ['-readonly', file, '.tables'], { encoding: 'utf8' })
      .split(/\s+/)
      .filter(Boolean)
      .sort();
    for (const t of [
      'organizations',
      'locations',
      'location_subnets',
      'hosts',
      'audit_entries',
      'alert_rules',
      'manifest',
    ]) {
      expect(tables).toContain(t);
    }
    const manifest = execFileSync(
      'sqlite3',
      ['-readonly', file, "SELECT value FROM manifest WHERE key = 'exported_by'"],
      { encoding: 'utf8' },
    );
    expect(manifest.trim()).toBe('admin@a.test');
    const hostsCsv = execFileSync(
      'sqlite3',
      ['-readonly', '-csv', file, 'SELECT hostname FROM hosts ORDER BY hostname'],
      { encoding: 'utf8' },
    );
    expect(hostsCsv.trim().split('\n')).toEqual(['db-1', 'laptop', 'web-1']);
    expect(
      execFileSync('sqlite3', [file, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(),
    ).toBe('ok');
  });

  it('the checksum is deterministic and any change to the file is detected on open', async () => {
    const { manifest } = await exportOrg('a.orgdesk-export');
    await exportOrg('b.orgdesk-export');
    // The same content in a different physical layout (VACUUM INTO rewrites every page) gives
    // the same checksum: it covers the data, not the bytes of the file.
    const copy = new Database(x.file('a.orgdesk-export'), { readonly: true });
    copy.prepare('VACUUM INTO ?').run(x.file('a-copy.orgdesk-export'));
    copy.close();
    expect(
      readFileSync(x.file('a-copy.orgdesk-export')).equals(
        readFileSync(x.file('a.orgdesk-export')),
      ),
    ).toBe(false);
    const reopened = openExportFile(x.file('a-copy.orgdesk-export'));
    expect(reopened.manifest.content_sha256).toBe(manifest.content_sha256);
    expect(computeChecksum(reopened.sqlite)).toBe(manifest.content_sha256);
    reopened.sqlite.close();
    const tamper = new Database(x.file('a.orgdesk-export'));
    tamper.prepare("UPDATE hosts SET hostname = 'evil' WHERE hostname = 'web-1'").run();
    tamper.close();
    expect(() => openExportFile(x.file('a.orgdesk-export'))).toThrow(
      /changed after it was exported/,
    );
    const forged = new Database(x.file('b.orgdesk-export'));
    forged.prepare("UPDATE manifest SET value = 'someone@else' WHERE key = 'exported_by'").run();
    forged.close();
    // The manifest is not in the checksum: its signature covers it (export-signature.test.ts).
    expect(() => openExportFile(x.file('b.orgdesk-export'))).toThrow(/signature does not match/);
    writeFileSync(x.file('junk'), 'not a database at all, just text');
    expect(() => openExportFile(x.file('junk'))).toThrow(/not an Orgdesk export/);
    expect(() => openExportFile(x.w.opened.file)).toThrow(/no manifest/);
  });
});

describe.skipIf(DESKTOP_EXPORT)('EXP-2 read-only review', () => {
  const createCaller = createCallerFactory(appRouter);

  it('browses the export with the same services', async () => {
    const { file } = await exportOrg();
    review = await openReview(file, { migrationsFolder: MIGRATIONS });
    const api = createCaller(review.context());
    const page = await api.organizations.list({});
    expect(page.items.map((o) => o.name)).toEqual(['Acme']);
    expect(page.items[0]!.stats).toMatchObject({ total: 3 });
    const locs = await api.locations.list({ organization_id: x.acme.id });
    expect(locs.map((l) => l.name).sort()).toEqual(['Default', 'HQ']);
    const resolved = await api.locations.resolve({ organization_id: x.acme.id, ip: '10.1.2.3' });
    expect(resolved).toMatchObject({ location_id: x.acme.locationId });
    expect(review.label).toMatch(/^the export of Acme \(exported .* by admin@a\.test\)$/);
  });

  it('refuses EVERY mutation of the app router with the read-only review error', async () => {
    const { file } = await exportAccount();
    review = await openReview(file, { migrationsFolder: MIGRATIONS });
    const procedures = Object.entries(appRouter._def.procedures as Record<string, unknown>) as [
      string,
      { _def: { type: string } },
    ][];
    const mutations = procedures
      .filter(([, p]) => p._def.type === 'mutation')
      .map(([path]) => path);
    expect(mutations.length).toBeGreaterThan(20);
    expect(mutations).toContain('organizations.create');
    expect(mutations).toContain('auth.login');
    for (const path of mutations) {
      const result = await callPath(review.context(), path, sampleInput(path));
      expect({ path, code: result.code }).toEqual({ path, code: 'FORBIDDEN' });
      expect(result.message).toMatch(/read-only review of the export of account "Account A"/);
    }
    // And nothing was written: the file is as exported.
    review.close();
    review = null;
    expect(() => openExportFile(file).sqlite.close()).not.toThrow();
  });

  it('the connection is query_only and the file handle readonly (defence in depth)', async () => {
    const { file } = await exportOrg();
    review = await openReview(file, { migrationsFolder: MIGRATIONS });
    const sqlite = review.sqlite;
    expect(sqlite.readonly).toBe(true);
    expect(sqlite.pragma('query_only', { simple: true })).toBe(1);
    expect(() =>
      review!.services.infra.storage.db
        .update(organizations)
        .set({ name: 'x' })
        .where(eq(organizations.id, x.acme.id))
        .run(),
    ).toThrow(/readonly|query_only|read-only/i);
  });

  it('an older export (fewer migrations) is reviewed through a migrated private copy', async () => {
    const { file } = await exportOrg();
    const db = new Database(file);
    const before = readFileSync(file);
    db.close();
    // Pretend this app knows one more migration than the file has: a folder with an extra no-op.
    const folder = x.file('migrations-next');
    execFileSync('cp', ['-r', MIGRATIONS, folder]);
    const journal = JSON.parse(readFileSync(`${folder}/meta/_journal.json`, 'utf8')) as {
      entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
    };
    const last = journal.entries.at(-1)!;
    journal.entries.push({
      ...last,
      idx: last.idx + 1,
      when: last.when + 1,
      tag: '9999_review_test',
    });
    writeFileSync(`${folder}/meta/_journal.json`, JSON.stringify(journal));
    writeFileSync(
      `${folder}/9999_review_test.sql`,
      'CREATE TABLE review_test_marker (id integer);',
    );
    review = await openReview(file, { migrationsFolder: folder });
    expect(
      review.sqlite
        .prepare("SELECT name FROM sqlite_master WHERE name = 'review_test_marker'")
        .get(),
    ).toBeTruthy();
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});

/** Every table main/db/schema.ts declares. */
const schemaTables = (): string[] =>
  (Object.values(schema) as unknown[])
    .filter((v): v is SQLiteTable => is(v, SQLiteTable))
    .map((t) => getTableName(t));

describe.skipIf(DESKTOP_EXPORT)('EXP-3 restore', () => {
  it('every table of the schema has a restore decision (a new table is a decision)', () => {
    const tables = schemaTables();
    expect(tables.length).toBeGreaterThan(10);
    expect(tables.filter((t) => !(t in RESTORE_PLAN))).toEqual([]);
    // And the plan names nothing that is not a table any more.
    expect(Object.keys(RESTORE_PLAN).filter((t) => !tables.includes(t))).toEqual([]);
  });

  it('the restore plan holds together: order, every id column, what the export carries', () => {
    const db = x.w.opened.sqlite;
    // The account and the org are there before any table is copied.
    const before = new Set(['accounts', 'organizations']);
    for (const { table, plan } of copiedTables()) {
      const cols = columnsOf(db, table);
      const handled = [
        ...Object.keys(plan.refs),
        ...(plan.nullify ?? []),
        ...Object.keys(plan.jsonIds ?? {}),
      ];
      const targets = [...Object.values(plan.refs), ...Object.values(plan.jsonIds ?? {})];
      const policy = policyOf(table);
      expect({
        table,
        // Rows are picked by the org, and an export must carry them.
        byOrg: cols.includes('organization_id'),
        exported: policy !== undefined && !isSkipped(policy),
        // An id column nobody decided about would carry the other database's ids.
        undecidedIdColumns: cols.filter((c) => /_ids?$/.test(c) && !handled.includes(c)),
        unknownColumns: handled.filter((c) => !cols.includes(c)),
        // A ref can only be remapped to a table restored before this one.
        refsToLaterTables: targets.filter((t) => !before.has(t)),
      }).toEqual({
        table,
        byOrg: true,
        exported: true,
        undecidedIdColumns: [],
        unknownColumns: [],
        refsToLaterTables: [],
      });
      before.add(table);
    }
  });

  it('restores an org as a new org with a new secret, remapped ids and a free name', async () => {
    const { file, manifest } = await exportOrg();
    const result = await x.restorer.restoreOrganization(x.w.admin, file);
    expect(result.name).toBe('Acme (restored)');
    expect(result.renamed_from).toBe('Acme');
    expect(result.organization_id).not.toBe(x.acme.id);
    expect(result.counts).toMatchObject({
      locations: 2,
      location_subnets: 2,
      hosts: 3,
      workflows: 1,
    });
    const api = x.w.caller(x.w.admin);
    const org = await api.organizations.get({ id: result.organization_id });
    expect(org).toMatchObject({ region: 'eu', description: 'Rockets' });
    // A new secret: neither the current nor the previous one of the exported org.
    const { secret } = await api.organizations.revealSecret({ id: result.organization_id });
    expect(secret).toMatch(/^odk_orgsec_/);
    expect([x.acme.secret, x.acme.previousSecret]).not.toContain(secret);
    expect(await x.w.services.secrets.findOrgBySecret(secret)).toMatchObject({
      id: result.organization_id,
    });
    // Locations, subnets and the longest-prefix match work in the restored org.
    const hq = (await api.locations.list({ organization_id: result.organization_id })).find(
      (l) => l.name === 'HQ',
    )!;
    const r = await api.locations.resolve({
      organization_id: result.organization_id,
      ip: '10.1.9.9',
    });
    expect(r).toMatchObject({ location_id: hq.id });
    const restoredHosts = x.w.opened.db
      .select()
      .from(hosts)
      .where(eq(hosts.organizationId, result.organization_id))
      .all();
    expect(restoredHosts.map((h) => h.hostname).sort()).toEqual(['db-1', 'laptop', 'web-1']);
    const locIds = new Set(
      x.w.opened.db
        .select({ id: locations.id })
        .from(locations)
        .where(eq(locations.organizationId, result.organization_id))
        .all()
        .map((l) => l.id),
    );
    expect(restoredHosts.every((h) => locIds.has(h.locationId))).toBe(true);
    // The workflow binding follows the remapped workflow.
    const wf = await api.workflows.list({ organization_id: result.organization_id });
    expect(org.major_incident_workflow_id).toBe(wf[0]!.id);
    // Audited with where it came from.
    const entry = x.w.opened.db
      .select()
      .from(auditEntries)
      .where(eq(auditEntries.action, 'organization.restored'))
      .get()!;
    expect(JSON.parse(entry.details)).toMatchObject({ content_sha256: manifest.content_sha256 });
    // Restoring again picks the next free name.
    expect((await x.restorer.restoreOrganization(x.w.admin, file)).name).toBe('Acme (restored 2)');
  });

  it('keeps the exported name when it is free (e.g. into another database)', async () => {
    const { file } = await exportOrg();
    await x.w.caller(x.w.admin).organizations.delete({ id: x.globex.id });
    const other = await x.w.otherAccount('Fresh');
    const r = await x.restorer.restoreOrganization(other.admin, file);
    expect(r).toMatchObject({ name: 'Acme', renamed_from: null });
  });

  it('an account export needs organization_id; restore needs settings.manage', async () => {
    const { file } = await exportAccount();
    let err: unknown;
    try {
      await x.restorer.restoreOrganization(x.w.admin, file);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'BAD_REQUEST', field: 'organization_id' });
    const r = await x.restorer.restoreOrganization(x.w.admin, file, {
      organization_id: x.globex.id,
    });
    expect(r.name).toBe('Globex (restored)');
    const orgAdmin = await x.w.userWith(x.w.accountId, [{ role: 'org_admin', orgId: x.acme.id }]);
    await expect(
      x.restorer.restoreOrganization(orgAdmin, file, { organization_id: x.acme.id }),
    ).rejects.toThrow(/settings\.manage/);
  });
});

// ---- helpers for enumerating the router

async function callPath(
  ctx: ReturnType<ReviewHandle['context']>,
  path: string,
  input: unknown,
): Promise<{ code: string; message: string }> {
  const caller = createCallerFactory(appRouter)(ctx) as unknown as Record<string, unknown>;
  const fn = path
    .split('.')
    .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], caller) as (
    i: unknown,
  ) => Promise<unknown>;
  try {
    await fn(input);
    return { code: 'OK', message: '' };
  } catch (err) {
    const e = err as TRPCError;
    return { code: e.code, message: e.message };
  }
}

/** Not necessarily valid input: the refusal must come before validation or access. */
function sampleInput(_path: string): unknown {
  return { id: 1, organization_id: 1, name: 'x' };
}
