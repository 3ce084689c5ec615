// PLAT-1: the platform operator, a server-level role beside the tenant roles. The first start
// (server bootstrap, the desktop's local operator) makes one; the role manages accounts through
// one chokepoint (AccessService.requirePlatformOperator) and never reads inside an account.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessService } from '../main/core/access';
import type { Actor } from '../main/core/actor';
import { ManualClock } from '../main/core/clock';
import { DomainError } from '../main/core/errors';
import { FileKeyStore } from '../main/core/key-store';
import { ensureLocalOperator } from '../main/desktop/local-operator';
import { bootstrap } from '../main/server/bootstrap';
import { createServices, type Services } from '../main/services';
import type { SqliteStorage } from '../main/db/sqlite/storage';
import { t } from './fixtures/tables';
import { sqliteOnly } from './fixtures/test-engine';
import { openTestStorage, type TestStorage } from './fixtures/test-storage';
import { createWorld, type World } from './fixtures/world';

const codeOf = async (answer: Promise<unknown>): Promise<string | null> => {
  try {
    await answer;
    return null;
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
};

/** PLAT-1's chokepoint as every service calls it: inside one read of the unit of work. */
const platformCheck = (services: Services) => {
  const access = new AccessService(services.infra.clock);
  return (actor: Actor, mode: 'read' | 'write') =>
    services.infra.uow.read((r) => access.requirePlatformOperator(r, actor, mode));
};

describe('PLAT-1: the first start makes a platform operator', () => {
  let dir: string;
  let store: TestStorage;
  let services: Services<SqliteStorage>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-plat-'));
    // An empty database of the engine under test (a fresh file, or a fresh PostgreSQL database).
    store = await openTestStorage(dir);
    services = createServices({
      storage: store.storage,
      clock: new ManualClock(),
      keys: new FileKeyStore(join(dir, 'master.key')),
    }) as Services<SqliteStorage>;
  });
  afterEach(async () => {
    await store.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the server bootstrap admin is account admin and platform operator', async () => {
    const boot = await bootstrap({ services, print: () => {} });
    if (!boot.provisioned) throw new Error('not provisioned');
    const actor = (await services.auth.authenticate(boot.token))!;
    expect(actor).toMatchObject({ isPlatformOperator: true, isSupportEngineer: false });
    expect(await services.users.me(actor)).toMatchObject({
      is_platform_operator: true,
      roles: [{ role: 'account_admin' }],
    });
    expect(await platformCheck(services)(actor, 'write')).toBe(actor.userId);
  });

  it.skipIf(sqliteOnly("the desktop's local database is SQLite by design"))(
    "the desktop's local operator on an empty database is platform operator too",
    async () => {
      const actor = await ensureLocalOperator(services, join(dir, 'op.json'), {
        displayName: 'Dana',
      });
      expect(actor.isPlatformOperator).toBe(true);
      expect((await services.users.me(actor)).is_platform_operator).toBe(true);
    },
  );
});

describe('PLAT-1: requirePlatformOperator, the one chokepoint of platform calls', () => {
  let w: World;
  beforeEach(async () => {
    w = await createWorld();
  });
  afterEach(() => w.close());

  it('denies everyone but an active operator; a read-only token only reads', async () => {
    const check = platformCheck(w.services);
    const platform = await w.otherAccount('Platform', { platformOperator: true });
    const op = platform.admin;
    expect(op.isPlatformOperator).toBe(true);
    expect(await check(op, 'read')).toBe(op.userId);
    expect(await check(op, 'write')).toBe(op.userId);

    // An account admin (every tenant permission) is no operator; nor is a support engineer.
    expect(await codeOf(check(w.admin, 'read'))).toBe('FORBIDDEN');
    const engineer = await w.userWith(platform.accountId, [], { support: true });
    expect(await codeOf(check(engineer, 'read'))).toBe('FORBIDDEN');

    // A read-only personal token of the operator keeps the reads, never the writes.
    const ro = await w.services.auth.createPersonalToken(op, { name: 'ro', read_only: true });
    const roActor = (await w.services.auth.authenticate(ro.token))!;
    expect(await check(roActor, 'read')).toBe(op.userId);
    expect(await codeOf(check(roActor, 'write'))).toBe('FORBIDDEN');

    // The role is read fresh on every call, not trusted from an actor built earlier.
    await w.db.update(t.users).set({ isPlatformOperator: false }).where(eq(t.users.id, op.userId));
    expect(await codeOf(check(op, 'read'))).toBe('FORBIDDEN');
    await w.db.update(t.users).set({ isPlatformOperator: true }).where(eq(t.users.id, op.userId));
    await w.db.update(t.users).set({ isActive: false }).where(eq(t.users.id, op.userId));
    expect(await codeOf(check(op, 'read'))).toBe('FORBIDDEN');
  });

  it('an operator reads nothing inside another account: no tenant role, no grant, no content', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Customer Org' });
    const op = (await w.otherAccount('Platform', { platformOperator: true })).admin;
    const opApi = w.caller(op);
    expect((await opApi.organizations.list({ active_only: false })).total).toBe(0);
    await expect(opApi.organizations.get({ id: org.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      opApi.users.update({ id: w.admin.userId, patch: { name: 'x' } }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(opApi.audit.list({ account_id: w.accountId })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
