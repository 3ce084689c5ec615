import { and, asc, eq, gte, inArray, lte, notExists, or, sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { FleetRepo, HourCounts } from '../../../features/fleet/fleet.repo';
import type { OrganizationRow, OrgHealthSnapshotRow } from '../../../domain/rows';
import type { HostStats } from '../../../../shared/schemas/organizations.schema';
import { accountHealthSnapshots, accounts, organizations, orgHealthSnapshots } from '../schema';
import { hostStatsFor } from './host-stats';
import { idArray, int8 } from './sql-helpers';

/**
 * UI-12 on PostgreSQL. Lists SQLite returns without an ORDER BY are read here in its primary
 * key's order (what SQLite's walks give them), so both engines answer the same list.
 */
export class PgFleetRepo implements FleetRepo {
  constructor(private readonly db: NodePgDatabase) {}

  async orgsInScope(scope: {
    accountIds: number[];
    orgIds: number[];
  }): Promise<Pick<OrganizationRow, 'id' | 'accountId' | 'name' | 'isActive' | 'killSwitch'>[]> {
    const parts: SQL[] = [];
    if (scope.accountIds.length > 0) parts.push(inArray(organizations.accountId, scope.accountIds));
    if (scope.orgIds.length > 0) parts.push(inArray(organizations.id, scope.orgIds));
    if (parts.length === 0) return [];
    return this.db
      .select({
        id: organizations.id,
        accountId: organizations.accountId,
        name: organizations.name,
        isActive: organizations.isActive,
        killSwitch: organizations.killSwitch,
      })
      .from(organizations)
      .where(parts.length === 1 ? parts[0]! : or(...parts)!)
      .orderBy(asc(organizations.nameKey), asc(organizations.id));
  }

  async hostStats(orgIds: number[], now: number): Promise<Map<number, HostStats>> {
    return hostStatsFor(this.db, orgIds, now);
  }

  async orgHistory(orgId: number, from: number, to: number): Promise<OrgHealthSnapshotRow[]> {
    const h = orgHealthSnapshots;
    return this.db
      .select()
      .from(h)
      .where(and(eq(h.organizationId, orgId), gte(h.hour, from), lte(h.hour, to)))
      .orderBy(asc(h.hour));
  }

  async accountHistory(accountIds: number[], from: number, to: number): Promise<HourCounts[]> {
    if (accountIds.length === 0) return [];
    const a = accountHealthSnapshots;
    return this.db
      .select()
      .from(a)
      .where(
        and(sql`${a.accountId} = ANY(${idArray(accountIds)})`, gte(a.hour, from), lte(a.hour, to)),
      )
      .orderBy(asc(a.accountId), asc(a.hour));
  }

  async orgSums(
    orgIds: number[],
    exceptAccountIds: number[],
    from: number,
    to: number,
  ): Promise<HourCounts[]> {
    if (orgIds.length === 0) return [];
    const h = orgHealthSnapshots;
    // sum() of an integer is a bigint, which arrives as a string through drizzle (see int8()).
    return this.db
      .select({
        hour: h.hour,
        online: sql<number>`sum(${h.online})`.mapWith(int8),
        offline: sql<number>`sum(${h.offline})`.mapWith(int8),
        stale: sql<number>`sum(${h.stale})`.mapWith(int8),
        total: sql<number>`sum(${h.total})`.mapWith(int8),
      })
      .from(h)
      .where(
        and(
          sql`${h.organizationId} = ANY(${idArray(orgIds)})`,
          exceptAccountIds.length > 0
            ? sql`${h.accountId} <> ALL(${idArray(exceptAccountIds)})`
            : undefined,
          eq(h.isActive, true),
          gte(h.hour, from),
          lte(h.hour, to),
        ),
      )
      .groupBy(h.hour)
      .orderBy(asc(h.hour));
  }

  async accountsWithoutSnapshot(hour: number): Promise<number[]> {
    const db = this.db;
    const rows = await db
      .select({ id: accounts.id })
      .from(accounts)
      .where(
        notExists(
          db
            .select({ one: sql`1` })
            .from(accountHealthSnapshots)
            .where(
              and(
                eq(accountHealthSnapshots.accountId, accounts.id),
                eq(accountHealthSnapshots.hour, hour),
              ),
            ),
        ),
      )
      .orderBy(asc(accounts.id));
    return rows.map((a) => a.id);
  }

  async orgsWithoutSnapshot(
    accountId: number,
    hour: number,
  ): Promise<Pick<OrganizationRow, 'id' | 'isActive'>[]> {
    const db = this.db;
    return db
      .select({ id: organizations.id, isActive: organizations.isActive })
      .from(organizations)
      .where(
        and(
          eq(organizations.accountId, accountId),
          notExists(
            db
              .select({ one: sql`1` })
              .from(orgHealthSnapshots)
              .where(
                and(
                  eq(orgHealthSnapshots.organizationId, organizations.id),
                  eq(orgHealthSnapshots.hour, hour),
                ),
              ),
          ),
        ),
      )
      .orderBy(asc(organizations.id));
  }

  // One statement for the batch; a snapshot another replica wrote first stays (ON CONFLICT on
  // the primary key (organization_id, hour) DO NOTHING, SQLite's INSERT … ON CONFLICT DO NOTHING).
  async insertOrgSnapshots(rows: OrgHealthSnapshotRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.insert(orgHealthSnapshots).values(rows).onConflictDoNothing();
  }

  async insertAccountSnapshot(accountId: number, hour: number): Promise<void> {
    await this.db.execute(sql`
      INSERT INTO ${accountHealthSnapshots}
        (account_id, hour, organizations, online, offline, stale, total)
      SELECT ${accountId}, ${hour}, count(*), coalesce(sum(online), 0), coalesce(sum(offline), 0),
        coalesce(sum(stale), 0), coalesce(sum(total), 0)
      FROM ${orgHealthSnapshots}
      WHERE account_id = ${accountId} AND hour = ${hour} AND is_active
      ON CONFLICT (account_id, hour) DO NOTHING`);
  }

  // No rowid on PostgreSQL: the batch is picked by primary key (raw SQL: DELETE … LIMIT via a
  // row-value IN, which the builder does not spell).
  async deleteSnapshotsBefore(
    table: 'org' | 'account',
    before: number,
    limit: number,
  ): Promise<number> {
    const t = table === 'org' ? orgHealthSnapshots : accountHealthSnapshots;
    const key = table === 'org' ? sql`organization_id, hour` : sql`account_id, hour`;
    const done = await this.db.execute(
      sql`DELETE FROM ${t} WHERE (${key}) IN (
        SELECT ${key} FROM ${t} WHERE hour < ${before} LIMIT ${limit})`,
    );
    return done.rowCount ?? 0;
  }
}
