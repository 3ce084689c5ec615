// The database, its WAL and SHM files, the pre-migration copy and the key file hold every
// account's data: owner-only (0600) whatever the umask and whatever the directory's own mode.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileKeyStore } from '../../main/core/key-store';
import { DEFAULT_MIGRATIONS_FOLDER, openDatabase } from '../../main/db/database';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

let dir: string;
let umask: number;
beforeEach(() => {
  // The most permissive umask there is: every mode we get is the one we asked for.
  umask = process.umask(0);
  dir = mkdtempSync(join(tmpdir(), 'orgdesk-perm-'));
  chmodSync(dir, 0o755);
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

/** A migrations folder holding all but the last migration: a file "one version behind". */
function folderOneBehind(): string {
  const folder = join(dir, 'migrations-behind');
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const journal = JSON.parse(
    readFileSync(join(DEFAULT_MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'),
  ) as { entries: { tag: string }[] };
  const entries = journal.entries.slice(0, -1);
  for (const e of entries)
    cpSync(join(DEFAULT_MIGRATIONS_FOLDER, `${e.tag}.sql`), join(folder, `${e.tag}.sql`));
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }));
  return folder;
}

describe('owner-only data files under umask 000 in a 0755 directory', () => {
  it('a new database file and its WAL and SHM files are 0600', () => {
    const file = join(dir, 'orgdesk.db');
    const opened = openDatabase({ file });
    try {
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect(existsSync(`${file}-shm`)).toBe(true);
      expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([
        '0600',
        '0600',
        '0600',
      ]);
    } finally {
      opened.close();
    }
  });

  it('an existing database left readable by others is tightened to 0600 at open, WAL and SHM too', () => {
    const file = join(dir, 'orgdesk.db');
    openDatabase({ file }).close();
    chmodSync(file, 0o644);
    // A WAL and SHM left behind by a crash, created under an older, wider rule.
    writeFileSync(`${file}-wal`, '', { mode: 0o644 });
    writeFileSync(`${file}-shm`, '', { mode: 0o666 });
    const opened = openDatabase({ file });
    try {
      expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([
        '0600',
        '0600',
        '0600',
      ]);
    } finally {
      opened.close();
    }
  });

  it('the copy taken before a migration is 0600, and older copies are tightened', () => {
    const file = join(dir, 'orgdesk.db');
    openDatabase({ file, migrationsFolder: folderOneBehind() }).close();
    const older = `${file}.pre-migration-1.bak`;
    writeFileSync(older, 'an older copy', { mode: 0o644 });
    const opened = openDatabase({ file, now: () => 42 });
    try {
      expect(opened.backupFile).toBe(`${file}.pre-migration-42.bak`);
      expect(mode(opened.backupFile!)).toBe('0600');
      expect(mode(older)).toBe('0600');
    } finally {
      opened.close();
    }
  });

  it('a new key file is 0600 and an existing one is tightened', () => {
    const file = join(dir, 'master.key');
    new FileKeyStore(file).masterKey();
    expect(mode(file)).toBe('0600');
    chmodSync(file, 0o644);
    new FileKeyStore(file).masterKey();
    expect(mode(file)).toBe('0600');
  });
});

describe('npm run server with umask 000', () => {
  const run = (dataDir: string) =>
    new Promise<{ out: string; err: string; code: number | null; modes: Record<string, string> }>(
      (resolve, reject) => {
        // The shell sets the umask and execs the entry, as a service manager would.
        const proc = spawn(
          'sh',
          ['-c', 'umask 000 && exec node_modules/.bin/tsx main/server/index.ts'],
          {
            cwd: ROOT,
            env: { ...process.env, ORGDESK_PORT: '0', ORGDESK_DATA_DIR: dataDir },
          },
        );
        let out = '';
        let err = '';
        let modes: Record<string, string> = {};
        proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
        proc.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (/listening on/.test(out) && Object.keys(modes).length === 0) {
            // While it runs: the WAL and SHM files exist only while the database is open.
            modes = Object.fromEntries(
              readdirSync(dataDir).map((name) => [name, mode(join(dataDir, name))]),
            );
            proc.kill('SIGTERM');
          }
        });
        proc.on('error', reject);
        proc.on('exit', (code) => resolve({ out, err, code, modes }));
      },
    );

  it('creates a missing data directory 0700 and every file in it 0600', async () => {
    const dataDir = join(dir, 'new', 'data');
    const result = await run(dataDir);
    expect(result.code).toBe(0);
    expect(mode(dataDir)).toBe('0700');
    expect(result.modes).toEqual({
      'master.key': '0600',
      'orgdesk.db': '0600',
      'orgdesk.db-shm': '0600',
      'orgdesk.db-wal': '0600',
    });
    expect(result.err).not.toMatch(/data directory/);
  }, 60_000);

  it('in an existing 0755 data directory: files 0600, and the start warns about the directory', async () => {
    const result = await run(dir);
    expect(result.code).toBe(0);
    expect(result.modes).toEqual({
      'master.key': '0600',
      'orgdesk.db': '0600',
      'orgdesk.db-shm': '0600',
      'orgdesk.db-wal': '0600',
    });
    // The directory is the operator's to decide; the start says so, naming it and the fix.
    expect(mode(dir)).toBe('0755');
    expect(result.err).toContain(`the data directory ${dir} is open to other users (mode 0755)`);
    expect(result.err).toContain(`chmod 700 ${dir}`);
  }, 60_000);
});
