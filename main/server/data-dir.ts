import { mkdirSync, statSync } from 'node:fs';

/**
 * Makes sure the data directory exists: a missing one is created owner-only (0700, parents too).
 * An existing one keeps its mode, since it may be a folder the operator manages for other uses
 * (a mount point, a backup agent's), but when others can reach into it the start says so: the
 * files Orgdesk keeps there are owner-only anyway (the database, its WAL and SHM, the key file),
 * yet a directory others can write lets them replace those files. Returns that warning, or null.
 */
export function prepareDataDir(dir: string): string | null {
  if (mkdirSync(dir, { recursive: true, mode: 0o700 }) !== undefined) return null;
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return null;
  return (
    `Orgdesk: warning: the data directory ${dir} is open to other users ` +
    `(mode ${mode.toString(8).padStart(4, '0')}); the files Orgdesk creates in it are owner-only, ` +
    `but run chmod 700 ${dir} so the directory is too`
  );
}
