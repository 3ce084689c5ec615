import type { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failAuditEntry } from './fixtures/fail-trigger';
import { t } from './fixtures/tables';
import { createWorld, type Caller, type World } from './fixtures/world';
import { sessionOf } from '../shared/schemas/mfa.schema';

let w: World;
let api: Caller;
beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
});
afterEach(() => w.close());

const code = async (p: Promise<unknown>) =>
  (
    (await p.then(
      () => null,
      (e: TRPCError) => e,
    )) as TRPCError | null
  )?.code;

describe('TEN-6 users, roles and tokens', () => {
  it('creates a user with a memory-hard password hash, never echoing it', async () => {
    const u = await api.users.create({
      email: 'Jane@Example.com',
      name: 'Jane',
      password: 'correct horse battery',
    });
    expect(u).toMatchObject({ email: 'Jane@Example.com', roles: [], is_active: true });
    expect(JSON.stringify(u)).not.toMatch(/password|scrypt/);
    const [row] = await w.db.select().from(t.users).where(eq(t.users.id, u.id));
    expect(row!.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(JSON.stringify(await w.db.select().from(t.auditEntries))).not.toContain('correct horse');
    expect(await code(api.users.create({ email: 'jane@example.com', name: 'Again' }))).toBe(
      'CONFLICT',
    );
    expect(await code(api.users.create({ email: 'not-an-email', name: 'X' }))).toBe('BAD_REQUEST');
    expect(await code(api.users.create({ email: 'a@b.co', name: 'X', password: 'short' }))).toBe(
      'BAD_REQUEST',
    );
  });

  it('assigns roles per org or account-wide, and a role in one org shows only that org', async () => {
    const a = await api.organizations.create({ name: 'A' });
    const b = await api.organizations.create({ name: 'B' });
    const u = await api.users.create({ email: 'tech@example.com', name: 'Tech' });
    const set = await api.users.setRoles({
      id: u.id,
      roles: [
        { role: 'technician', organization_id: a.id },
        { role: 'reader', organization_id: b.id },
      ],
    });
    expect(set.roles).toHaveLength(2);
    const tech = w.caller((await w.services.auth.actorForUser(u.id))!);
    expect((await tech.organizations.list()).items.map((o) => o.name)).toEqual(['A', 'B']);
    await expect(tech.locations.create({ organization_id: a.id, name: 'L' })).resolves.toBeTruthy();
    expect(await code(tech.locations.create({ organization_id: b.id, name: 'L' }))).toBe(
      'FORBIDDEN',
    );
  });

  it('refuses roles on a foreign org, roles for support engineers, and removing the last admin', async () => {
    const other = await w.otherAccount();
    const foreign = await w.caller(other.admin).organizations.create({ name: 'Theirs' });
    const u = await api.users.create({ email: 'u@example.com', name: 'U' });
    expect(
      await code(
        api.users.setRoles({ id: u.id, roles: [{ role: 'reader', organization_id: foreign.id }] }),
      ),
    ).toBe('NOT_FOUND');
    // PLAT-2: support engineers are the platform operator's to make and to change.
    expect(
      await code(
        api.users.create({ email: 'se@example.com', name: 'SE', is_support_engineer: true }),
      ),
    ).toBe('FORBIDDEN');
    const se = await w.userWith(w.accountId, [], { support: true });
    expect(
      await code(api.users.setRoles({ id: se.userId, roles: [{ role: 'account_admin' }] })),
    ).toBe('FORBIDDEN');
    expect(await code(api.users.setRoles({ id: w.admin.userId, roles: [] }))).toBe('CONFLICT');
  });

  it('an update checks what it changes in its own transaction, after the password is hashed', async () => {
    // PLAT-2: support engineers hold no tenant role. The check must see a role given while the
    // new password is being hashed (scrypt takes real time), not the roles from before it.
    const platform = await w.otherAccount('Platform', { platformOperator: true });
    const op = w.caller(platform.admin);
    const u = await op.users.create({ email: 'mark@example.com', name: 'Mark' });
    const marking = op.users.update({
      id: u.id,
      patch: { is_support_engineer: true, password: 'a brand new passphrase' },
    });
    const giving = op.users.setRoles({ id: u.id, roles: [{ role: 'account_admin' }] });
    const [m, g] = await Promise.allSettled([marking, giving]);
    expect(g.status).toBe('fulfilled');
    expect(m.status).toBe('rejected');
    expect(((m as PromiseRejectedResult).reason as TRPCError).code).toBe('CONFLICT');
    const [row] = await w.db.select().from(t.users).where(eq(t.users.id, u.id));
    expect(row!.isSupportEngineer).toBe(false);
  });

  it('users.manage is needed, and users of another account are not found', async () => {
    const org = await api.organizations.create({ name: 'A' });
    const orgAdmin = w.caller(
      await w.userWith(w.accountId, [{ role: 'org_admin', orgId: org.id }]),
    );
    expect(await code(orgAdmin.users.list())).toBe('FORBIDDEN');
    const other = await w.otherAccount();
    expect(
      await code(w.caller(other.admin).users.update({ id: w.admin.userId, patch: { name: 'x' } })),
    ).toBe('NOT_FOUND');
  });

  it('a deactivated user loses access at once', async () => {
    const org = await api.organizations.create({ name: 'A' });
    const u = await api.users.create({ email: 'u@example.com', name: 'U' });
    await api.users.setRoles({ id: u.id, roles: [{ role: 'org_admin', organization_id: org.id }] });
    const actor = (await w.services.auth.actorForUser(u.id))!;
    expect((await w.caller(actor).organizations.list()).total).toBe(1);
    await api.users.update({ id: u.id, patch: { is_active: false } });
    expect((await w.caller(actor).organizations.list()).total).toBe(0);
  });

  it('revoking a token is one transaction with its audit entry: if the entry fails, the token still works', async () => {
    const created = await api.auth.createToken({ name: 'kept' });
    // A real failure inside the database, at the last statement of the use case.
    await failAuditEntry(w.db, 'fail_revoke_entry', 'token.revoked');
    await expect(api.auth.revokeToken({ id: created.id })).rejects.toThrow();
    const [row] = await w.db.select().from(t.apiTokens).where(eq(t.apiTokens.id, created.id));
    expect(row!.revokedAt).toBeNull();
    expect(await w.services.auth.authenticate(created.token)).not.toBeNull();
  });

  it('sign-in issues a session; a personal token is shown once, stored hashed, revocable', async () => {
    await api.users.create({
      email: 'pw@example.com',
      name: 'PW',
      password: 'a long enough password',
    });
    const { token } = sessionOf(
      await w.services.auth.login({
        email: 'pw@example.com',
        password: 'a long enough password',
      }),
    );
    expect(token).toMatch(/^odk_ses_/);
    expect(
      await code(w.services.auth.login({ email: 'pw@example.com', password: 'wrong password!!' })),
    ).toBe('UNAUTHORIZED');
    const created = await api.auth.createToken({ name: 'ci' });
    expect(created.token).toMatch(/^odk_pat_/);
    const stored = await w.db.select().from(t.apiTokens);
    expect(JSON.stringify(stored)).not.toContain(created.token);
    expect(await w.services.auth.authenticate(created.token)).toMatchObject({
      userId: w.admin.userId,
      via: 'token',
    });
    await api.auth.revokeToken({ id: created.id });
    expect(await w.services.auth.authenticate(created.token)).toBeNull();
  });

  it("a reader's token cannot create, and a read-only token of an admin cannot either", async () => {
    const org = await api.organizations.create({ name: 'A' });
    const reader = await w.userWith(w.accountId, [{ role: 'reader', orgId: org.id }]);
    const readerToken = await w.caller(reader).auth.createToken({ name: 'mine' });
    const viaToken = w.caller(await w.services.auth.authenticate(readerToken.token));
    expect(await code(viaToken.organizations.create({ name: 'X' }))).toBe('FORBIDDEN');
    expect(await code(viaToken.locations.create({ organization_id: org.id, name: 'X' }))).toBe(
      'FORBIDDEN',
    );

    const ro = await api.auth.createToken({ name: 'ro', read_only: true });
    const roCaller = w.caller(await w.services.auth.authenticate(ro.token));
    expect((await roCaller.organizations.list()).total).toBe(1);
    expect(await code(roCaller.organizations.create({ name: 'X' }))).toBe('FORBIDDEN');
    expect(await code(roCaller.auth.createToken({ name: 'escalate' }))).toBe('FORBIDDEN');
  });
});
