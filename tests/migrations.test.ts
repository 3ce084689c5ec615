import Database from 'better-sqlite3';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../main/core/clock';
import { FileKeyStore } from '../main/core/key-store';
import { DEFAULT_MIGRATIONS_FOLDER, MigrationError, openDatabase } from '../main/db/database';
import { systemActor } from '../main/core/actor';
import { AuditChain, GENESIS_HASH, SEAL_MARK } from '../main/core/audit';
import { verifyChain } from '../main/features/audit/audit-jobs';
import { AccessService } from '../main/core/access';
import { bootstrap } from '../main/server/bootstrap';
import { createServices } from '../main/services';
import { sqliteStorage } from '../main/db/sqlite/storage';
import { SecretBox } from '../main/core/crypto';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orgdesk-mig-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Journal {
  version: string;
  dialect: string;
  entries: { idx: number; tag: string; when: number; version: string; breakpoints: boolean }[];
}
const journal = JSON.parse(
  readFileSync(join(DEFAULT_MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'),
) as Journal;

/** A copy of the migrations folder holding only the first `n` migrations (a file "at version n"). */
function folderUpTo(n: number, extraSql?: string): string {
  const folder = join(dir, `migrations-${n}-${extraSql ? 'x' : ''}`);
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const entries = journal.entries.slice(0, n);
  for (const e of entries)
    cpSync(join(DEFAULT_MIGRATIONS_FOLDER, `${e.tag}.sql`), join(folder, `${e.tag}.sql`));
  if (extraSql) {
    const tag = `${String(n).padStart(4, '0')}_broken`;
    writeFileSync(join(folder, `${tag}.sql`), extraSql);
    entries.push({ idx: n, tag, when: Date.now(), version: '6', breakpoints: true });
  }
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }));
  return folder;
}

