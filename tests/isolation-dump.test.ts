// The "nothing changed" proof's dump (tests/fixtures/isolation-world.ts dumpDatabase, the one the
// isolation matrices, the REST support-access test and the bulk-action tests share), on the
// engine the run uses: every table is in it, a table without a primary key included, and a row
// is keyed by its id on both engines (ownsRow looks rows up by the ids other rows name).
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffDumps, dumpDatabase } from './fixtures/isolation-world';
import { sqlRun } from './fixtures/raw-sql';
import { t } from './fixtures/tables';
import { createWorld, type World } from './fixtures/world';

let w: World;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(async () => {
  await w.close();
});

describe('dumpDatabase', () => {
  it('sees no change where there was none', async () => {
    expect(diffDumps(await dumpDatabase(w), await dumpDatabase(w))).toEqual([]);
  });

  it('keys a changed row by its id, with its columns as stored before and after', async () => {
    const org = await w.caller(w.admin).organizations.create({ name: 'Dumped Org' });
    const before = await dumpDatabase(w);
    await w.db
      .update(t.organizations)
      .set({ name: 'Renamed' })
      .where(eq(t.organizations.id, org.id));
    const changes = diffDumps(before, await dumpDatabase(w));
    expect(changes.map((c) => [c.table, c.rowid, c.before?.name, c.after?.name])).toEqual([
      ['organizations', org.id, 'Dumped Org', 'Renamed'],
    ]);
  });

  it('covers a table without a primary key (PostgreSQL: by its row’s place, ctid)', async () => {
    await sqlRun(w.db, sql`CREATE TABLE dump_probe (v text)`);
    const before = await dumpDatabase(w);
    await sqlRun(w.db, sql`INSERT INTO dump_probe (v) VALUES ('added')`);
    const changes = diffDumps(before, await dumpDatabase(w));
    expect(changes.map((c) => [c.table, c.before, c.after])).toEqual([
      ['dump_probe', undefined, { v: 'added' }],
    ]);
  });
});
