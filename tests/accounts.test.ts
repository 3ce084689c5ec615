// PLAT-1 in-process: a deactivated account is closed to everyone who would act inside it, on
// every call (an actor built before the deactivation included), and open again on reactivation.
// The REST side (tokens, sessions, agents, audit) is in tests/server/accounts.rest.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../main/core/actor';
import { createWorld, type World } from './fixtures/world';

let w: World;
let op: Actor;
beforeEach(async () => {
  w = await createWorld();
  op = (await w.otherAccount('Platform', { platformOperator: true })).admin;
});
afterEach(() => w.close());

describe('PLAT-1: a deactivated account', () => {
  it("stops its users' actors already built, and support grants into it; reactivation restores both", async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Customer Org' });
    const engineer = await w.userWith(op.accountId, [], { support: true });
    await api.supportAccess.enable({ duration_hours: 4 });
    const asEngineer = () => w.caller(engineer).organizations.get({ id: org.id });
    await expect(asEngineer()).resolves.toMatchObject({ name: 'Customer Org' });

    const opApi = w.caller(op);
    await opApi.accounts.update({ id: w.accountId, patch: { is_active: false } });
    // The admin's actor was built before: every call reads the account's state again.
    expect((await api.organizations.list()).total).toBe(0);
    await expect(api.organizations.get({ id: org.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(api.organizations.create({ name: 'More' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await w.services.auth.actorForUser(w.admin.userId)).toBeNull();
    await expect(asEngineer()).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await opApi.accounts.update({ id: w.accountId, patch: { is_active: true } });
    expect((await api.organizations.list()).total).toBe(1);
    await expect(asEngineer()).resolves.toMatchObject({ name: 'Customer Org' });
    expect(await w.services.auth.actorForUser(w.admin.userId)).not.toBeNull();
  });

  it('a no-op patch changes and audits nothing; the account answer is the same as get', async () => {
    const opApi = w.caller(op);
    const before = await opApi.accounts.get({ id: w.accountId });
    const same = await opApi.accounts.update({ id: w.accountId, patch: {} });
    expect(same).toEqual(before);
    const renamed = await opApi.accounts.update({
      id: w.accountId,
      patch: { name: before.name },
    });
    expect(renamed).toEqual(before);
    const trail = await w.caller(w.admin).audit.list({ action: 'account.updated' });
    expect(trail.total).toBe(0);
  });
});
