import { and, eq, inArray, isNull, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/database';
import {
  accounts,
  alertRules,
  apiTokens,
  complianceBaselines,
  hosts,
  locations,
  organizations,
  roleAssignments,
  users,
  workflows,
} from '../../db/schema';
import type { AuditEntry, AuditListEntry } from '../../../shared/schemas/audit.schema';

/** Whose names a trail may show: its account, and for an org's trail that org alone. */
export interface TargetScope {
  accountId: number;
  organizationId?: number;
}

type Lookup = (db: Db, ids: number[], scope: TargetScope) => { id: number; name: string }[];

/** Objects of one org-owned table, within the scope: the account's orgs, or the one org. */
function inOrgs(
  table:
    | typeof locations
    | typeof hosts
    | typeof workflows
    | typeof alertRules
    | typeof complianceBaselines,
  name: SQLiteColumn,
): Lookup {
  return (db, ids, scope) =>
    db
      .select({ id: table.id, name })
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
      )
      .all();
}

/**
 * AUD-2: how each target type is named, one query per type for a page's targets. A type absent
 * here has no name (a support grant, an incident, a run): its entries show the id alone and are
 * never called deleted. Each lookup answers only within the scope, so an id outside it (another
 * tenant's, a sibling org's in an org's trail) reads exactly like a deleted one.
 */
const LOOKUPS: Record<string, Lookup> = {
  organization: (db, ids, scope) =>
    db
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
      )
      .all(),
  location: inOrgs(locations, locations.name),
  host: inOrgs(hosts, hosts.hostname),
  workflow: inOrgs(workflows, workflows.name),
  alert_rule: inOrgs(alertRules, alertRules.name),
  compliance_baseline: inOrgs(complianceBaselines, complianceBaselines.name),
  // An erased user (GDPR-1) is gone: their placeholder name is no name. In an org's trail, only
  // users who hold a role in that org are named.
  user: (db, ids, scope) => {
    const conditions: (SQL | undefined)[] = [
      inArray(users.id, ids),
      eq(users.accountId, scope.accountId),
      isNull(users.erasedAt),
    ];
    if (scope.organizationId === undefined) {
      return db
        .select({ id: users.id, name: users.name })
        .from(users)
        .where(and(...conditions))
        .all();
    }
    return db
      .selectDistinct({ id: users.id, name: users.name })
      .from(users)
      .innerJoin(roleAssignments, eq(roleAssignments.userId, users.id))
      .where(and(...conditions, eq(roleAssignments.organizationId, scope.organizationId)))
      .all();
  },
  // Tokens are personal and account-wide: named in the account's trail only.
  api_token: (db, ids, scope) =>
    scope.organizationId !== undefined
      ? []
      : db
          .select({ id: apiTokens.id, name: apiTokens.name })
          .from(apiTokens)
          .innerJoin(users, eq(users.id, apiTokens.userId))
          .where(
            and(
              inArray(apiTokens.id, ids),
              eq(users.accountId, scope.accountId),
              isNull(users.erasedAt),
            ),
          )
          .all(),
  account: (db, ids, scope) =>
    scope.organizationId !== undefined || !ids.includes(scope.accountId)
      ? []
      : db
          .select({ id: accounts.id, name: accounts.name })
          .from(accounts)
          .where(eq(accounts.id, scope.accountId))
          .all(),
};

/** Ids of a target type: audit target ids are text; only whole positive numbers name a row. */
const rowId = (targetId: string | null): number | null =>
  targetId !== null && /^[1-9]\d{0,15}$/.test(targetId) ? Number(targetId) : null;

/** The page's entries with their targets' current names (AUD-2), one query per target type. */
export function nameTargets(db: Db, scope: TargetScope, entries: AuditEntry[]): AuditListEntry[] {
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
    const rows = LOOKUPS[type]!(db, [...ids], scope);
    names.set(type, new Map(rows.map((r) => [r.id, r.name])));
  }
  return entries.map((e) => {
    const id = rowId(e.target_id);
    const named = e.target_type in LOOKUPS && id !== null;
    const name = named ? (names.get(e.target_type)?.get(id) ?? null) : null;
    return { ...e, target_name: name, target_deleted: named && name === null };
  });
}
