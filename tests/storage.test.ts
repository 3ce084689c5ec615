// Issue 15: createServices builds the services over a storage engine (main/storage.ts) and
// never over a connection; SQLite's is sqliteStorage(db). These tests pin what the composition
// relies on: the services' infrastructure holds no database, the storage is built with the
// services' own clock, audit chain and e-mail setting, and closing it stops its read workers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemActor } from '../main/core/actor';
import { ManualClock } from '../main/core/clock';
import { FileKeyStore } from '../main/core/key-store';
import { openDatabase, type OpenedDatabase } from '../main/db/database';
import { sqliteStorage } from '../main/db/sqlite/storage';
import { createServices } from '../main/services';

let dir = '';
let opened: OpenedDatabase | undefined;
afterEach(() => {
  opened?.close();
  opened = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function compose(opts: { smtpUrl?: string } = {}) {
  dir = mkdtempSync(join(tmpdir(), 'orgdesk-storage-'));
  opened = openDatabase({ file: join(dir, 'orgdesk.db') });
  const clock = new ManualClock(1_800_000_000_000);
  const services = createServices({
    storage: sqliteStorage(opened.db, { guardTransactions: true }),
    clock,
    keys: new FileKeyStore(join(dir, 'master.key')),
    smtpUrl: opts.smtpUrl ?? '',
  });
  return { services, clock };
}

describe('the services over a storage engine (issue 15)', () => {
  it('hold the storage, not a connection: one unit of work, one offload, engine named', async () => {
    const { services } = compose();
    const { infra } = services;
    expect(infra.storage.engine).toBe('sqlite');
    expect('db' in infra).toBe(false);
    expect('audit' in infra).toBe(false);
    expect(infra.uow).toBe(infra.storage.uow);
    expect(infra.offload).toBe(infra.storage.offload);
    const { accountId } = await services.accounts.provision({
      accountName: 'Storage',
      adminEmail: 'admin@storage.test',
      adminName: 'Admin',
    });
    expect(accountId).toBeGreaterThan(0);
    await infra.storage.close();
  });

  it("build the storage with the services' clock and audit chain: its append verifies", async () => {
    const { services, clock } = compose();
    const { accountId, adminUserId } = await services.accounts.provision({
      accountName: 'Chained',
      adminEmail: 'admin@chained.test',
      adminName: 'Admin',
    });
    clock.advance(60_000);
    // The desktop's synchronous append (export, restore) on the storage's connection.
    services.infra.storage.db.transaction(() =>
      services.infra.storage.audit.record(systemActor(accountId), {
        accountId,
        action: 'test.appended',
        targetType: 'account',
        targetId: accountId,
      }),
    );
    const admin = (await services.auth.actorForUser(adminUserId))!;
    expect(await services.auditTrail.verify(admin)).toMatchObject({ ok: true });
    const last = opened!.sqlite
      .prepare('SELECT at FROM audit_entries ORDER BY id DESC LIMIT 1')
      .get() as { at: number };
    expect(last.at).toBe(clock.now());
    await services.infra.storage.close();
  });

  it("queue notification emails exactly when the services' SMTP is configured (INT-3)", async () => {
    for (const smtpUrl of ['', 'smtp://127.0.0.1:9']) {
      const { services } = compose({ smtpUrl });
      const { accountId, adminUserId } = await services.accounts.provision({
        accountName: 'Mailed',
        adminEmail: 'admin@mailed.test',
        adminName: 'Admin',
      });
      const admin = (await services.auth.actorForUser(adminUserId))!;
      await services.supportAccess.enable(admin, { duration_hours: 1 });
      const queued = opened!.sqlite
        .prepare('SELECT count(*) AS n FROM email_outbox WHERE account_id = ?')
        .get(accountId) as { n: number };
      expect(queued.n > 0).toBe(smtpUrl !== '');
      expect(services.infra.email === null).toBe(smtpUrl === '');
      await services.infra.storage.close();
      opened!.close();
      opened = undefined;
      rmSync(dir, { recursive: true, force: true });
      dir = '';
    }
  });
});
