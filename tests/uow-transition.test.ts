// Issue 14, while services are converted one feature at a time: a converted service's unit of
// work and a not-yet-converted service's synchronous transaction share one SQLite connection.
// Started together (the calls of one tRPC batch run in one microtask drain), the synchronous one
// must never run inside the unit of work's open transaction, where the other's rollback would
// take it along after it had answered success.
import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../main/core/errors';
import { t } from './fixtures/tables';
import { createWorld, type World } from './fixtures/world';

let w: World;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

describe('converted and not-yet-converted services side by side', () => {
  it('a legacy write started while a converted write is open survives that write’s rollback', async () => {
    const { organizations, locations: locs } = w.services;
    await organizations.create(w.admin, { name: 'Taken' });
    const target = await organizations.create(w.admin, { name: 'Target' });
    // The converted write fails at its UPDATE (the name is taken) and rolls back…
    const failing = organizations.update(w.admin, { id: target.id, patch: { name: 'Taken' } });
    // … while a not-yet-converted service writes in the next microtask, as a batched call would.
    const legacy = Promise.resolve().then(() =>
      locs.create(w.admin, { organization_id: target.id, name: 'Legacy' }),
    );
    const [f, l] = await Promise.allSettled([failing, legacy]);
    expect(f.status).toBe('rejected');
    expect((f as PromiseRejectedResult).reason).toBeInstanceOf(DomainError);
    expect(l.status).toBe('fulfilled');
    const [stored] = await w.db
      .select({ n: count() })
      .from(t.locations)
      .where(eq(t.locations.name, 'Legacy'));
    expect(stored!.n).toBe(1);
  });

  it('the tRPC way: one batch of a failing org rename and a location create', async () => {
    const api = w.caller(w.admin);
    await api.organizations.create({ name: 'Taken' });
    const target = await api.organizations.create({ name: 'Target' });
    const [f, l] = await Promise.allSettled([
      api.organizations.update({ id: target.id, patch: { name: 'Taken' } }),
      api.locations.create({ organization_id: target.id, name: 'Legacy' }),
    ]);
    expect([f.status, l.status]).toEqual(['rejected', 'fulfilled']);
    expect((await api.locations.list({ organization_id: target.id })).map((x) => x.name)).toContain(
      'Legacy',
    );
  });
});
