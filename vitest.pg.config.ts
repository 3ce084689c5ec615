// Issue 15 item 3: the unit and server suites again on PostgreSQL (`npm run test:pg`). The same
// files as vitest.config.ts, less what cannot differ by engine: a file runs here when it builds
// its storage through a test fixture (world, server and the fixtures on them), which then uses a
// PostgreSQL database of its own (tests/fixtures/test-storage.ts). tests/pg/* already ran once;
// a file of pure logic has no engine. A new test file is therefore on both engines by default.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { findPgBin, PG_URL_ENV } from './tests/fixtures/pg-cluster';
import base from './vitest.config';

const STORAGE_FIXTURE =
  /from '(\.\.?\/)+(tests\/)?fixtures\/(world|server|isolation-world|export-world|audit-session|remote-server)'/;

// e2e: Playwright's; pg: ran in the first pass; electron: the desktop, whose local database is
// SQLite by design (its remote server is the server suites' subject, here on PostgreSQL).
const SKIP_DIRS = ['e2e', 'pg', 'fixtures', 'electron'];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return SKIP_DIRS.includes(e.name) ? [] : testFiles(path);
    return e.name.endsWith('.test.ts') ? [path] : [];
  });
}

// The globalSetup (tests/fixtures/pg-global-setup.ts) runs in this process: it must see the pass.
process.env.ORGDESK_TEST_ENGINE = 'pg';

export const pgPassFiles = testFiles('tests').filter((f) =>
  STORAGE_FIXTURE.test(readFileSync(f, 'utf8')),
);

// Without PostgreSQL binaries (and no cluster given) the pass says so in one line and runs nothing.
const available = Boolean(process.env[PG_URL_ENV]) || findPgBin() !== null;
if (!available) {
  console.warn(
    'test:pg: the PostgreSQL pass is skipped (no initdb/pg_ctl here): `apt-get install -y postgresql` runs it',
  );
}

// Not mergeConfig: it would append these files to the base's include glob, not replace it.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: available ? pgPassFiles : [],
    passWithNoTests: true,
    env: { ORGDESK_TEST_ENGINE: 'pg' },
    // Two forks, not Vitest's cores - 1: here a test mostly waits on the PostgreSQL server, a
    // process of its own, so two files at a time keep both cores busy; world setup (a database
    // copied from the template) is slower than a SQLite file, hence the longer hook timeout.
    maxWorkers: 2,
    hookTimeout: 30_000,
  },
});
