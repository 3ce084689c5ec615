import { and, asc, count, desc, eq, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
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

/**
 * AUD-2 reads on PostgreSQL, in the caller's transaction. The SQL of audit-jobs.ts and
 * audit-targets.ts is written over SQLite's tables (the read workers run it on their own
 * SQLite connections), so it is spelled again here over ./schema: the same conditions and order,
 * SQLite's instr() as strpos(); lower() under COLLATE "C" folds ASCII only, as SQLite's does.
 */
export class PgAuditTrailRepo implements AuditTrailRepo {
  constructor(private readonly tx: PgTx) {}

  async page(scope: AuditTrailScope, f: AuditFilter): Promise<Page<AuditEntry>> {
    const filter = and(scopeCondition(scope), ...conditions(f));
    const rows = await this.tx.db
      .select()
      .from(auditEntries)
      .where(filter)
      .orderBy(
        ...(f.order === 'asc'
          ? [asc(auditEntries.at), asc(auditEntries.id)]
          : [desc(auditEntries.at), desc(auditEntries.id)]),
      )
      .limit(f.limit)
      .offset(f.skip);
    const [t] = await this.tx.db.select({ n: count() }).from(auditEntries).where(filter);
    return { items: rows.map(toEntry), total: t?.n ?? 0 };
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
          inArray(table.id, ids),
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
          inArray(organizations.id, ids),
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
      inArray(users.id, ids),
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
              inArray(apiTokens.id, ids),
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
