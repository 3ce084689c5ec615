import { AccessService } from '../main/core/access';
import { TRPCError } from '@trpc/server';
import { desc, eq, sql } from 'drizzle-orm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../main/core/errors';
import { DEFAULT_MIGRATIONS_FOLDER } from '../main/db/database';
import { ExportService } from '../main/desktop/export/export.service';
import { EXPORT_SECTION_CAP } from '../shared/schemas/gdpr.schema';
import { moveHead, nextSeq } from './fixtures/audit-rows';
import { sqlRows, sqlRun } from './fixtures/raw-sql';
import { t } from './fixtures/tables';
import { onPg, sqliteOnly } from './fixtures/test-engine';
import { createWorld, type Caller, type World } from './fixtures/world';
import { sessionOf } from '../shared/schemas/mfa.schema';

let w: World;
let api: Caller;
beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
});
afterEach(() => w.close());

const DAY = 24 * 60 * 60 * 1000;
const PASSWORD = 'correct horse battery staple';

async function failure(p: Promise<unknown>, code: TRPCError['code']): Promise<TRPCError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the call to fail').toBeInstanceOf(TRPCError);
  expect((err as TRPCError).code).toBe(code);
  return err as TRPCError;
}

/** The first audit entry of this action. */
async function entryOf(action: string) {
  const [entry] = await w.db
    .select()
    .from(t.auditEntries)
    .where(eq(t.auditEntries.action, action))
    .orderBy(t.auditEntries.id)
    .limit(1);
  return entry!;
}

async function person(email = 'jane.doe@example.com', name = 'Jane Doe') {
  const u = await api.users.create({ email, name, password: PASSWORD });
  return u;
}

