// The throwaway cluster's binary lookup (tests/fixtures/pg-cluster.ts): the newest
// /usr/lib/postgresql/N/bin that has both initdb and pg_ctl, else PATH, else none (and then the
// PG tests skip with the one line saying how to get them).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPgBin, PG_MISSING_REASON } from '../fixtures/pg-cluster';

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
    expect(findPgBin(root, '')).toBe(join(root, '15', 'bin'));
    fakeBin(join(dir, 'path-bin'), ['initdb', 'pg_ctl']);
    expect(findPgBin(join(dir, 'none'), `/nonexistent:${join(dir, 'path-bin')}`)).toBe(
      join(dir, 'path-bin'),
    );
    expect(findPgBin(join(dir, 'none'), '/nonexistent')).toBeNull();
  });

  it('says in one line how to get them when there are none', () => {
    expect(PG_MISSING_REASON).not.toContain('\n');
    expect(PG_MISSING_REASON).toContain('apt-get install -y postgresql');
  });
});
