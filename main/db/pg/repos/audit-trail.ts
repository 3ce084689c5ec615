import {
  and,
  asc,
  count,
  desc,
  eq,
  getTableColumns,
  gte,
  isNull,
  lt,
  sql,
  type SQL,
} from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type {
  AuditTargetScope,
  AuditTrailRepo,
  AuditTrailScope,
} from '../../../features/audit/audit.repo';
import { toEntry, type Filter } from '../../../features/audit/audit-jobs';
import {
  instantMs,
  type AuditEntry,
  type AuditFilter,
  type AuditListEntry,
} from '../../../../shared/schemas/audit.schema';
import type { Page } from '../../../../shared/schemas/common.schema';
import {
  accounts,
  alertRules,
  apiTokens,
  auditCounts,
  auditEntries,
  complianceBaselines,
  hosts,
  locations,
  organizations,
  roleAssignments,
  users,
  workflows,
} from '../schema';
import type { PgTx } from '../uow';
import { idArray } from './sql-helpers';

/**
 * AUD-2 reads on PostgreSQL, in the caller's transaction. The SQL of audit-jobs.ts and
 * audit-targets.ts is written over SQLite's tables (the read workers run it on their own
 * SQLite connections), so it is spelled again here over ./schema: the same conditions and order,
 * SQLite's instr() as strpos(); lower() under COLLATE "C" folds ASCII only, as SQLite's does.
 */
export class PgAuditTrailRepo implements AuditTrailRepo {
  constructor(private readonly tx: PgTx) {}

  async page(scope: AuditTrailScope, f: AuditFilter): Promise<Page<AuditEntry>> {
    const narrowed = conditions(f);
    const filter = and(scopeCondition(scope), ...narrowed);
    // The scope's whole trail is counted by the triggers (audit_counts): its total rides on the
    // page's rows, one round trip; a filtered trail is counted over the rows the filter leaves.
    const kept = narrowed.length === 0 ? keptTotal(scope) : null;
    const rows = await this.tx.db
      .select({ ...getTableColumns(auditEntries), kept: kept ?? sql<number>`NULL`.mapWith(Number) })
      .from(auditEntries)
      .where(filter)
      .orderBy(
        ...(f.order === 'asc'
          ? [asc(auditEntries.at), asc(auditEntries.id)]
          : [desc(auditEntries.at), desc(auditEntries.id)]),
      )
      .limit(f.limit)
      .offset(f.skip);
    let total = rows[0]?.kept;
    if (total === undefined || total === null) {
      // No row to carry it (a skip past the end, an empty trail), or a filtered trail.
      const [t] = kept
        ? await this.tx.db.select({ n: kept }).from(sql`(SELECT 1) AS one`)
        : await this.tx.db.select({ n: count() }).from(auditEntries).where(filter);
      total = t?.n ?? 0;
    }
    return { items: rows.map(toEntry), total };
  }

  async nameTargets(scope: AuditTargetScope, entries: AuditEntry[]): Promise<AuditListEntry[]> {
    const wanted = new Map<string, Set<number>>();
    for (const e of entries) {
      const id = rowId(e.target_id);
      if (id === null || !(e.target_type in LOOKUPS)) continue;
      const set = wanted.get(e.target_type) ?? new Set<number>();
      set.add(id);
      wanted.set(e.target_type, set);
    }
    const names = new Map<string, Map<number, string>>();
    for (const [type, ids] of wanted) {
      const rows = await LOOKUPS[type]!(this.tx, [...ids], scope);
      names.set(type, new Map(rows.map((r) => [r.id, r.name])));
    }
    return entries.map((e) => {
      const id = rowId(e.target_id);
      const named = e.target_type in LOOKUPS && id !== null;
      const name = named ? (names.get(e.target_type)?.get(id) ?? null) : null;
      return { ...e, target_name: name, target_deleted: named && name === null };
    });
  }
}

/**
 * AUD-2 on PostgreSQL: the number of entries of a whole trail as the triggers keep it
 * (audit_counts, migration 0007), read in the page's snapshot.
 */
const keptTotal = (s: AuditTrailScope) =>
  sql<number>`(SELECT coalesce(sum(${auditCounts.entries}), 0) FROM ${auditCounts} WHERE ${
    'organizationId' in s
      ? eq(auditCounts.organizationId, s.organizationId)
      : eq(auditCounts.accountId, s.accountId)
  })`.mapWith(Number);

export const scopeCondition = (s: AuditTrailScope): SQL =>
  'organizationId' in s
    ? eq(auditEntries.organizationId, s.organizationId)
    : eq(auditEntries.accountId, s.accountId);

