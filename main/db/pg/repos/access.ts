import { and, asc, eq, gt, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type {
  AccessRepo,
  ActorFactRows,
  ActorFactsQuery,
  OrgRef,
  RoleGrant,
  UserAccessState,
} from '../../../core/access.repo';
import { accounts, organizations, roleAssignments, supportGrants, users } from '../schema';
import type { PgTx } from '../uow';

/**
 * The actor's facts as the columns fact_state, fact_roles, fact_support of a one-row SELECT (no
 * FROM), each a JSON text: one statement reads them, or a repository puts them beside the rows
 * they guard, so the decision and those rows share one snapshot (PgOrganizationsRepo.pageFor).
 * The same rows as userState, roles and supportAccountIds, in the same orders.
 */
export function actorFactsColumns(q: ActorFactsQuery): SQL {
  const u = users;
  const g = supportGrants;
  const ra = roleAssignments;
  const state = sql`(SELECT json_build_array(${u.isActive}, ${accounts.isActive}, ${u.isPlatformOperator})::text
    FROM ${u} JOIN ${accounts} ON ${accounts.id} = ${u.accountId} WHERE ${u.id} = ${q.userId})`;
  const roles = q.supportEngineer
    ? sql`'[]'`
    : sql`(SELECT coalesce(json_agg(json_build_array(${ra.role}, ${ra.organizationId}) ORDER BY ${ra.id}), '[]')::text
        FROM ${ra} WHERE ${ra.userId} = ${q.userId} AND ${ra.accountId} = ${q.accountId})`;
  // As supportAccountIds below: a deactivated account is closed to support grants too.
  const support = q.supportEngineer
    ? sql`(SELECT coalesce(json_agg(DISTINCT ${g.accountId} ORDER BY ${g.accountId}), '[]')::text
        FROM ${g} JOIN ${accounts} ON ${accounts.id} = ${g.accountId}
        WHERE ${accounts.isActive} AND ${g.startsAt} <= ${q.now} AND ${g.expiresAt} > ${q.now}
          AND ${g.revokedAt} IS NULL AND (${g.kind} = 'customer' OR ${g.engineerUserId} = ${q.userId}))`
    : sql`'[]'`;
  return sql`${state} AS fact_state, ${roles} AS fact_roles, ${support} AS fact_support`;
}

/** actorFactsColumns' columns of an answer row, as ActorFactRows. */
export function actorFactsOf(row: {
  fact_state: string | null;
  fact_roles: string;
  fact_support: string;
}): ActorFactRows {
  const state = row.fact_state
    ? (JSON.parse(row.fact_state) as [boolean, boolean, boolean])
    : undefined;
  const roles = JSON.parse(row.fact_roles) as [RoleGrant['role'], number | null][];
  return {
    state: state && {
      userActive: state[0],
      accountActive: state[1],
      platformOperator: state[2],
    },
    roles: roles.map(([role, organizationId]) => ({ role, organizationId })),
    supportAccountIds: JSON.parse(row.fact_support) as number[],
  };
}

/** AccessService's reads on PostgreSQL. */
export class PgAccessRepo implements AccessRepo {
  constructor(private readonly tx: PgTx) {}

  async userState(userId: number): Promise<UserAccessState | undefined> {
    const [row] = await this.tx.db
      .select({
        userActive: users.isActive,
        accountActive: accounts.isActive,
        platformOperator: users.isPlatformOperator,
      })
      .from(users)
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .where(eq(users.id, userId));
    return row;
  }

  // A deactivated account is closed to support grants too: nobody reads inside it. Ordered by
  // account id (SQLite's DISTINCT answers in that order; PostgreSQL's in none).
  async supportAccountIds(userId: number, now: number): Promise<number[]> {
    const rows = await this.tx.db
      .selectDistinct({ accountId: supportGrants.accountId })
      .from(supportGrants)
      .innerJoin(accounts, eq(accounts.id, supportGrants.accountId))
      .where(
        and(
          eq(accounts.isActive, true),
          lte(supportGrants.startsAt, now),
          gt(supportGrants.expiresAt, now),
          isNull(supportGrants.revokedAt),
          or(eq(supportGrants.kind, 'customer'), eq(supportGrants.engineerUserId, userId)),
        ),
      )
      .orderBy(asc(supportGrants.accountId));
    return rows.map((r) => r.accountId);
  }

  async roles(userId: number, accountId: number): Promise<RoleGrant[]> {
    return this.tx.db
      .select({ role: roleAssignments.role, organizationId: roleAssignments.organizationId })
      .from(roleAssignments)
      .where(and(eq(roleAssignments.userId, userId), eq(roleAssignments.accountId, accountId)))
      .orderBy(asc(roleAssignments.id)) as Promise<RoleGrant[]>;
  }

  async orgRef(orgId: number): Promise<OrgRef | undefined> {
    const [row] = await this.tx.db
      .select({
        id: organizations.id,
        accountId: organizations.accountId,
        name: organizations.name,
        isActive: organizations.isActive,
      })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    return row;
  }

  /** One round trip where userState and roles (or supportAccountIds) are two. */
  async facts(q: ActorFactsQuery): Promise<ActorFactRows> {
    const { rows } = await this.tx.db.execute<{
      fact_state: string | null;
      fact_roles: string;
      fact_support: string;
    }>(sql`SELECT ${actorFactsColumns(q)}`);
    return actorFactsOf(rows[0]!);
  }
}
