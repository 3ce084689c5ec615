// EXP-1: export an org (or the whole account) to ONE SQLite file.
//
// Design: the export file is a normal Orgdesk database (created by the app's own migrations, so
// it has exactly the app's tables and columns, and `__drizzle_migrations`), holding only the rows
// in scope, with every secret column blanked (export-policy.ts), plus a `manifest` table. Because
// the schema is the app's, the very same services and views read it in review (EXP-2), and the
// stock sqlite3 tool shows plainly named tables. It is written to a fresh file (never a copy of
// the live database, so no freed page can hold an old secret), in rollback-journal mode (one
// file, no -wal), and renamed into place only when complete.
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../db/sqlite/audit-log';
import { iso, type Clock } from '../../core/clock';
import { DomainError } from '../../core/errors';
import type { ExportSigner } from '../../core/export-key';
import type { Db } from '../../db/database';
import { migrateSchema } from '../../db/migrate';
import { refreshHostCountsNow } from '../../db/sqlite/repos/host-counts';
import { accounts, organizations } from '../../db/schema';
import type { Uow } from '../../repos';
import {
  createExportInput,
  type CreateExportInput,
  type ExportManifest,
} from '../../../shared/schemas/desktop.schema';
import {
  EXPORT_FORMAT,
  EXPORT_FORMAT_VERSION,
  columnsOf,
  computeChecksum,
  contentTables,
  writeManifest,
  type ManifestFields,
} from './export-file';
import { EXCLUDED_DATA, isSkipped, policyOf, type ExportScope } from './export-policy';

export interface Progress {
  phase: string;
  done: number;
  total: number;
}
export type ProgressFn = (p: Progress) => void;

export interface ExportServiceDeps {
  db: Db;
  /** The same connection as `db`, for ATTACH and raw copying. */
  sqlite: Database.Database;
  clock: Clock;
  /** The access check runs in a unit of work of its own (one read), like every service's. */
  uow: Uow;
  access: AccessService;
  audit: AuditLog;
  migrationsFolder: string;
  /** Where the data comes from, for the manifest (e.g. "local database on laptop-7"). */
  sourceLabel: string;
  /** The installation's export key: it signs the manifest (EXP-1). */
  signer: ExportSigner;
}

export interface ExportResult {
  file: string;
  manifest: ExportManifest;
}

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const ATTACHED = 'export_target';

export class ExportService {
  constructor(private readonly d: ExportServiceDeps) {}

  /** Who may export what: an org needs organizations.edit and audit.view on it (its audit
   * trail goes along); the account needs users.manage and audit.view account-wide. */
  private resolveScope(
    actor: Actor,
    input: ReturnType<typeof createExportInput.parse>,
  ): Promise<{ accountId: number; orgIds: number[] }> {
    return this.d.uow.read(async (r) => {
      if (input.scope === 'organization') {
        const ref = await this.d.access.requireOrg(
          r,
          actor,
          input.organization_id,
          'organizations.edit',
          'audit.view',
        );
        return { accountId: ref.accountId, orgIds: [ref.id] };
      }
      const accountId = await this.d.access.requireAccount(r, actor, 'users.manage');
      await this.d.access.requireAccount(r, actor, 'audit.view', accountId);
      // In the check's snapshot: the org ids are the ones of the account it allowed.
      const orgIds = this.d.db
        .select({ id: organizations.id })
        .from(organizations)
        .where(eq(organizations.accountId, accountId))
        .all()
        .map((o) => o.id);
      return { accountId, orgIds };
    });
  }

