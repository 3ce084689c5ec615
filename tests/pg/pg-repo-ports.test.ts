// Issue 15: the PostgreSQL composition has every repository SQLite's has, so a feature cannot
// forget PostgreSQL. At compile time `createPgRepos(...) satisfies PgRepoPorts` (index.ts) fails
// on a missing port; this file checks that the check bites, and that at run time both engines
// hand a unit of work's `fn` the same set of repositories.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditChain } from '../../main/core/audit';
import { AuditLog } from '../../main/db/sqlite/audit-log';
import { openDatabase } from '../../main/db/database';
import { createPgRepos, type PgRepoPorts } from '../../main/db/pg/repos';
import type { PgTx } from '../../main/db/pg/uow';
import { createSqliteRepos } from '../../main/db/sqlite/repos';

const chain = AuditChain.fromKey(randomBytes(32));
const clock = { now: () => 0 };
// The constructors only keep their transaction: nothing runs until a method is called.
const pgRepos = () => createPgRepos({} as PgTx, { chain, clock });

describe('the PostgreSQL composition', () => {
  it('has every repository the SQLite one has, and no other', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgdesk-ports-'));
    const opened = openDatabase({ file: join(dir, 'orgdesk.db') });
    try {
      const sqlite = createSqliteRepos(opened.db, new AuditLog(opened.db, clock, chain));
      expect(Object.keys(pgRepos()).sort()).toEqual(Object.keys(sqlite).sort());
    } finally {
      opened.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is checked at compile time: a port left out does not satisfy PgRepoPorts', () => {
    const { sso: _sso, ...withoutSso } = pgRepos();
    // @ts-expect-error Property 'sso' is missing: the check createPgRepos is held to.
    const incomplete: PgRepoPorts = withoutSso;
    expect(Object.keys(incomplete)).not.toContain('sso');
  });
});