describe('GDPR-1 erase a user', () => {
  it('anonymises, clears the hash, revokes sessions and tokens, deactivates; the user cannot sign in', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const jane = await person();
    await api.users.setRoles({
      id: jane.id,
      roles: [{ role: 'technician', organization_id: org.id }],
    });
    const { token: session } = sessionOf(
      await w.services.auth.login({
        email: 'jane.doe@example.com',
        password: PASSWORD,
      }),
    );
    const janeActor = (await w.services.auth.authenticate(session))!;
    const pat = await w.caller(janeActor).auth.createToken({ name: 'laptop' });
    expect(await w.services.auth.authenticate(pat.token)).not.toBeNull();

    const erased = await api.gdpr.eraseUser({
      user_id: jane.id,
      confirm: ' Jane.Doe@Example.com ',
    });
    expect(erased).toMatchObject({
      id: jane.id,
      email: `erased-user-${jane.id}@erased.invalid`,
      name: `Erased user ${jane.id}`,
      is_active: false,
      sessions_revoked: 1,
      tokens_revoked: 1,
    });

    // Cannot sign in, and no old token works.
    const login = await w.services.auth
      .login({ email: 'jane.doe@example.com', password: PASSWORD })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(login).toBeInstanceOf(DomainError);
    expect((login as DomainError).code).toBe('UNAUTHORIZED');
    expect(await w.services.auth.authenticate(session)).toBeNull();
    expect(await w.services.auth.authenticate(pat.token)).toBeNull();
    expect(await w.services.auth.actorForUser(jane.id)).toBeNull();

    const [row] = await w.db.select().from(t.users).where(eq(t.users.id, jane.id));
    expect(row).toMatchObject({ passwordHash: null, isActive: false, erasedAt: w.clock.now() });
    // No trace of the old email or name anywhere in the users table.
    const usersDump = JSON.stringify(await sqlRows(w.db, sql`SELECT * FROM users`));
    expect(usersDump.toLowerCase()).not.toContain('jane.doe@example.com');
    expect(usersDump).not.toContain('Jane Doe');
    // Nor in audit details, nor in token names.
    const details = await w.db.select({ d: t.auditEntries.details }).from(t.auditEntries);
    expect(JSON.stringify(details).toLowerCase()).not.toContain('jane.doe');
    expect(JSON.stringify(details)).not.toContain('Jane Doe');
    // Token names are free text the user chose: they are blanked too.
    expect(
      await w.db
        .select({ name: t.apiTokens.name })
        .from(t.apiTokens)
        .where(eq(t.apiTokens.userId, jane.id)),
    ).toEqual([{ name: 'erased' }, { name: 'erased' }]);
    expect(
      await w.db.select().from(t.roleAssignments).where(eq(t.roleAssignments.userId, jane.id)),
    ).toEqual([]);

    const entry = await entryOf('user.erased');
    expect(entry).toMatchObject({ targetType: 'user', targetId: String(jane.id) });
    expect(JSON.parse(entry.details)).toEqual({
      revoked: { sessions: 1, personal: 1 },
      roles_removed: 1,
    });
  });

  it('is irreversible: erased users cannot be erased again nor reactivated', async () => {
    const jane = await person();
    await api.gdpr.eraseUser({ user_id: jane.id, confirm: 'jane.doe@example.com' });
    await failure(
      api.gdpr.eraseUser({ user_id: jane.id, confirm: `erased-user-${jane.id}@erased.invalid` }),
      'CONFLICT',
    );
    await failure(api.users.update({ id: jane.id, patch: { is_active: true } }), 'CONFLICT');
  });

  it('needs the explicit confirmation: the current email, nothing else', async () => {
    const jane = await person();
    for (const confirm of ['yes', 'jane.doe@example.co', 'true']) {
      const e = await failure(api.gdpr.eraseUser({ user_id: jane.id, confirm }), 'BAD_REQUEST');
      expect(e.message).toMatch(/confirm must repeat the current email/);
    }
    await failure(api.gdpr.eraseUser({ user_id: jane.id } as never), 'BAD_REQUEST');
    const [row] = await w.db.select().from(t.users).where(eq(t.users.id, jane.id));
    expect(row).toMatchObject({ email: 'jane.doe@example.com', isActive: true, erasedAt: null });
  });

  it('needs gdpr.manage, stays inside the account, and refuses self-erasure and the last admin', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const jane = await person();
    const orgAdmin = w.caller(
      await w.userWith(w.accountId, [{ role: 'org_admin', orgId: org.id }]),
    );
    const e = await failure(
      orgAdmin.gdpr.eraseUser({ user_id: jane.id, confirm: 'jane.doe@example.com' }),
      'FORBIDDEN',
    );
    expect(e.message).toMatch(/gdpr\.manage/);
    const other = await w.otherAccount();
    await failure(
      w.caller(other.admin).gdpr.eraseUser({ user_id: jane.id, confirm: 'jane.doe@example.com' }),
      'NOT_FOUND',
    );
    await failure(
      api.gdpr.eraseUser({ user_id: w.admin.userId, confirm: 'admin@a.test' }),
      'BAD_REQUEST',
    );
    // Another admin trying to erase the only *active* other admin: allowed only if one remains.
    const second = await w.userWith(w.accountId, [{ role: 'account_admin' }]);
    const [secondRow] = await w.db.select().from(t.users).where(eq(t.users.id, second.userId));
    await expect(
      w.caller(second).gdpr.eraseUser({ user_id: w.admin.userId, confirm: 'admin@a.test' }),
    ).resolves.toMatchObject({ is_active: false });
    // Now `second` is the last active admin: nobody can erase them (and not themselves).
    await failure(
      w.caller(second).gdpr.eraseUser({ user_id: second.userId, confirm: secondRow!.email }),
      'BAD_REQUEST',
    );
  });
});

