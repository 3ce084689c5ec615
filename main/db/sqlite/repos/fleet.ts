import { and, asc, eq, gte, inArray, lte, notExists, or, sql, type SQL } from 'drizzle-orm';
import type { FleetRepo, HourCounts } from '../../../features/fleet/fleet.repo';
import type { OrganizationRow, OrgHealthSnapshotRow } from '../../../domain/rows';
import type { HostStats } from '../../../../shared/schemas/organizations.schema';
import type { Db } from '../../database';
import { accountHealthSnapshots, accounts, organizations, orgHealthSnapshots } from '../../schema';
import { hostStatsFor } from './host-stats';

/**
 * UI-12 on SQLite: the SQL that was fleet.service.ts's and fleet-snapshots.ts's, unchanged
 * (issue 14). The snapshot insert is prepared once: building an insert per row with the query
 * builder cost more than the stats.
 */
export class SqliteFleetRepo implements FleetRepo {
  private readonly insertOrg;

  constructor(private readonly db: Db) {
    const p = (name: string) => sql.placeholder(name);
    this.insertOrg = db
      .insert(orgHealthSnapshots)
      .values({
        organizationId: p('organizationId'),
        accountId: p('accountId'),
        hour: p('hour'),
        isActive: p('isActive'),
        online: p('online'),
        offline: p('offline'),
        stale: p('stale'),
        total: p('total'),
      })
      .onConflictDoNothing()
      .prepare();
  }

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
      .orderBy(asc(organizations.nameKey), asc(organizations.id))
      .all();
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
      .orderBy(asc(h.hour))
      .all();
  }

  async accountHistory(accountIds: number[], from: number, to: number): Promise<HourCounts[]> {
    const a = accountHealthSnapshots;
    return this.db
      .select()
      .from(a)
      .where(and(inArray(a.accountId, accountIds), gte(a.hour, from), lte(a.hour, to)))
      .all();
  }

  async orgSums(
    orgIds: number[],
    exceptAccountIds: number[],
    from: number,
    to: number,
  ): Promise<HourCounts[]> {
    const h = orgHealthSnapshots;
    return this.db
      .select({
        hour: h.hour,
        online: sql<number>`sum(${h.online})`,
        offline: sql<number>`sum(${h.offline})`,
        stale: sql<number>`sum(${h.stale})`,
        total: sql<number>`sum(${h.total})`,
      })
      .from(h)
      .where(
        and(
          inArray(h.organizationId, orgIds),
          exceptAccountIds.length > 0
            ? sql`${h.accountId} NOT IN (SELECT value FROM json_each(${JSON.stringify(exceptAccountIds)}))`
            : undefined,
          eq(h.isActive, true),
          gte(h.hour, from),
          lte(h.hour, to),
        ),
      )
      .groupBy(h.hour)
      .all();
  }

  async accountsWithoutSnapshot(hour: number): Promise<number[]> {
    const db = this.db;
    return db
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
      .all()
      .map((a) => a.id);
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
      .all();
  }

  async insertOrgSnapshots(rows: OrgHealthSnapshotRow[]): Promise<void> {
    for (const row of rows) this.insertOrg.run({ ...row, isActive: row.isActive ? 1 : 0 });
  }

  async insertAccountSnapshot(accountId: number, hour: number): Promise<void> {
    this.db.run(sql`
      INSERT INTO ${accountHealthSnapshots}
        (account_id, hour, organizations, online, offline, stale, total)
      SELECT ${accountId}, ${hour}, count(*), coalesce(sum(online), 0), coalesce(sum(offline), 0),
        coalesce(sum(stale), 0), coalesce(sum(total), 0)
      FROM ${orgHealthSnapshots}
      WHERE account_id = ${accountId} AND hour = ${hour} AND is_active = 1
      ON CONFLICT (account_id, hour) DO NOTHING`);
  }

  async deleteSnapshotsBefore(
    table: 'org' | 'account',
    before: number,
    limit: number,
  ): Promise<number> {
    const t = table === 'org' ? orgHealthSnapshots : accountHealthSnapshots;
    return this.db.run(
      sql`DELETE FROM ${t} WHERE rowid IN (
        SELECT rowid FROM ${t} WHERE hour < ${before} LIMIT ${limit})`,
    ).changes;
  }
}
