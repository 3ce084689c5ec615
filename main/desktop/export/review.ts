// EXP-2: an export opened for offline review. Three locks, each enough on its own: the tRPC
// context carries `readOnlyReview` (authedProcedure refuses every mutation, naming what is under
// review); the connection is `query_only`; and the file itself is opened `readonly`.
// The services are the app's own, over the export (it has the app's schema), acting as the user
// who made the export, so the views show what that user saw.
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '../../core/actor';
import { systemClock, type Clock } from '../../core/clock';
import { DomainError } from '../../core/errors';
import { StaticKeyStore } from '../../core/key-store';
import { migrateSchema } from '../../db/migrate';
import { refreshHostCountsNow } from '../../db/sqlite/repos/host-counts';
import * as schema from '../../db/schema';
import { createServices, type Services } from '../../services';
import { sqliteStorage, type SqliteStorage } from '../../db/sqlite/storage';
import type { Context } from '../../trpc/trpc';
import type { ExportManifest } from '../../../shared/schemas/desktop.schema';
import { openExportFile, type SignerIdentity } from './export-file';

export interface ReviewHandle {
  file: string;
  manifest: ExportManifest;
  /** Whose valid signature the file carries (EXP-1); whether that is trusted: signer-trust.ts. */
  signer: SignerIdentity;
  label: string;
  services: Services<SqliteStorage>;
  /** The read-only connection behind `services`. */
  sqlite: Database.Database;
  actor: Actor;
  /** The tRPC context of every call while this review is open. */
  context(): Context;
  close(): void;
}

function migrationCount(folder: string): number {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

function appliedCount(sqlite: Database.Database): number {
  const has = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  return has
    ? (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n
    : 0;
}

/** "the export of Acme (exported 2026-01-01T09:00:00.000Z by admin@a.test)" */
export function reviewLabel(m: ExportManifest): string {
  const what =
    m.scope === 'account'
      ? `account "${m.account_name}"`
      : m.organizations.map((o) => o.name).join(', ') || 'an organization';
  return `the export of ${what} (exported ${m.exported_at} by ${m.exported_by})`;
}

export async function openReview(
  file: string,
  options: {
    migrationsFolder: string;
    clock?: Clock;
    verifiedSha256?: string;
    /** The checksum is verified meanwhile by the caller (desktop-shell.ts), who acts on it. */
    checksumLater?: boolean;
  },
): Promise<ReviewHandle> {
  const opened = openExportFile(file, {
    verifiedSha256: options.verifiedSha256,
    checksumLater: options.checksumLater,
  });
  const { manifest, signer } = opened;
  let sqlite = opened.sqlite;
  let scratch: string | null = null;
  try {
    const applied = appliedCount(sqlite);
    const known = migrationCount(options.migrationsFolder);
    if (applied > known) {
      throw new DomainError(
        'BAD_REQUEST',
        `${file} was written by a newer Orgdesk (schema ${applied}, this app knows ${known}); update Orgdesk to review it`,
        'file',
      );
    }
    if (applied < known) {
      // An older export: bring a private copy up to date, and review that (read-only too).
      sqlite.close();
      scratch = mkdtempSync(join(tmpdir(), 'orgdesk-review-'));
      const copy = join(scratch, 'review.db');
      copyFileSync(file, copy);
      const rw = new Database(copy);
      migrateSchema(rw, options.migrationsFolder);
      // An export from before the ORG-2 host status counts has none: counted now, on the copy.
      refreshHostCountsNow(rw, (options.clock ?? systemClock).now());
      rw.close();
      sqlite = new Database(copy, { readonly: true, fileMustExist: true });
      sqlite.pragma('query_only = ON');
    }
    const db = drizzle(sqlite, { schema });
    // A throwaway key: the export holds nothing encrypted, and nothing here may be decrypted.
    const services = createServices({
      storage: sqliteStorage(db),
      clock: options.clock ?? systemClock,
      keys: new StaticKeyStore(randomBytes(32).toString('base64')),
    });
    const actor = await services.auth.actorForUser(manifest.exported_by_user_id);
    if (!actor) {
      throw new DomainError(
        'BAD_REQUEST',
        `${file} does not contain the user who exported it, so it cannot be reviewed`,
        'file',
      );
    }
    const label = reviewLabel(manifest);
    const reviewed = sqlite;
    const dir = scratch;
    return {
      file,
      manifest,
      signer,
      label,
      services,
      sqlite: reviewed,
      actor,
      context: () => ({ services, actor, serverUrl: '', readOnlyReview: { label } }),
      close: () => {
        if (reviewed.open) reviewed.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (sqlite.open) sqlite.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    throw err;
  }
}
