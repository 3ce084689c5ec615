// Audit diffs compare by structure: an update that leaves an array or object field as it was
// records no change for it, however many times the row was read and mapped in between.
import { and, desc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changesOf, sameValue } from '../main/core/audit-diff';
import { orgColumns as pgOrgColumns } from '../main/db/pg/repos/organizations-sql';
import { orgColumns as sqliteOrgColumns } from '../main/db/sqlite/repos/organizations-sql';
import { toOrganization } from '../main/features/organizations/organizations.mapper';
import { t } from './fixtures/tables';
import { onPg } from './fixtures/test-engine';
import { createWorld, type World } from './fixtures/world';

// The columns the engine's organizations repository reads (typed as SQLite's, as tables.ts is).
const orgColumns = onPg ? (pgOrgColumns as unknown as typeof sqliteOrgColumns) : sqliteOrgColumns;

describe('sameValue', () => {
  it.each([
    ['equal primitives', 'a', 'a', true],
    ['different primitives', 1, 2, false],
    ['NaN and NaN', NaN, NaN, true],
    ['0 and -0', 0, -0, true],
    ['null and undefined', null, undefined, false],
    ['null and null', null, null, true],
    ['a number and its text', 1, '1', false],
    ['equal arrays, new objects', ['a', 'b'], ['a', 'b'], true],
    ['arrays in another order', ['a', 'b'], ['b', 'a'], false],
    ['a longer array', [1], [1, 1], false],
    ['an empty array and an empty object', [], {}, false],
    [
      'nested arrays and objects',
      { a: [{ b: 1 }], c: { d: [2] } },
      { c: { d: [2] }, a: [{ b: 1 }] },
      true,
    ],
    ['a nested change', { a: [{ b: 1 }] }, { a: [{ b: 2 }] }, false],
    ['a key holding undefined and a missing key', { a: 1, b: undefined }, { a: 1 }, true],
    ['a key holding null and a missing key', { a: 1, b: null }, { a: 1 }, false],
    ['undefined and null in arrays', [undefined], [null], false],
    ['equal Dates', new Date(5), new Date(5), true],
    ['different Dates', new Date(5), new Date(6), false],
    ['a Date and its time', new Date(5), 5, false],
    ['a Date and an object', new Date(5), {}, false],
  ])('%s', (_what, a, b, same) => {
    expect(sameValue(a, b)).toBe(same);
    expect(sameValue(b, a)).toBe(same);
  });
});

describe('changesOf', () => {
  it('lists only the fields that differ, with both values', () => {
    const before = { name: 'A', tags: ['x'], rules: { max: 1 }, note: null as string | null };
    const after = { name: 'B', tags: ['x'], rules: { max: 1 }, note: null as string | null };
    expect(changesOf(before, after)).toEqual({ name: { from: 'A', to: 'B' } });
    expect(changesOf(before, { ...after, tags: ['x', 'y'] }, ['tags', 'note'])).toEqual({
      tags: { from: ['x'], to: ['x', 'y'] },
    });
  });
});

describe('organization updates record only what changed', () => {
  let w: World;
  beforeEach(async () => {
    w = await createWorld();
  });
  afterEach(() => w.close());

  const lastChanges = async (orgId: number) => {
    const [last] = await w.db
      .select({ details: t.auditEntries.details })
      .from(t.auditEntries)
      .where(
        and(
          eq(t.auditEntries.action, 'organization.updated'),
          eq(t.auditEntries.organizationId, orgId),
        ),
      )
      .orderBy(desc(t.auditEntries.id))
      .limit(1);
    return (JSON.parse(last!.details) as { changes: unknown }).changes;
  };

  it('an object field of the org left as it was is no change (new objects on every read)', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Acme' });
    const read = async () =>
      (
        await w.db
          .select(orgColumns)
          .from(t.organizations)
          .where(eq(t.organizations.id, org.id))
          .limit(1)
      )[0]!;
    const stats = { online: 1, offline: 2, stale: 0, total: 3 };
    // Two reads of the row, each mapped with its stats: equal values, never the same objects.
    const before = toOrganization(await read(), { ...stats });
    const after = toOrganization({ ...(await read()), name: 'Renamed' }, { ...stats });
    expect(before.stats).not.toBe(after.stats);
    expect(changesOf(before, after, ['name', 'stats', 'description'])).toEqual({
      name: { from: 'Acme', to: 'Renamed' },
    });
  });

  it('saving the same values records no change; a changed field alone is recorded', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Acme', description: 'HQ', region: 'eu' });
    const same = {
      name: 'Acme',
      description: 'HQ',
      region: 'eu',
      is_active: true,
      automation_level: 'manual',
      recording_retention_days: null,
      legal_hold: false,
    } as const;
    await api.organizations.update({ id: org.id, patch: same });
    expect(await lastChanges(org.id)).toEqual({});
    await api.organizations.update({ id: org.id, patch: { ...same, region: 'us' } });
    expect(await lastChanges(org.id)).toEqual({ region: { from: 'eu', to: 'us' } });
  });
});