describe('GDPR-1 afterwards: no trace in earlier audit entries or in any export', () => {
  const EMAIL = 'jane.doe@example.com';
  const NAME = 'Jane Doe';
  /** Her email (any case) or name in some text or bytes. */
  const traces = (what: string | Buffer): string[] => {
    const text = (Buffer.isBuffer(what) ? what.toString('latin1') : what).toLowerCase();
    return [EMAIL, NAME.toLowerCase(), 'jane.doe'].filter((n) => text.includes(n));
  };

  /** Jane acts in an org (her email becomes the label of those entries), then is erased. */
  async function janeActsThenIsErased() {
    const org = await api.organizations.create({ name: 'Acme' });
    const jane = await person(EMAIL, NAME);
    await api.users.setRoles({
      id: jane.id,
      roles: [{ role: 'org_admin', organization_id: org.id }],
    });
    const asJane = w.caller((await w.services.auth.actorForUser(jane.id))!);
    const lab = await asJane.locations.create({ organization_id: org.id, name: 'Lab' });
    await asJane.locations.update({ id: lab.id, patch: { name: 'Lab 2' } });
    // Sanity: before the erasure her email labels her entries, so the searches below can fail.
    const before = (await api.audit.list({ actor_user_id: jane.id })).items;
    expect(before.map((e) => e.actor_label)).toEqual([EMAIL, EMAIL]);
    await api.gdpr.eraseUser({ user_id: jane.id, confirm: EMAIL });
    return { org, jane };
  }

  it('her entries are relabelled, every export is clean, and the chain still verifies', async () => {
    const { jane } = await janeActsThenIsErased();

    const hers = (await api.audit.list({ actor_user_id: jane.id })).items;
    expect(hers.map((e) => [e.actor_user_id, e.actor_label])).toEqual([
      [jane.id, `erased-user-${jane.id}@erased.invalid`],
      [jane.id, `erased-user-${jane.id}@erased.invalid`],
    ]);
    expect(traces(JSON.stringify((await api.audit.list({ limit: 1000 })).items))).toEqual([]);
    expect((await api.audit.list({ actor: 'jane.doe' })).total).toBe(0);
    for (const format of ['csv', 'json'] as const) {
      const file = await api.audit.export({ format });
      expect(file.count).toBeGreaterThan(5);
      expect({ format, traces: traces(file.content) }).toEqual({ format, traces: [] });
    }
    expect(traces(JSON.stringify(await api.gdpr.exportAccount()))).toEqual([]);
    expect(traces(JSON.stringify(await api.gdpr.exportUser({ user_id: jane.id })))).toEqual([]);

    // AUD-3: the chain verifies after the relabelling...
    expect(await api.audit.verify()).toMatchObject({ ok: true });
    // ...and still catches a change to one of her entries.
    await sqlRun(
      w.db,
      sql`UPDATE audit_entries SET action = 'location.deleted' WHERE id = ${hers[1]!.id}`,
    );
    expect(await api.audit.verify()).toMatchObject({
      ok: false,
      first_bad_entry_id: hers[1]!.id,
      problem: 'altered',
    });
  });

  it.skipIf(
    sqliteOnly(
      "an .orgdesk-export is the desktop's export of its local SQLite database (a SQLite file); " +
        'the server on PostgreSQL makes none',
    ),
  )(
    'nor is there a trace of her in an .orgdesk-export file of her org or of the account',
    async () => {
      const { org, jane } = await janeActsThenIsErased();
      // Not in a single byte of the file.
      const exporter = new ExportService({
        db: w.opened.db,
        sqlite: w.opened.sqlite,
        clock: w.clock,
        uow: w.services.infra.uow,
        access: new AccessService(w.clock),
        audit: w.services.infra.storage.audit,
        signer: w.services.infra.signer,
        migrationsFolder: DEFAULT_MIGRATIONS_FOLDER,
        sourceLabel: 'gdpr test',
      });
      for (const input of [
        { scope: 'organization', organization_id: org.id } as const,
        { scope: 'account' } as const,
      ]) {
        const { file } = await exporter.exportTo(
          w.admin,
          input,
          join(w.dir, `${input.scope}.orgdesk-export`),
        );
        const bytes = readFileSync(file);
        expect(bytes.includes(Buffer.from(`erased-user-${jane.id}@erased.invalid`))).toBe(true);
        expect({ scope: input.scope, traces: traces(bytes) }).toEqual({
          scope: input.scope,
          traces: [],
        });
      }
    },
  );

  it('entries written before the upgrade (chain v1, the label hashed) verify after an erasure too', async () => {
    const jane = await person(EMAIL, NAME);
    // A v1 entry, as Orgdesk wrote them before: its hash covers the actor label.
    const [last] = await w.db
      .select()
      .from(t.auditEntries)
      .orderBy(desc(t.auditEntries.id))
      .limit(1);
    const v1 = {
      at: w.clock.now(),
      accountId: w.accountId,
      organizationId: null,
      actorUserId: jane.id,
      actorLabel: EMAIL,
      action: 'user.updated',
      targetType: 'user',
      targetId: String(jane.id),
      details: '{"name_changed":true}',
      prevHash: last!.hash,
    };
    // Written before the chain head existed: the upgrade (migration 0013) made it the head.
    const v1Hash = w.services.infra.chain.hashV1(v1);
    const seq = await nextSeq(w.db, w.accountId);
    await w.db.insert(t.auditEntries).values({ ...v1, hash: v1Hash, seq });
    await moveHead(w.db, w.accountId, seq, v1Hash);
    await api.organizations.create({ name: 'After the upgrade' });
    expect(await api.audit.verify()).toMatchObject({ ok: true });
    // Its label is still bound by its hash: a changed label is caught while it is not sealed.
    const v1Id = (await entryOf('user.updated')).id;
    await sqlRun(
      w.db,
      sql`UPDATE audit_entries SET actor_label = 'someone@else.test' WHERE id = ${v1Id}`,
    );
    expect(await api.audit.verify()).toMatchObject({ ok: false, first_bad_entry_id: v1Id });
    await sqlRun(w.db, sql`UPDATE audit_entries SET actor_label = ${EMAIL} WHERE id = ${v1Id}`);

    await api.gdpr.eraseUser({ user_id: jane.id, confirm: EMAIL });
    const entry = await entryOf('user.updated');
    expect(entry.actorLabel).toBe(`erased-user-${jane.id}@erased.invalid`);
    expect(traces(JSON.stringify(await sqlRows(w.db, sql`SELECT * FROM audit_entries`)))).toEqual(
      [],
    );
    expect(await api.audit.verify()).toMatchObject({ ok: true });
    // The erased entry is sealed: a change to it is still caught, so is a changed label.
    for (const [column, value] of [
      ['details', '\'{"name_changed":false}\''],
      ['actor_label', "'someone@else.test'"],
    ] as const) {
      const [saved] = await sqlRows<{ v: string }>(
        w.db,
        sql`SELECT ${sql.raw(column)} AS v FROM audit_entries WHERE id = ${entry.id}`,
      );
      await sqlRun(
        w.db,
        sql`UPDATE audit_entries SET ${sql.raw(column)} = ${sql.raw(value)} WHERE id = ${entry.id}`,
      );
      expect(await api.audit.verify()).toMatchObject({
        ok: false,
        first_bad_entry_id: entry.id,
        problem: 'altered',
      });
      await sqlRun(
        w.db,
        sql`UPDATE audit_entries SET ${sql.raw(column)} = ${saved!.v} WHERE id = ${entry.id}`,
      );
    }
    expect(await api.audit.verify()).toMatchObject({ ok: true });
  });
});

