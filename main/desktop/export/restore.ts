// EXP-3: restore one org from an export into a database, as a new org of the caller's account.
// The export is verified first (signature and checksum, EXP-1), and its signer must be trusted
// here (this installation or a pinned key) or accepted for this one restore by its fingerprint. Ids are remapped table by table; the org gets a NEW
// secret (the export has none, and the old one must not come back to life); a taken name gets a
// "(restored)" suffix. What is copied, table by table, is RESTORE_PLAN (restore-plan.ts): users,
// role assignments and the audit trail are not restored, for they belong to the other database
// (its people, its hash chain); one audit entry records the restore.
import type Database from 'better-sqlite3';
import { and, eq } from 'drizzle-orm';
import { basename } from 'node:path';
import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../db/sqlite/audit-log';
import type { Clock } from '../../core/clock';
import type { SecretBox } from '../../core/crypto';
import { DomainError, badRequest } from '../../core/errors';
import { nameKey } from '../../core/names';
import type { Db } from '../../db/database';
import { organizations } from '../../db/schema';
import type { Uow } from '../../repos';
import { secretAad } from '../../features/organizations/organizations.service';
import { searchText } from '../../features/organizations/organizations.mapper';
import { restoreInput, type RestoreInput } from '../../../shared/schemas/desktop.schema';
import { columnsOf, openExportFile } from './export-file';
import type { ProgressFn } from './export.service';
import { copiedTables, type CopiedTable } from './restore-plan';
import { trustOf, type KnownSigners } from './signer-trust';

export interface RestoreDeps {
  db: Db;
  /** The same connection as `db`, for raw inserts. */
  sqlite: Database.Database;
  clock: Clock;
  box: SecretBox;
  /** The access check runs in a unit of work of its own (one read), like every service's. */
  uow: Uow;
  access: AccessService;
  audit: AuditLog;
  /** Whose signatures this computer trusts (EXP-1): its own export key and the pinned ones. */
  signers: KnownSigners;
}

export interface RestoreResult {
  organization_id: number;
  name: string;
  /** The exported name, when it was taken here and the restored org got another. */
  renamed_from: string | null;
  counts: Record<string, number>;
}

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const MAX_NAME = 120;

export class RestoreService {
  constructor(private readonly d: RestoreDeps) {}

  private freeName(accountId: number, name: string): string {
    const taken = (n: string) =>
      this.d.db
        .select({ id: organizations.id })
        .from(organizations)
        .where(and(eq(organizations.accountId, accountId), eq(organizations.nameKey, nameKey(n))))
        .get() !== undefined;
    if (!taken(name)) return name;
    for (let i = 1; i < 1000; i++) {
      const suffix = i === 1 ? ' (restored)' : ` (restored ${i})`;
      const candidate = name.slice(0, MAX_NAME - suffix.length) + suffix;
      if (!taken(candidate)) return candidate;
    }
    throw new DomainError(
      'CONFLICT',
      `No free name for the restored organization "${name}"`,
      'name',
    );
  }

  async restoreOrganization(
    actor: Actor,
    file: string,
    raw: RestoreInput = {},
    onProgress: ProgressFn = () => {},
  ): Promise<RestoreResult> {
    const input = restoreInput.parse(raw);
    const accountId = await this.d.uow.read((r) =>
      this.d.access.requireAccount(r, actor, 'settings.manage'),
    );
    const opened = openExportFile(file);
    try {
      const src = opened.sqlite;
      const { manifest } = opened;
      const signer = trustOf(opened.signer, this.d.signers);
      // A file anyone could have signed writes hosts' keys and agent settings into this
      // database: only with a trusted signer, or one the user accepts by its fingerprint.
      if (!signer.trusted && input.accept_signer !== signer.fingerprint) {
        throw new DomainError(
          'PRECONDITION_FAILED',
          `${basename(file)} is from an unknown signer: key ${signer.fingerprint}, calling itself "${signer.claimed_label}", is neither this installation's nor pinned here, so nothing shows who made the file. ` +
            `Compare that fingerprint with its owner's export key, then pin it, or restore again accepting this signer (accept_signer ${signer.fingerprint})`,
          'accept_signer',
        );
      }
      const sourceOrgId = this.pickOrg(manifest.organizations, input.organization_id);
      const copied = copiedTables();
      const total = copied.length + 2;
      onProgress({ phase: 'verified', done: 1, total });
      const source = src
        .prepare('SELECT * FROM organizations WHERE id = ?')
        .get(sourceOrgId) as Record<string, unknown>;
      const exportedName = String(source.name);
      const now = this.d.clock.now();
      const secret = this.d.box.newOrgSecret();
      const sqlite = this.d.sqlite;
      const counts: Record<string, number> = {};

      const result = sqlite.transaction(() => {
        const name = this.freeName(accountId, exportedName);
        const ids = new Map<string, Map<number, number>>([
          ['accounts', new Map([[Number(source.account_id), accountId]])],
        ]);
        const orgId = this.insertOrganization(sqlite, src, source, accountId, name, secret, now);
        ids.set('organizations', new Map([[sourceOrgId, orgId]]));
        counts.organizations = 1;
        copied.forEach(({ table, plan }, i) => {
          counts[table] = this.copyTable(sqlite, src, table, plan, sourceOrgId, ids);
          onProgress({ phase: `restore ${table}`, done: 2 + i, total });
        });
        const workflow = source.major_incident_workflow_id;
        const mapped =
          typeof workflow === 'number' ? ids.get('workflows')?.get(workflow) : undefined;
        if (mapped !== undefined) {
          sqlite
            .prepare('UPDATE organizations SET major_incident_workflow_id = ? WHERE id = ?')
            .run(mapped, orgId);
        }
        this.d.audit.record(actor, {
          accountId,
          organizationId: orgId,
          action: 'organization.restored',
          targetType: 'organization',
          targetId: orgId,
          details: {
            from_file: basename(file),
            source: manifest.source,
            exported_at: manifest.exported_at,
            // By id: an email in an audit entry would outlive an erasure (GDPR-1).
            exported_by_user_id: manifest.exported_by_user_id,
            content_sha256: manifest.content_sha256,
            signer_fingerprint: signer.fingerprint,
            signer_trust: signer.trusted ? signer.trust : 'accepted_unknown',
            source_organization_id: sourceOrgId,
            renamed_from: name === exportedName ? null : exportedName,
            counts,
          },
        });
        return { orgId, name };
      })();
      onProgress({ phase: 'done', done: total, total });
      return {
        organization_id: result.orgId,
        name: result.name,
        renamed_from: result.name === exportedName ? null : exportedName,
        counts,
      };
    } finally {
      opened.sqlite.close();
    }
  }