const tables = (file: string) => {
  const db = new Database(file, { readonly: true });
  const names = (
    db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
  db.close();
  return names;
};

describe('migrations', () => {
  it('there are at least two, so upgrades are exercised', () => {
    expect(journal.entries.length).toBeGreaterThanOrEqual(2);
  });

  it('apply to an empty file with WAL and foreign keys on', () => {
    const file = join(dir, 'empty.db');
    const opened = openDatabase({ file });
    expect(opened.backupFile).toBeNull();
    expect(opened.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(opened.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(opened.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    opened.close();
    expect(tables(file)).toEqual(
      expect.arrayContaining(['organizations', 'locations', 'support_grants', 'recordings']),
    );
  });

  it.each(journal.entries.slice(1).map((e) => [e.idx, e.tag]))(
    'migration %i (%s) applies to a file at the previous version, keeping data and backing it up first',
    (idx) => {
      const file = join(dir, 'prev.db');
      const old = openDatabase({ file, migrationsFolder: folderUpTo(idx as number) });
      old.sqlite.prepare("INSERT INTO accounts (name, created_at) VALUES ('kept', 1)").run();
      old.close();
      const opened = openDatabase({ file, now: () => 42 });
      expect(opened.backupFile).toBe(`${file}.pre-migration-42.bak`);
      expect(existsSync(opened.backupFile!)).toBe(true);
      expect(opened.sqlite.prepare('SELECT name FROM accounts').all()).toEqual([{ name: 'kept' }]);
      expect(opened.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get()).toEqual(
        {
          n: journal.entries.length,
        },
      );
      opened.close();
    },
  );

  it('0006 rebuilds the search index exactly: orgs from before it are found, later writes kept', () => {
    const at = journal.entries.findIndex((e) => e.tag === '0006_organizations_search_exact');
    const file = join(dir, 'search.db');
    const old = openDatabase({ file, migrationsFolder: folderUpTo(at) });
    const insert = (sqlite: Database.Database, id: number, text: string) =>
      sqlite
        .prepare(
          `INSERT INTO organizations (id, account_id, name, name_key, search_text,
             secret_ciphertext, secret_digest, created_at, updated_at)
           VALUES (?, 1, ?, ?, ?, x'00', ?, 1, 1)`,
        )
        // Named by its text, as the app would: later migrations recompute search_text from it.
        .run(id, text.trimEnd(), `org ${id}`, text, `digest ${id}`);
    old.sqlite.prepare("INSERT INTO accounts (id, name, created_at) VALUES (1, 'a', 1)").run();
    insert(old.sqlite, 1, 'harbour σsb\n');
    insert(old.sqlite, 2, 'airport ςsb\n');
    old.close();
    const opened = openDatabase({ file });
    const match = (term: string) =>
      opened.sqlite
        .prepare('SELECT rowid FROM organizations_search WHERE organizations_search MATCH ?')
        .pluck()
        .all(`"${term}"`);
    expect(match('harb')).toEqual([1]);
    // Exact: the two sigmas are different letters (the folding index matched both).
    expect(match('σsb')).toEqual([1]);
    expect(match('ςsb')).toEqual([2]);
    insert(opened.sqlite, 3, 'harbour east\n');
    opened.sqlite.prepare("UPDATE organizations SET search_text = 'dock\n' WHERE id = 1").run();
    expect(match('harb')).toEqual([3]);
    expect(match('dock')).toEqual([1]);
    opened.close();
  });

  describe('PLAT-1 upgrade from a file at 0006 (one account, before platform operators)', () => {
    /** A server's database as 0006 left it: its users, roles, an org with a host. */
    function at0006(bootstrapAdminActive: boolean): string {
      const at = journal.entries.findIndex((e) => e.tag === '0007_platform_accounts_agent_replay');
      const file = join(dir, `plat-${String(bootstrapAdminActive)}.db`);
      const old = openDatabase({ file, migrationsFolder: folderUpTo(at) });
      const sql = old.sqlite;
      sql.prepare("INSERT INTO accounts (id, name, created_at) VALUES (1, 'Acme MSP', 1)").run();
      const user = (id: number, email: string, support = 0, active = 1) =>
        sql
          .prepare(
            `INSERT INTO users (id, account_id, email, email_key, name, is_support_engineer,
               is_active, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, 1, 1)`,
          )
          .run(id, email, email, email, support, active);
      const role = (userId: number, r: string, orgId: number | null = null) =>
        sql
          .prepare(
            'INSERT INTO role_assignments (user_id, account_id, organization_id, role) VALUES (?, 1, ?, ?)',
          )
          .run(userId, orgId, r);
      // The support engineer was made first, by the admin of the time; it holds no role.
      user(1, 'sam.support@acme.test', 1);
      user(2, 'admin@orgdesk.local', 0, bootstrapAdminActive ? 1 : 0);
      role(2, 'account_admin');
      user(3, 'second.admin@acme.test');
      role(3, 'account_admin');
      sql
        .prepare(
          `INSERT INTO organizations (id, account_id, name, name_key, search_text,
             secret_ciphertext, secret_digest, created_at, updated_at)
           VALUES (1, 1, 'Kept Org', 'kept org', 'kept org\n', x'00', 'digest', 1, 1)`,
        )
        .run();
      const loc = sql
        .prepare(
          `INSERT INTO locations (organization_id, name, name_key, is_default, created_at, updated_at)
           VALUES (1, 'Default', 'default', 1, 1, 1)`,
        )
        .run().lastInsertRowid;
      sql
        .prepare(
          `INSERT INTO hosts (organization_id, location_id, hostname, ip, agent_type, registered_at)
           VALUES (1, ?, 'kept-host', '10.0.0.1', 'legacy', 1)`,
        )
        .run(loc);
      role(3, 'reader', 1);
      old.close();
      return file;
    }

    function upgraded(file: string) {
      const opened = openDatabase({ file });
      const services = createServices({
        storage: sqliteStorage(opened.db),
        clock: new ManualClock(),
        keys: new FileKeyStore(join(dir, 'master.key')),
      });
      const flags = opened.sqlite
        .prepare(
          'SELECT id, is_platform_operator AS op, is_support_engineer AS se FROM users ORDER BY id',
        )
        .all();
      return { opened, services, flags };
    }

    it('the bootstrap admin becomes the platform operator; the support engineer stays one; data is kept', async () => {
      const { opened, services, flags } = upgraded(at0006(true));
      try {
        expect(flags).toEqual([
          { id: 1, op: 0, se: 1 },
          { id: 2, op: 1, se: 0 },
          { id: 3, op: 0, se: 0 },
        ]);
        const admin = (await services.auth.actorForUser(2))!;
        expect(admin).toMatchObject({ isPlatformOperator: true, isSupportEngineer: false });
        expect(
          await services.infra.uow.read((r) =>
            new AccessService(services.infra.clock).requirePlatformOperator(r, admin, 'write'),
          ),
        ).toBe(2);
        expect(await services.auth.actorForUser(1)).toMatchObject({
          isSupportEngineer: true,
          isPlatformOperator: false,
        });
        // Data kept: the account (active), its org, host and roles; the operator sees its counts.
        expect((await services.accounts.list(admin)).items).toEqual([
          expect.objectContaining({
            id: 1,
            name: 'Acme MSP',
            is_active: true,
            counts: { organizations: 1, users: 3, hosts: 1 },
          }),
        ]);
        expect((await services.users.me((await services.auth.actorForUser(3))!)).roles).toEqual([
          { role: 'account_admin' },
          { role: 'reader', organization_id: 1 },
        ]);
      } finally {
        opened.close();
      }
    });

    it('a deactivated bootstrap admin leaves the platform to the first active account admin', async () => {
      const { opened, services, flags } = upgraded(at0006(false));
      try {
        expect(flags).toContainEqual({ id: 3, op: 1, se: 0 });
        expect(flags).toContainEqual({ id: 1, op: 0, se: 1 });
        const second = (await services.auth.actorForUser(3))!;
        expect(
          await services.infra.uow.read((r) =>
            new AccessService(services.infra.clock).requirePlatformOperator(r, second, 'write'),
          ),
        ).toBe(3);
      } finally {
        opened.close();
      }
    });
  });

  it('the upgrade recomputes the search text of existing orgs (ORG-2) and the IP sort key of hosts (UI-11)', () => {
    // A file as it was before the folding: search_text lower-cased only, accents kept.
    const at = journal.entries.findIndex((e) => e.tag === '0009_sort_keys_accent_folding');
    const file = join(dir, 'fold.db');
    const old = openDatabase({ file, migrationsFolder: folderUpTo(at) });
    old.sqlite.prepare("INSERT INTO accounts (id, name, created_at) VALUES (1, 'a', 1)").run();
    const insert = old.sqlite.prepare(
      `INSERT INTO organizations (id, account_id, name, name_key, description, search_text,
         secret_ciphertext, secret_digest, created_at, updated_at)
       VALUES (?, 1, ?, ?, ?, ?, x'00', ?, 1, 1)`,
    );
    insert.run(1, 'Crème SA', 'crème sa', 'Łódź', 'crème sa\nłódź', 'd1');
    insert.run(2, 'Plain', 'plain', null, 'plain\n', 'd2');
    // A host from before the IP sort key (UI-11).
    old.sqlite
      .prepare(
        `INSERT INTO locations (id, organization_id, name, name_key, is_default, created_at, updated_at)
         VALUES (1, 1, 'Default', 'default', 1, 1, 1)`,
      )
      .run();
    for (const [id, ip] of [
      [1, '10.0.0.10'],
      [2, '10.0.0.9'],
      [3, '2001:db8::1'],
    ] as const) {
      old.sqlite
        .prepare(
          `INSERT INTO hosts (id, organization_id, location_id, hostname, ip, agent_type, registered_at)
           VALUES (?, 1, 1, ?, ?, 'go', 1)`,
        )
        .run(id, `h${id}`, ip);
    }
    old.close();
    const opened = openDatabase({ file });
    const stored = opened.sqlite
      .prepare('SELECT id, search_text AS text FROM organizations ORDER BY id')
      .all();
    expect(stored).toEqual([
      { id: 1, text: 'creme sa\nlodz' },
      { id: 2, text: 'plain\n' },
    ]);
    // The trigram index followed by its triggers: the old text is gone, the folded one found.
    const match = (term: string) =>
      opened.sqlite
        .prepare('SELECT rowid FROM organizations_search WHERE organizations_search MATCH ?')
        .pluck()
        .all(`"${term}"`);
    expect(match('creme')).toEqual([1]);
    expect(match('lodz')).toEqual([1]);
    expect(match('crème')).toEqual([]);
    expect(match('plain')).toEqual([2]);
    // The hosts got their IP sort keys: by address, IPv4 first.
    expect(opened.sqlite.prepare('SELECT id FROM hosts ORDER BY ip_key').pluck().all()).toEqual([
      2, 1, 3,
    ]);
    opened.close();
  });

  it('LOC-1 the upgrade maps the time zones of existing locations to their current names', () => {
    const file = join(dir, 'tz.db');
    const old = openDatabase({
      file,
      migrationsFolder: folderUpTo(
        journal.entries.findIndex((e) => e.tag === '0011_location_timezones_current_names'),
      ),
    });
    old.sqlite.prepare("INSERT INTO accounts (id, name, created_at) VALUES (1, 'a', 1)").run();
    old.sqlite
      .prepare(
        `INSERT INTO organizations (id, account_id, name, name_key, search_text,
           secret_ciphertext, secret_digest, created_at, updated_at)
         VALUES (1, 1, 'o', 'o', 'o', x'00', 'd1', 1, 1)`,
      )
      .run();
    const insert = old.sqlite.prepare(
      `INSERT INTO locations (id, organization_id, name, name_key, is_default, timezone, created_at, updated_at)
       VALUES (?, 1, ?, ?, ?, ?, 1, 1)`,
    );
    insert.run(1, 'Default', 'default', 1, 'UTC');
    insert.run(2, 'Kyiv', 'kyiv', 0, 'Europe/Kiev');
    insert.run(3, 'Pune', 'pune', 0, 'Asia/Calcutta');
    insert.run(4, 'Berlin', 'berlin', 0, 'Europe/Berlin');
    insert.run(5, 'Old UTC', 'old utc', 0, 'Etc/UTC');
    old.close();
    const opened = openDatabase({ file });
    expect(
      opened.sqlite.prepare('SELECT timezone FROM locations ORDER BY id').pluck().all(),
    ).toEqual(['UTC', 'Europe/Kyiv', 'Asia/Kolkata', 'Europe/Berlin', 'UTC']);
    opened.close();
  });

  it('0012 (SEC-3): legacy hosts of orgs without a running grace are on generation 0; during a grace, unknown', () => {
    const at = journal.entries.findIndex((e) => e.tag === '0012_secret_generation');
    const file = join(dir, 'gen.db');
    const old = openDatabase({ file, migrationsFolder: folderUpTo(at) });
    old.sqlite.prepare("INSERT INTO accounts (id, name, created_at) VALUES (1, 'a', 1)").run();
    const insert = old.sqlite.prepare(
      `INSERT INTO organizations (id, account_id, name, name_key, search_text, secret_ciphertext,
         secret_digest, previous_secret_digest, previous_secret_expires_at, created_at, updated_at)
       VALUES (?, 1, ?, ?, ?, x'00', ?, ?, ?, 1, 1)`,
    );
    insert.run(1, 'Calm', 'calm', 'calm\n', 'd1', null, null);
    insert.run(2, 'Rolling', 'rolling', 'rolling\n', 'd2', 'p2', Date.now() + 3_600_000);
    insert.run(3, 'Rolled', 'rolled', 'rolled\n', 'd3', 'p3', 1);
    for (const org of [1, 2, 3]) {
      old.sqlite
        .prepare(
          `INSERT INTO locations (id, organization_id, name, name_key, is_default, created_at, updated_at)
           VALUES (?, ?, 'Default', 'default', 1, 1, 1)`,
        )
        .run(org, org);
    }
    const host = old.sqlite.prepare(
      `INSERT INTO hosts (id, organization_id, location_id, hostname, ip, agent_type, registered_at)
       VALUES (?, ?, ?, ?, '10.0.0.1', ?, 1)`,
    );
    host.run(1, 1, 1, 'calm-legacy', 'legacy');
    host.run(2, 1, 1, 'calm-go', 'go');
    host.run(3, 2, 2, 'rolling-legacy', 'legacy');
    host.run(4, 3, 3, 'rolled-legacy', 'legacy');
    old.close();
    const opened = openDatabase({ file });
    expect(
      opened.sqlite.prepare('SELECT id, secret_generation AS g FROM hosts ORDER BY id').all(),
    ).toEqual([
      { id: 1, g: 0 },
      { id: 2, g: null },
      { id: 3, g: null },
      { id: 4, g: 0 },
    ]);
    expect(
      opened.sqlite.prepare('SELECT DISTINCT secret_generation FROM organizations').pluck().all(),
    ).toEqual([0]);
    opened.close();
  });

  it('0013 (AUD-3 on many writers): each account chain is numbered in id order, its head kept; chains still verify and go on', () => {
    const at = journal.entries.findIndex((e) => e.tag === '0013_audit_sequence');
    const file = join(dir, 'seq.db');
    const keys = new FileKeyStore(join(dir, 'master.key'));
    const chain = new AuditChain(keys);
    const old = openDatabase({ file, migrationsFolder: folderUpTo(at) });
    old.sqlite
      .prepare("INSERT INTO accounts (id, name, created_at) VALUES (1, 'a', 1), (2, 'b', 1)")
      .run();
    const insert = old.sqlite.prepare(
      `INSERT INTO audit_entries (id, at, account_id, organization_id, actor_user_id, actor_label,
         action, target_type, target_id, details, prev_hash, hash)
       VALUES (?, ?, ?, NULL, NULL, 'system', 'test.old', 'thing', NULL, '{}', ?, ?)`,
    );
    // Two accounts' chains interleaved in id order, as one writer left them.
    const last = new Map<number, string>();
    for (const [id, account] of [
      [1, 1],
      [2, 2],
      [3, 1],
      [4, 1],
      [5, 2],
    ] as const) {
      const f = {
        at: id,
        accountId: account,
        organizationId: null,
        actorUserId: null,
        actorLabel: 'system',
        action: 'test.old',
        targetType: 'thing',
        targetId: null,
        details: '{}',
        prevHash: last.get(account) ?? GENESIS_HASH,
      };
      // The newest entry of account 1 is a v1 entry sealed by a GDPR-1 erasure: its link is the
      // stored hash's first 64 hex digits.
      const hash = id === 4 ? chain.hashV1(f) : chain.hash(f);
      last.set(account, hash);
      insert.run(
        id,
        id,
        account,
        f.prevHash,
        id === 4 ? chain.relabelled(f, hash, 'system') : hash,
      );
      if (id === 4) expect(chain.relabelled(f, hash, 'system')).toContain(SEAL_MARK);
    }
    old.close();

    const opened = openDatabase({ file });
    expect(
      opened.sqlite.prepare('SELECT id, account_id AS a, seq FROM audit_entries ORDER BY id').all(),
    ).toEqual([
      { id: 1, a: 1, seq: 1 },
      { id: 2, a: 2, seq: 1 },
      { id: 3, a: 1, seq: 2 },
      { id: 4, a: 1, seq: 3 },
      { id: 5, a: 2, seq: 2 },
    ]);
    expect(
      opened.sqlite.prepare('SELECT account_id AS a, seq, hash FROM audit_heads ORDER BY 1').all(),
    ).toEqual([
      { a: 1, seq: 3, hash: last.get(1) },
      { a: 2, seq: 2, hash: last.get(2) },
    ]);
    const services = createServices({
      storage: sqliteStorage(opened.db),
      clock: new ManualClock(10),
      keys,
    });
    services.infra.storage.audit.record(systemActor(1), {
      accountId: 1,
      action: 'test.new',
      targetType: 'thing',
    });
    expect(
      opened.sqlite.prepare('SELECT seq, prev_hash AS prev FROM audit_entries WHERE id = 6').get(),
    ).toEqual({ seq: 4, prev: last.get(1) });
    expect(verifyChain(opened.db, chain, 1)).toMatchObject({ ok: true, checked: 4 });
    expect(verifyChain(opened.db, chain, 2)).toMatchObject({ ok: true, checked: 2 });
    opened.close();
  });

  it('0014 (issue 14 item 3): duplicate hostnames are kept and reported, recorded expiries marked, location edits bump the revision', () => {
    const at = journal.entries.findIndex((e) => e.tag === '0014_multi_writer_invariants');
    const file = join(dir, 'multi.db');
    const old = openDatabase({ file, migrationsFolder: folderUpTo(at) });
    const sql = old.sqlite;
    sql.prepare("INSERT INTO accounts (id, name, created_at) VALUES (1, 'a', 1)").run();
    for (const id of [1, 2]) {
      sql
        .prepare(
          `INSERT INTO organizations (id, account_id, name, name_key, search_text,
             secret_ciphertext, secret_digest, created_at, updated_at)
           VALUES (?, 1, ?, ?, ?, x'00', ?, 1, 1)`,
        )
        .run(id, `Org ${id}`, `org ${id}`, `org ${id}`, `digest ${id}`);
      sql
        .prepare(
          `INSERT INTO locations (id, organization_id, name, name_key, is_default, created_at, updated_at)
           VALUES (?, ?, 'Default', 'default', 1, 1, 1)`,
        )
        .run(id, id);
    }
    const host = (id: number, org: number, hostname: string, on = sql) =>
      on
        .prepare(
          `INSERT INTO hosts (id, organization_id, location_id, hostname, ip, agent_type, registered_at)
           VALUES (?, ?, ?, ?, '10.0.0.1', 'legacy', 1)`,
        )
        .run(id, org, org, hostname);
    // What one writer could not stop: the same hostname twice (in another case) in org 1; the
    // same name in another org is no conflict.
    host(1, 1, 'web-01');
    host(2, 1, 'WEB-01');
    host(3, 1, 'db-01');
    host(4, 2, 'web-01');
    host(5, 1, 'Web-01');
    const grant = (id: number, expiresAt: number) =>
      sql
        .prepare(
          `INSERT INTO support_grants (id, account_id, kind, starts_at, expires_at)
           VALUES (?, 1, 'customer', 1, ?)`,
        )
        .run(id, expiresAt);
    grant(1, 100);
    grant(2, 200);
    // Grant 1's expiry is on the trail (the trail was the record before 0014); grant 2's is not.
    sql
      .prepare(
        `INSERT INTO audit_entries (at, account_id, actor_label, action, target_type, target_id,
           details, prev_hash, hash, seq)
         VALUES (150, 1, 'system', 'support_access.grant_expired', 'support_grant', '1', '{}', 'x', 'y', 1)`,
      )
      .run();
    old.close();

    const opened = openDatabase({ file });
    const db = opened.sqlite;
    // Reported, never dropped: every host is still there; the repeats name the host they repeat.
    expect(db.prepare('SELECT id, duplicate_of AS d FROM hosts ORDER BY id').all()).toEqual([
      { id: 1, d: null },
      { id: 2, d: 1 },
      { id: 3, d: null },
      { id: 4, d: null },
      { id: 5, d: 1 },
    ]);
    // From now on the database refuses a second host of one folded hostname in an org.
    expect(() => host(6, 1, 'DB-01', db)).toThrow(/UNIQUE constraint failed/);
    expect(() => host(7, 2, 'db-01', db)).not.toThrow();
    expect(
      db.prepare('SELECT id, expiry_recorded_at AS r FROM support_grants ORDER BY id').all(),
    ).toEqual([
      { id: 1, r: 150 },
      { id: 2, r: null },
    ]);
    const revision = (org: number) =>
      (
        db.prepare('SELECT location_revision AS v FROM organizations WHERE id = ?').get(org) as {
          v: number;
        }
      ).v;
    expect([revision(1), revision(2)]).toEqual([0, 0]);
    db.prepare(
      "INSERT INTO locations (id, organization_id, name, name_key, created_at, updated_at) VALUES (9, 1, 'Lab', 'lab', 1, 1)",
    ).run();
    db.prepare(
      "INSERT INTO location_subnets (location_id, organization_id, cidr) VALUES (9, 1, '10.9.0.0/16')",
    ).run();
    db.prepare("UPDATE locations SET timezone = 'Europe/Kyiv' WHERE id = 9").run();
    db.prepare('DELETE FROM location_subnets WHERE location_id = 9').run();
    db.prepare('DELETE FROM locations WHERE id = 9').run();
    expect([revision(1), revision(2)]).toEqual([5, 0]);
    opened.close();
  });

  it('0016 (INT-1/INT-2): an upgraded file gains empty destinations, outbox and lease tables; old entries are not queued, new ones are', async () => {
    const at = journal.entries.findIndex((e) => e.tag === '0016_integrations_outbox');
    const file = join(dir, 'outbox.db');
    const keys = new FileKeyStore(join(dir, 'master.key'));
    const old = openDatabase({ file, migrationsFolder: folderUpTo(at) });
    expect(tables(file)).not.toContain('outbox');
    old.close();
    const opened = openDatabase({ file });
    expect(tables(file)).toEqual(
      expect.arrayContaining(['integration_destinations', 'outbox', 'worker_leases']),
    );
    const services = createServices({
      storage: sqliteStorage(opened.db),
      clock: new ManualClock(10),
      keys,
    });
    const boot = await bootstrap({ services, print: () => {} });
    if (!boot.provisioned) throw new Error('a fresh account was not provisioned');
    const admin = (await services.auth.actorForUser(boot.adminUserId))!;
    const before = opened.sqlite.prepare('SELECT count(*) AS n FROM audit_entries').get();
    expect(before).toMatchObject({ n: expect.any(Number) });
    await services.integrations.create(admin, { kind: 'syslog', url: 'udp://127.0.0.1:9' });
    await services.organizations.create(admin, { name: 'After The Upgrade' });
    expect(
      opened.sqlite
        .prepare(
          `SELECT e.action FROM outbox o JOIN audit_entries e ON e.id = o.audit_entry_id ORDER BY e.seq`,
        )
        .all(),
    ).toEqual([{ action: 'integration.created' }, { action: 'organization.created' }]);
    await services.infra.offload.close();
    opened.close();
  });

  it('0018 (IDN-5): existing sessions and tokens keep working, their address and client unknown', async () => {
    const at = journal.entries.findIndex((e) => e.tag === '0018_session_clients');
    const file = join(dir, 'sessions.db');
    const keys = new FileKeyStore(join(dir, 'master.key'));
    const old = openDatabase({ file, migrationsFolder: folderUpTo(at) });
    const adminUserId = 7;
    // Written with the columns the file had before: no client address or client.
    old.sqlite.exec(
      `INSERT INTO accounts (id, name, created_at) VALUES (1, 'A', 1);
       INSERT INTO users (id, account_id, email, email_key, name, is_support_engineer, is_active,
         created_at, updated_at)
       VALUES (${adminUserId}, 1, 'admin@a.test', 'admin@a.test', 'Admin', 0, 1, 1, 1);`,
    );
    old.sqlite
      .prepare(
        `INSERT INTO api_tokens (user_id, kind, name, token_digest, read_only, created_at, expires_at)
         VALUES (?, 'session', 'console sign-in', ?, 0, 1, NULL)`,
      )
      .run(adminUserId, new SecretBox(keys).tokenDigest('orgdesk_s_old'));
    old.close();

    const opened = openDatabase({ file });
    const services = createServices({
      storage: sqliteStorage(opened.db),
      clock: new ManualClock(),
      keys,
    });
    const admin = (await services.auth.actorForUser(adminUserId))!;
    const sessions = await services.auth.sessions(admin);
    expect(sessions).toEqual([
      expect.objectContaining({ client_address: null, client: 'Unknown client', current: false }),
    ]);
    await services.infra.offload.close();
    opened.close();
  });

  it('0019 (IDN-2): existing users have no passkeys, so their sign-in is unchanged', async () => {
    const at = journal.entries.findIndex((e) => e.tag === '0019_passkeys');
    const file = join(dir, 'passkeys.db');
    const keys = new FileKeyStore(join(dir, 'master.key'));
    const old = openDatabase({ file, migrationsFolder: folderUpTo(at) });
    expect(tables(file)).not.toContain('passkeys');
    old.sqlite.exec(
      `INSERT INTO accounts (id, name, created_at) VALUES (1, 'A', 1);
       INSERT INTO users (id, account_id, email, email_key, name, created_at, updated_at)
       VALUES (3, 1, 'a@a.test', 'a@a.test', 'A', 1, 1);`,
    );
    old.sqlite
      .prepare(
        `INSERT INTO api_tokens (user_id, kind, name, token_digest, created_at)
         VALUES (3, 'session', 's', ?, 1)`,
      )
      .run(new SecretBox(keys).tokenDigest('odk_ses_old'));
    old.close();
    const opened = openDatabase({ file });
    expect(tables(file)).toEqual(expect.arrayContaining(['passkeys', 'webauthn_challenges']));
    const services = createServices({
      storage: sqliteStorage(opened.db),
      clock: new ManualClock(),
      keys,
    });
    const actor = await services.auth.authenticate('odk_ses_old');
    expect(actor?.secondFactor).toMatchObject({ enrolled: false });
    expect(await services.passkeys.list(actor!)).toEqual([]);
    await services.infra.offload.close();
    opened.close();
  });

  it('0020 (INT-3): an upgraded file gains empty notifications and an email queue; admins are told from then on', async () => {
    const at = journal.entries.findIndex((e) => e.tag === '0020_notifications');
    const file = join(dir, 'notifications.db');
    const keys = new FileKeyStore(join(dir, 'master.key'));
    const old = openDatabase({ file, migrationsFolder: folderUpTo(at) });
    expect(tables(file)).not.toContain('notifications');
    old.sqlite.exec(
      `INSERT INTO accounts (id, name, created_at) VALUES (1, 'A', 1);
       INSERT INTO users (id, account_id, email, email_key, name, is_support_engineer, is_active,
         created_at, updated_at)
       VALUES (7, 1, 'admin@a.test', 'admin@a.test', 'Admin', 0, 1, 1, 1);
       INSERT INTO role_assignments (user_id, account_id, organization_id, role)
       VALUES (7, 1, NULL, 'account_admin');`,
    );
    old.close();

    const opened = openDatabase({ file });
    expect(tables(file)).toEqual(expect.arrayContaining(['notifications', 'email_outbox']));
    const services = createServices({
      storage: sqliteStorage(opened.db),
      clock: new ManualClock(20),
      keys,
      smtpUrl: 'smtp://127.0.0.1:9',
    });
    const admin = (await services.auth.actorForUser(7))!;
    expect(await services.notifications.unreadCount(admin)).toEqual({ unread: 0 });
    await services.supportAccess.enable(admin, { duration_hours: 1 });
    expect((await services.notifications.list(admin)).items.map((n) => n.kind)).toEqual([
      'support_access.enabled',
    ]);
    expect(opened.sqlite.prepare('SELECT to_address, status FROM email_outbox').all()).toEqual([
      { to_address: 'admin@a.test', status: 'pending' },
    ]);
    await services.infra.offload.close();
    opened.close();
  });

  it('0021 (SCALE-2): an upgraded file gains an empty sign-in throttle table, and sign-ins are counted in it', async () => {
    const at = journal.entries.findIndex((e) => e.tag === '0021_sign_in_throttle');
    const file = join(dir, 'throttle.db');
    const keys = new FileKeyStore(join(dir, 'master.key'));
    const old = openDatabase({ file, migrationsFolder: folderUpTo(at) });
    expect(tables(file)).not.toContain('sign_in_throttle');
    old.close();

    const opened = openDatabase({ file });
    expect(tables(file)).toContain('sign_in_throttle');
    const services = createServices({
      storage: sqliteStorage(opened.db),
      clock: new ManualClock(5),
      keys,
    });
    await expect(
      services.auth.login(
        { email: 'nobody@a.test', password: 'not the password' },
        { address: '192.0.2.5' },
      ),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(
      opened.sqlite
        .prepare('SELECT key, failed, in_flight FROM sign_in_throttle ORDER BY key')
        .all(),
    ).toEqual([
      { key: 'addr:192.0.2.5', failed: 1, in_flight: 0 },
      { key: 'email:nobody@a.test', failed: 1, in_flight: 0 },
    ]);
    await services.infra.offload.close();
    opened.close();
  });

  it('0017 (IDN-1): existing accounts do not require MFA, existing sessions have no second factor yet', () => {
    const at = journal.entries.findIndex((e) => e.tag === '0017_mfa');
    const file = join(dir, 'mfa.db');
    const old = openDatabase({ file, migrationsFolder: folderUpTo(at) });
    old.sqlite.prepare("INSERT INTO accounts (id, name, created_at) VALUES (1, 'a', 1)").run();
    old.sqlite
      .prepare(
        `INSERT INTO users (id, account_id, email, email_key, name, created_at, updated_at)
         VALUES (1, 1, 'a@a.test', 'a@a.test', 'A', 1, 1)`,
      )
      .run();
    old.sqlite
      .prepare(
        `INSERT INTO api_tokens (id, user_id, kind, name, token_digest, created_at)
         VALUES (1, 1, 'session', 's', 'd', 1)`,
      )
      .run();
    old.close();
    const opened = openDatabase({ file });
    expect(opened.sqlite.prepare('SELECT require_mfa FROM accounts').pluck().all()).toEqual([0]);
    expect(opened.sqlite.prepare('SELECT second_factor_at FROM api_tokens').pluck().all()).toEqual([
      null,
    ]);
    expect(tables(file)).toEqual(
      expect.arrayContaining(['user_totp', 'mfa_recovery_codes', 'mfa_challenges']),
    );
    opened.close();
  });

  it('a failed migration rolls back, keeps the data and names the backup', () => {
    const file = join(dir, 'fail.db');
    const first = openDatabase({ file, migrationsFolder: folderUpTo(journal.entries.length) });
    first.sqlite.prepare("INSERT INTO accounts (name, created_at) VALUES ('precious', 1)").run();
    first.close();
    const broken = folderUpTo(
      journal.entries.length,
      'CREATE TABLE half_done (id integer);\n--> statement-breakpoint\nTHIS IS NOT SQL;',
    );
    let err: unknown;
    try {
      openDatabase({ file, migrationsFolder: broken, now: () => 7 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).message).toMatch(
      /Your data is unchanged; a copy taken before the attempt is at .*pre-migration-7\.bak/,
    );
    expect(tables(file)).not.toContain('half_done');
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT name FROM accounts').all()).toEqual([{ name: 'precious' }]);
    db.close();
  });

  it('IDN-4 upgrade to 0015 keeps the data and adds single sign-on, removed with its account', () => {
    const at = journal.entries.findIndex((e) => e.tag === '0015_sso');
    const file = join(dir, 'sso.db');
    const old = openDatabase({ file, migrationsFolder: folderUpTo(at) });
    expect(tables(file)).not.toContain('sso_configs');
    old.sqlite.prepare("INSERT INTO accounts (id, name, created_at) VALUES (1, 'kept', 1)").run();
    old.close();
    const opened = openDatabase({ file });
    const sql = opened.sqlite;
    expect(tables(file)).toEqual(expect.arrayContaining(['sso_configs', 'oidc_sign_ins']));
    expect(sql.prepare('SELECT name FROM accounts').all()).toEqual([{ name: 'kept' }]);
    sql
      .prepare(
        `INSERT INTO sso_configs (account_id, issuer, client_id, allowed_domains, group_mappings, updated_at)
         VALUES (1, 'https://idp.example.com', 'c', '[]', '[]', 1)`,
      )
      .run();
    expect(sql.prepare('SELECT enabled, groups_claim FROM sso_configs').get()).toEqual({
      enabled: 0,
      groups_claim: 'groups',
    });
    sql.prepare('DELETE FROM accounts WHERE id = 1').run();
    expect(sql.prepare('SELECT count(*) AS n FROM sso_configs').get()).toEqual({ n: 0 });
    opened.close();
  });

  it('reopening an up-to-date file takes no backup', () => {
    const file = join(dir, 'same.db');
    openDatabase({ file }).close();
    const again = openDatabase({ file });
    expect(again.backupFile).toBeNull();
    again.close();
  });
});