describe('GDPR-2 export', () => {
  /** Bulk rows straight into the tables, a few hundred per statement (either engine). */
  async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>) {
    for (let i = 0; i < rows.length; i += 500) await insert(rows.slice(i, i + 500));
  }
  async function bulkAudit(userId: number, n: number, at: number) {
    const first = await nextSeq(w.db, w.accountId);
    await insertChunked(
      Array.from({ length: n }, (_, i) => ({
        at,
        accountId: w.accountId,
        organizationId: null,
        actorUserId: userId,
        actorLabel: 'bulk',
        action: 'bulk.test',
        targetType: 'user',
        targetId: null,
        details: '{}',
        prevHash: 'x',
        hash: 'y',
        seq: first + i,
      })),
      (chunk) => w.db.insert(t.auditEntries).values(chunk),
    );
    // Appends after these link to them (the chain is not verified here).
    await moveHead(w.db, w.accountId, first + n - 1, 'y');
  }
  async function bulkRecordings(orgId: number, userId: number, n: number, startedAt: number) {
    await insertChunked(
      Array.from({ length: n }, (_, i) => ({
        organizationId: orgId,
        hostId: null,
        userId,
        kind: 'terminal' as const,
        capture: 'metadata' as const,
        startedAt: startedAt - i,
        sizeBytes: 1,
      })),
      (chunk) => w.db.insert(t.recordings).values(chunk),
    );
  }

  it('caps every section at 10,000 records and marks where it did', async () => {
    expect(EXPORT_SECTION_CAP).toBe(10_000);
    const org = await api.organizations.create({ name: 'Acme' });
    const jane = await person();
    const now = w.clock.now();
    await bulkAudit(jane.id, 10_001, now - DAY);
    await bulkRecordings(org.id, jane.id, 10_000, now - DAY);

    const data = await api.gdpr.exportUser({ user_id: jane.id });
    expect(data).toMatchObject({
      format: 'orgdesk.gdpr-export/1',
      kind: 'user',
      cap_per_section: 10_000,
      subject: { account_id: w.accountId, user_id: jane.id },
      capped_sections: ['audit_entries'],
    });
    const audit = data.sections.audit_entries!;
    expect(audit).toMatchObject({ capped: true, cap: 10_000, count: 10_000 });
    expect(audit.records).toHaveLength(10_000);
    // Exactly at the cap is complete, not capped.
    const rec = data.sections.recordings!;
    expect(rec).toMatchObject({ capped: false, count: 10_000 });
    expect(rec).not.toHaveProperty('cap');
    expect(data.sections.profile).toMatchObject({
      capped: false,
      records: [expect.objectContaining({ id: jane.id, email: 'jane.doe@example.com' })],
    });

    const account = await api.gdpr.exportAccount();
    expect(account.kind).toBe('account');
    expect(account.capped_sections).toEqual(['audit_entries']);
    expect(account.sections.audit_entries).toMatchObject({ capped: true, cap: 10_000 });
    expect(account.sections.recordings).toMatchObject({ capped: false, count: 10_000 });
    // Newest first, so a capped section keeps the most recent records.
    expect((account.sections.audit_entries!.records[0] as { action: string }).action).not.toBe(
      'bulk.test',
    );
  });

  it('covers the last 90 days of activity; current records are exported whole', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const jane = await person();
    const now = w.clock.now();
    await bulkRecordings(org.id, jane.id, 2, now - 89 * DAY);
    await bulkRecordings(org.id, jane.id, 3, now - 91 * DAY);
    await bulkAudit(jane.id, 4, now - 91 * DAY);
    const data = await api.gdpr.exportUser({ user_id: jane.id });
    expect(data.period).toEqual({
      from: new Date(now - 90 * DAY).toISOString(),
      to: new Date(now).toISOString(),
      days: 90,
    });
    expect(data.sections.recordings!.count).toBe(2);
    expect(
      data.sections.audit_entries!.records.every(
        (r) => (r as { action: string }).action !== 'bulk.test',
      ),
    ).toBe(true);
    const account = await api.gdpr.exportAccount();
    expect(account.sections.organizations!.records).toEqual([
      expect.objectContaining({ id: org.id, name: 'Acme' }),
    ]);
    expect(account.sections.recordings!.count).toBe(2);
  });

  it('contains no password, hash, token digest, secret, ciphertext or digest from the database', async () => {
    const api2 = api;
    const org = await api2.organizations.create({ name: 'Acme' });
    await api2.organizations.create({ name: 'Beta' });
    const rotated = await api2.organizations.regenerateSecret({
      id: org.id,
      grace_period_hours: 24,
      confirm: true,
    });
    const jane = await person();
    await api2.users.setRoles({
      id: jane.id,
      roles: [{ role: 'org_admin', organization_id: org.id }],
    });
    const { token: session } = sessionOf(
      await w.services.auth.login({
        email: 'jane.doe@example.com',
        password: PASSWORD,
      }),
    );
    const pat = await w.caller((await w.services.auth.authenticate(session))!).auth.createToken({
      name: 'ci',
    });
    await api2.workflows.create({ organization_id: org.id, name: 'WF' });

    const exports = JSON.stringify([
      await api2.gdpr.exportUser({ user_id: jane.id }),
      await api2.gdpr.exportAccount(),
    ]);
    // Sanity: the export really holds data, so an empty one cannot pass.
    expect(exports).toContain('jane.doe@example.com');
    expect(exports).toContain('Acme');

    // Every value of every secret-bearing column of every table, in every encoding.
    const needles = new Set<string>([PASSWORD, session, pat.token, rotated.secret]);
    const sensitive = /secret|password|token_digest|digest|hash|ciphertext|private/i;
    // The catalog of the engine: every table's columns (SQLite's own tables aside). On
    // PostgreSQL the text and bytea ones: a raw int8 (a secret_rotated_at time) arrives as a
    // string there, where SQLite's number is no needle either.
    const catalog = await sqlRows<{ table_name: string; column_name: string }>(
      w.db,
      onPg
        ? sql`SELECT table_name, column_name FROM information_schema.columns
              WHERE table_schema = current_schema() AND data_type IN ('text', 'bytea')`
        : sql`SELECT m.name AS table_name, p.name AS column_name
              FROM sqlite_master m, pragma_table_info(m.name) p
              WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`,
    );
    let columns = 0;
    for (const c of catalog.filter((col) => sensitive.test(col.column_name))) {
      columns++;
      for (const row of await sqlRows<{ v: unknown }>(
        w.db,
        sql`SELECT ${sql.identifier(c.column_name)} AS v FROM ${sql.identifier(c.table_name)}
            WHERE ${sql.identifier(c.column_name)} IS NOT NULL`,
      )) {
        if (Buffer.isBuffer(row.v)) {
          needles.add(row.v.toString('hex'));
          needles.add(row.v.toString('base64'));
          needles.add(row.v.toString('base64url'));
          needles.add(JSON.stringify([...row.v]).slice(1, -1));
        } else if (typeof row.v === 'string' && row.v.length >= 8) {
          needles.add(row.v);
        }
      }
    }
    // password_hash, token_digest, secret_ciphertext, secret_digest, previous_secret_digest, …
    expect(columns).toBeGreaterThanOrEqual(5);
    expect(needles.size).toBeGreaterThan(8);
    for (const needle of needles) {
      expect(exports.includes(needle), `export leaks ${needle.slice(0, 12)}…`).toBe(false);
    }
    expect(exports).not.toMatch(/password|token_digest|secret_digest|ciphertext|"hash"|prev_hash/);
  });

  it('needs gdpr.manage, stays inside the account and is itself audited', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const jane = await person();
    const orgAdmin = w.caller(
      await w.userWith(w.accountId, [{ role: 'org_admin', orgId: org.id }]),
    );
    await failure(orgAdmin.gdpr.exportUser({ user_id: jane.id }), 'FORBIDDEN');
    await failure(orgAdmin.gdpr.exportAccount(), 'FORBIDDEN');
    const other = await w.otherAccount();
    await failure(w.caller(other.admin).gdpr.exportUser({ user_id: jane.id }), 'NOT_FOUND');
    const theirs = await w.caller(other.admin).gdpr.exportAccount();
    expect(JSON.stringify(theirs)).not.toContain('jane.doe@example.com');
    await api.gdpr.exportUser({ user_id: jane.id });
    const entry = await entryOf('gdpr.user_exported');
    expect(entry).toMatchObject({ targetId: String(jane.id), actorUserId: w.admin.userId });
    expect(JSON.parse(entry.details)).toMatchObject({ capped_sections: [] });
  });
});