  private pickOrg(orgs: { id: number; name: string }[], wanted: number | undefined): number {
    if (wanted !== undefined) {
      if (!orgs.some((o) => o.id === wanted)) {
        throw badRequest(
          `organization_id ${wanted} is not in this export; it holds ${orgs.map((o) => `${o.id} (${o.name})`).join(', ')}`,
          'organization_id',
        );
      }
      return wanted;
    }
    if (orgs.length !== 1) {
      throw badRequest(
        `organization_id is required: this export holds ${orgs.length} organizations (${orgs.map((o) => `${o.id} ${o.name}`).join(', ')})`,
        'organization_id',
      );
    }
    return orgs[0]!.id;
  }

  private insertOrganization(
    sqlite: Database.Database,
    src: Database.Database,
    source: Record<string, unknown>,
    accountId: number,
    name: string,
    secret: string,
    now: number,
  ): number {
    const targetCols = new Set(columnsOf(sqlite, 'organizations'));
    const values: Record<string, unknown> = {};
    for (const col of columnsOf(src, 'organizations')) {
      if (targetCols.has(col) && col !== 'id') values[col] = source[col];
    }
    Object.assign(values, {
      account_id: accountId,
      name,
      name_key: nameKey(name),
      search_text: searchText(name, (source.description as string | null) ?? null),
      major_incident_workflow_id: null, // set once the workflows have their new ids
      secret_ciphertext: Buffer.alloc(0), // encrypted below: the id is part of the AAD
      secret_digest: this.d.box.secretDigest(secret),
      previous_secret_digest: null,
      previous_secret_expires_at: null,
      secret_rotated_at: now,
      updated_at: now,
    });
    const cols = Object.keys(values);
    const id = Number(
      sqlite
        .prepare(
          `INSERT INTO organizations (${cols.map(q).join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`,
        )
        .run(values).lastInsertRowid,
    );
    sqlite
      .prepare('UPDATE organizations SET secret_ciphertext = ? WHERE id = ?')
      .run(this.d.box.encrypt(secret, secretAad(id)), id);
    return id;
  }

  private copyTable(
    sqlite: Database.Database,
    src: Database.Database,
    table: string,
    plan: CopiedTable,
    sourceOrgId: number,
    ids: Map<string, Map<number, number>>,
  ): number {
    const targetCols = new Set(columnsOf(sqlite, table));
    const sourceCols = columnsOf(src, table);
    if (sourceCols.length === 0 || targetCols.size === 0) return 0;
    const cols = sourceCols.filter((c) => c !== 'id' && targetCols.has(c));
    const insert = sqlite.prepare(
      `INSERT INTO ${q(table)} (${cols.map(q).join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`,
    );
    const rows = src
      .prepare(`SELECT * FROM ${q(table)} WHERE organization_id = ? ORDER BY id`)
      .all(sourceOrgId) as Record<string, unknown>[];
    const map = new Map<number, number>();
    ids.set(table, map);
    for (const row of rows) {
      const values: Record<string, unknown> = {};
      for (const c of cols) values[c] = row[c];
      for (const [c, table] of Object.entries(plan.refs)) {
        if (!(c in values) || values[c] === null) continue;
        const mapped = ids.get(table)?.get(Number(values[c]));
        values[c] = mapped ?? null;
      }
      for (const c of plan.nullify ?? []) if (c in values) values[c] = null;
      for (const [c, table] of Object.entries(plan.jsonIds ?? {})) {
        if (!(c in values)) continue;
        const list = JSON.parse(String(values[c] ?? '[]')) as unknown[];
        const remapped = list
          .map((v) => ids.get(table)?.get(Number(v)))
          .filter((v): v is number => v !== undefined);
        values[c] = JSON.stringify(remapped);
      }
      const newId = Number(insert.run(values).lastInsertRowid);
      map.set(Number(row.id), newId);
    }
    return rows.length;
  }
}
