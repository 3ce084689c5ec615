// The throwaway cluster's binary lookup (tests/fixtures/pg-cluster.ts): ORGDESK_PG_BIN alone when
// set, else the newest /usr/lib/postgresql/N/bin that has both initdb and pg_ctl, else PATH, else
// none (and then the PG tests skip with the one line saying how to get them).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPgBin, PG_BIN_ENV, PG_MISSING_REASON, PG_URL_ENV } from '../fixtures/pg-cluster';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function fakeBin(at: string, names: string[]) {
  mkdirSync(at, { recursive: true });
  for (const n of names) writeFileSync(join(at, n), '#!/bin/sh\n', { mode: 0o755 });
}

describe('finding the PostgreSQL binaries', () => {
  it('takes the newest complete version directory, then PATH, else none', () => {
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-pgbin-'));
    const root = join(dir, 'postgresql');
    fakeBin(join(root, '9', 'bin'), ['initdb', 'pg_ctl']);
    fakeBin(join(root, '15', 'bin'), ['initdb', 'pg_ctl']);
    fakeBin(join(root, '17', 'bin'), ['pg_ctl']); // a client-only install: no initdb
    expect(findPgBin(root, '', '')).toBe(join(root, '15', 'bin'));
    fakeBin(join(dir, 'path-bin'), ['initdb', 'pg_ctl']);
    expect(findPgBin(join(dir, 'none'), `/nonexistent:${join(dir, 'path-bin')}`, '')).toBe(
      join(dir, 'path-bin'),
    );
    expect(findPgBin(join(dir, 'none'), '/nonexistent', '')).toBeNull();
  });

  it('looks only in ORGDESK_PG_BIN when it is set (a machine without them, simulated)', () => {
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-pgbin-'));
    const root = join(dir, 'postgresql');
    fakeBin(join(root, '15', 'bin'), ['initdb', 'pg_ctl']);
    fakeBin(join(dir, 'path-bin'), ['initdb', 'pg_ctl']);
    fakeBin(join(dir, 'chosen'), ['initdb', 'pg_ctl']);
    mkdirSync(join(dir, 'empty'));
    const path = join(dir, 'path-bin');
    expect(findPgBin(root, path, join(dir, 'empty'))).toBeNull();
    expect(findPgBin(root, path, join(dir, 'chosen'))).toBe(join(dir, 'chosen'));
    expect(findPgBin(root, path, '')).toBe(join(root, '15', 'bin'));
  });

  it('says in one line how to get them when there are none', () => {
    expect(PG_MISSING_REASON).not.toContain('\n');
    expect(PG_MISSING_REASON).toContain('apt-get install -y postgresql');
  });

  it('`npm run test:pg` without them says so in one line, runs nothing and exits 0', () => {
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-pgbin-'));
    // The pass's own process, as `npm run test:pg` starts it, on a machine with no binaries (an
    // empty ORGDESK_PG_BIN) and no cluster given. The filter matches no file, so that a lookup
    // which ignored the override would still run nothing here (and miss the line).
    const env: NodeJS.ProcessEnv = { ...process.env, [PG_BIN_ENV]: dir };
    for (const k of Object.keys(env)) if (k.startsWith('VITEST') || k === PG_URL_ENV) delete env[k];
    delete env.ORGDESK_TEST_ENGINE;
    const run = spawnSync(
      process.execPath,
      [
        'node_modules/vitest/vitest.mjs',
        'run',
        '--config',
        'vitest.pg.config.ts',
        'no-such-test-file',
      ],
      { env, encoding: 'utf8', timeout: 120_000 },
    );
    const out = `${run.stdout}${run.stderr}`;
    expect(run.status, out).toBe(0);
    expect(out.split('\n').filter((l) => l.includes('PostgreSQL pass is skipped'))).toEqual([
      'test:pg: the PostgreSQL pass is skipped (no initdb/pg_ctl here): `apt-get install -y postgresql` runs it',
    ]);
    expect(out).toContain('No test files found');
  }, 120_000);
});