  /**
   * The check is one read through the unit of work; the copy after it is synchronous from its
   * BEGIN to its COMMIT (ATTACH cannot run inside a transaction), as before.
   */
  async exportTo(
    actor: Actor,
    raw: CreateExportInput,
    target: string,
    onProgress: ProgressFn = () => {},
  ): Promise<ExportResult> {
    const input = createExportInput.parse(raw);
    const { accountId, orgIds } = await this.resolveScope(actor, input);
    const sqlite = this.d.sqlite;
    const tmp = `${target}.partial-${randomUUID()}`;
    try {
      // 1. The app's schema, from its own migrations.
      const out = new Database(tmp);
      let tables: string[];
      try {
        out.pragma('journal_mode = DELETE');
        migrateSchema(out, this.d.migrationsFolder);
        tables = contentTables(out);
      } finally {
        out.close();
      }
      const total = tables.length + 3;
      onProgress({ phase: 'schema', done: 1, total });

      // 2. The rows in scope, secrets blanked, in one transaction: a consistent snapshot.
      const counts = this.copyRows(sqlite, tmp, tables, input.scope, accountId, orgIds, (i, t) =>
        onProgress({ phase: `copy ${t}`, done: 1 + i, total }),
      );

      // 3. Checksum and signed manifest, then compact and move into place.
      const out2 = new Database(tmp);
      try {
        // The export's triggers counted its hosts as they were copied in; their statuses are
        // counted now, at the export's time (a review is read-only and cannot re-count them).
        refreshHostCountsNow(out2, this.d.clock.now());
        const account = this.d.db
          .select({ name: accounts.name })
          .from(accounts)
          .where(eq(accounts.id, accountId))
          .get();
        const orgs = out2.prepare('SELECT id, name FROM organizations ORDER BY name, id').all() as {
          id: number;
          name: string;
        }[];
        const fields: Omit<ManifestFields, 'content_sha256'> = {
          format: EXPORT_FORMAT,
          format_version: EXPORT_FORMAT_VERSION,
          source: this.d.sourceLabel,
          exported_at: iso(this.d.clock.now()),
          exported_by: actor.label,
          exported_by_user_id: actor.userId,
          scope: input.scope,
          account_id: accountId,
          account_name: account?.name ?? '',
          organizations: orgs,
          counts,
          excluded: EXCLUDED_DATA,
        };
        onProgress({ phase: 'checksum', done: tables.length + 2, total });
        const manifest: ExportManifest = writeManifest(
          out2,
          { ...fields, content_sha256: computeChecksum(out2) },
          this.d.signer,
        );
        out2.exec('VACUUM');
        out2.close();
        renameSync(tmp, target);
        this.d.db.transaction(() =>
          this.d.audit.record(actor, {
            accountId,
            organizationId: input.scope === 'organization' ? input.organization_id : null,
            action: 'export.created',
            targetType: input.scope,
            targetId: input.scope === 'organization' ? input.organization_id : accountId,
            details: {
              file: basename(target),
              counts,
              content_sha256: manifest.content_sha256,
              signer_fingerprint: this.d.signer.key().fingerprint,
            },
          }),
        );
        onProgress({ phase: 'done', done: total, total });
        return { file: target, manifest };
      } finally {
        if (out2.open) out2.close();
      }
    } catch (err) {
      rmSync(tmp, { force: true });
      rmSync(`${tmp}-journal`, { force: true });
      throw err;
    }
  }

  private copyRows(
    sqlite: Database.Database,
    file: string,
    tables: string[],
    scope: ExportScope,
    accountId: number,
    orgIds: number[],
    step: (i: number, table: string) => void,
  ): Record<string, number> {
    const counts: Record<string, number> = {};
    const params = { account: accountId, orgs: JSON.stringify(orgIds) };
    // Foreign keys are not re-checked on the copy: the rows come from a consistent database, and
    // a few references (a support engineer of another account) rightly point outside the export.
    const fkWasOn = sqlite.pragma('foreign_keys', { simple: true }) === 1;
    sqlite.pragma('foreign_keys = OFF');
    sqlite.prepare(`ATTACH DATABASE ? AS ${ATTACHED}`).run(file);
    try {
      sqlite.transaction(() => {
        tables.forEach((table, i) => {
          const policy = policyOf(table);
          if (!policy || isSkipped(policy)) {
            step(i + 1, table);
            return;
          }
          const cols = columnsOf(sqlite, table, ATTACHED);
          const exprs = cols.map((c) => policy.blank?.[c] ?? q(c));
          const where = policy.where(scope);
          // In rowid order: the rows otherwise come in the order of the index the WHERE uses,
          // and inserting them out of order splits pages all over the new table (hosts of a
          // 100,000-host org: median 479 → 414 ms, 7 alternating copies).
          const sql =
            `INSERT INTO ${ATTACHED}.${q(table)} (${cols.map(q).join(', ')}) ` +
            `SELECT ${exprs.join(', ')} FROM main.${q(table)} WHERE ${where} ORDER BY rowid`;
          const stmt = sqlite.prepare(sql);
          const used = Object.fromEntries(
            Object.entries(params).filter(([k]) => sql.includes(`:${k}`)),
          );
          counts[table] = stmt.run(used).changes;
          this.assertBlanked(sqlite, table, policy.blank ?? {});
          step(i + 1, table);
        });
      })();
    } finally {
      sqlite.prepare(`DETACH DATABASE ${ATTACHED}`).run();
      if (fkWasOn) sqlite.pragma('foreign_keys = ON');
    }
    return counts;
  }

  /** A second line of defence: a blanked column that still holds anything else stops the export. */
  private assertBlanked(sqlite: Database.Database, table: string, blank: Record<string, string>) {
    for (const [col, expr] of Object.entries(blank)) {
      const row = sqlite
        .prepare(
          `SELECT count(*) AS n FROM ${ATTACHED}.${q(table)} WHERE ${q(col)} IS NOT (${expr})`,
        )
        .get() as { n: number };
      if (row.n > 0) {
        throw new DomainError(
          'PRECONDITION_FAILED',
          `Export stopped: ${table}.${col} was not blanked; nothing was written`,
        );
      }
    }
  }
}