/** audit-jobs.ts auditConditions, over the PG table (the trail's page and the export's rows). */
export function conditions(f: Filter): SQL[] {
  const out: SQL[] = [];
  if (f.actor_user_id) out.push(eq(auditEntries.actorUserId, f.actor_user_id));
  if (f.actor) {
    out.push(sql`strpos(lower(${auditEntries.actorLabel}), ${f.actor.toLowerCase()}) > 0`);
  }
  if (f.action) {
    const prefix = f.action.endsWith('*') ? f.action.slice(0, -1) : f.action;
    // substr() compares literally: % and _ in a prefix mean themselves, unlike LIKE.
    if (prefix.endsWith('.') || f.action.endsWith('*')) {
      out.push(sql`substr(${auditEntries.action}, 1, ${prefix.length}) = ${prefix}`);
    } else {
      out.push(eq(auditEntries.action, f.action));
    }
  }
  if (f.target_type) out.push(eq(auditEntries.targetType, f.target_type));
  if (f.target_id) out.push(eq(auditEntries.targetId, f.target_id));
  if (f.from) out.push(gte(auditEntries.at, instantMs(f.from)!));
  if (f.to) out.push(lt(auditEntries.at, instantMs(f.to)!));
  return out;
}

type Lookup = (
  tx: PgTx,
  ids: number[],
  scope: AuditTargetScope,
) => Promise<{ id: number; name: string }[]>;

/**
 * `id = ANY($1)`, one array parameter: a page names up to 100 targets of a kind, and an IN list
 * of 100 parameters cost more to bind and plan than its 100 index probes cost to run.
 */
const anyOf = (column: PgColumn, ids: number[]): SQL => sql`${column} = ANY(${idArray(ids)})`;

function inOrgs(
  table:
    | typeof locations
    | typeof hosts
    | typeof workflows
    | typeof alertRules
    | typeof complianceBaselines,
  name: PgColumn,
): Lookup {
  return (tx, ids, scope) =>
    tx.db
      .select({ id: table.id, name: sql<string>`${name}` })
      .from(table)
      .innerJoin(organizations, eq(organizations.id, table.organizationId))
      .where(
        and(
          anyOf(table.id, ids),
          eq(organizations.accountId, scope.accountId),
          scope.organizationId === undefined
            ? undefined
            : eq(table.organizationId, scope.organizationId),
        ),
      );
}

/** audit-targets.ts LOOKUPS, over the PG tables (the comments there say why each is scoped). */
const LOOKUPS: Record<string, Lookup> = {
  organization: (tx, ids, scope) =>
    tx.db
      .select({ id: organizations.id, name: organizations.name })
      .from(organizations)
      .where(
        and(
          anyOf(organizations.id, ids),
          eq(organizations.accountId, scope.accountId),
          scope.organizationId === undefined
            ? undefined
            : eq(organizations.id, scope.organizationId),
        ),
      ),
  location: inOrgs(locations, locations.name),
  host: inOrgs(hosts, hosts.hostname),
  workflow: inOrgs(workflows, workflows.name),
  alert_rule: inOrgs(alertRules, alertRules.name),
  compliance_baseline: inOrgs(complianceBaselines, complianceBaselines.name),
  user: (tx, ids, scope) => {
    const where = [
      anyOf(users.id, ids),
      eq(users.accountId, scope.accountId),
      isNull(users.erasedAt),
    ];
    if (scope.organizationId === undefined) {
      return tx.db
        .select({ id: users.id, name: users.name })
        .from(users)
        .where(and(...where));
    }
    return tx.db
      .selectDistinct({ id: users.id, name: users.name })
      .from(users)
      .innerJoin(roleAssignments, eq(roleAssignments.userId, users.id))
      .where(and(...where, eq(roleAssignments.organizationId, scope.organizationId)));
  },
  api_token: async (tx, ids, scope) =>
    scope.organizationId !== undefined
      ? []
      : tx.db
          .select({ id: apiTokens.id, name: apiTokens.name })
          .from(apiTokens)
          .innerJoin(users, eq(users.id, apiTokens.userId))
          .where(
            and(
              anyOf(apiTokens.id, ids),
              eq(users.accountId, scope.accountId),
              isNull(users.erasedAt),
            ),
          ),
  account: async (tx, ids, scope) =>
    scope.organizationId !== undefined || !ids.includes(scope.accountId)
      ? []
      : tx.db
          .select({ id: accounts.id, name: accounts.name })
          .from(accounts)
          .where(eq(accounts.id, scope.accountId)),
};

/** Ids of a target type: audit target ids are text; only whole positive numbers name a row. */
const rowId = (targetId: string | null): number | null =>
  targetId !== null && /^[1-9]\d{0,15}$/.test(targetId) ? Number(targetId) : null;
