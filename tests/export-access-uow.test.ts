// Issue 15 prerequisite: the desktop's export and restore check access through AccessService in
// a unit of work of its own, like every service. Before, their synchronous facade (SyncAccess)
// read the one SQLite connection outside the unit of work's lock: started while another write
// was open, the check saw that write's uncommitted rows and decided on them even when the write
// then rolled back.
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteOnly } from './fixtures/test-engine';
import { createExportWorld, type ExportWorld } from './fixtures/export-world';

// The PostgreSQL pass skips these: the desktop's export is of its local SQLite database.
const DESKTOP_EXPORT = sqliteOnly(
  "the desktop's export and restore of its local SQLite database (SQLite by design); the " +
    "uncommitted write it races is raw SQL on SQLite's one connection inside the unit of work",
);

let x: ExportWorld;
beforeEach(async () => {
  x = await createExportWorld();
});
afterEach(() => x.w.close());

/**
 * Starts `during` while a unit of work that deactivated the admin is still open (its `fn` waits
 * on a promise: microtasks only), then lets that unit of work roll back; `during`'s outcome is
 * awaited after the rollback.
 */
async function whileAdminDeactivationRollsBack<T>(during: () => Promise<T>): Promise<T> {
  let entered!: () => void;
  const inside = new Promise<void>((resolve) => (entered = resolve));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const writing = x.w.services.infra.uow.write(async () => {
    // Inside the open transaction, on its connection: an uncommitted deactivation.
    x.w.opened.sqlite.prepare('UPDATE users SET is_active = 0 WHERE id = ?').run(x.w.admin.userId);
    entered();
    await gate;
    throw new Error('rolled back on purpose');
  });
  await inside;
  const outcome = during();
  outcome.catch(() => undefined);
  release();
  await expect(writing).rejects.toThrow('rolled back on purpose');
  return outcome;
}

describe.skipIf(DESKTOP_EXPORT)(
  'the desktop export and restore decide access on committed state',
  () => {
    it("an export started during a deactivation that rolls back is the admin's, allowed", async () => {
      const target = x.file('during.orgdesk-export');
      const result = await whileAdminDeactivationRollsBack(async () =>
        x.exporter.exportTo(
          x.w.admin,
          { scope: 'organization', organization_id: x.acme.id },
          target,
        ),
      );
      expect(result.file).toBe(target);
      expect(existsSync(target)).toBe(true);
    });

    it('a restore started during a deactivation that rolls back is allowed', async () => {
      const { file } = await x.exporter.exportTo(
        x.w.admin,
        { scope: 'organization', organization_id: x.acme.id },
        x.file('acme.orgdesk-export'),
      );
      const restored = await whileAdminDeactivationRollsBack(async () =>
        x.restorer.restoreOrganization(x.w.admin, file),
      );
      expect(restored.name).toBe('Acme (restored)');
    });
  },
);
