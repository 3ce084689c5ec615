// The fleet's port (issue 14): the UI-12 overview and history, and the hourly health snapshots
// behind them. The SQLite adapter is main/db/sqlite/repos/fleet.ts.
import type { OrganizationRow, OrgHealthSnapshotRow } from '../../domain/rows';
import type { HostStats } from '../../../shared/schemas/organizations.schema';

/** Health counts of one hour (a snapshot row, or a sum of them). */
export interface HourCounts {
  hour: number;
  online: number;
  offline: number;
  stale: number;
  total: number;
}

export interface FleetRepo {
  /** The orgs of these accounts, or these orgs (TEN-4, TEN-5), by name then id. */
  orgsInScope(scope: {
    accountIds: number[];
    orgIds: number[];
  }): Promise<Pick<OrganizationRow, 'id' | 'accountId' | 'name' | 'isActive' | 'killSwitch'>[]>;
  /** Live host health per org at `now` (the trigger-kept totals and the status ranges). */
  hostStats(orgIds: number[], now: number): Promise<Map<number, HostStats>>;
  /** One org's snapshots of hours in [from, to], oldest first. */
  orgHistory(orgId: number, from: number, to: number): Promise<OrgHealthSnapshotRow[]>;
  /** The account rows of these accounts, hours in [from, to]. */
  accountHistory(accountIds: number[], from: number, to: number): Promise<HourCounts[]>;
  /** The sums per hour of these orgs' active rows, except those of `exceptAccountIds`. */
  orgSums(
    orgIds: number[],
    exceptAccountIds: number[],
    from: number,
    to: number,
  ): Promise<HourCounts[]>;

  /** The accounts without a snapshot of `hour` yet. */
  accountsWithoutSnapshot(hour: number): Promise<number[]>;
  /** An account's orgs without a snapshot of `hour` yet. */
  orgsWithoutSnapshot(
    accountId: number,
    hour: number,
  ): Promise<Pick<OrganizationRow, 'id' | 'isActive'>[]>;
  /** Org rows of one hour; the first row of an (org, hour) stands. */
  insertOrgSnapshots(rows: OrgHealthSnapshotRow[]): Promise<void>;
  /** The account's row of `hour`, summed from its active org rows; the first one stands. */
  insertAccountSnapshot(accountId: number, hour: number): Promise<void>;
  /** Deletes at most `limit` rows of hours before `before` from one table; how many. */
  deleteSnapshotsBefore(table: 'org' | 'account', before: number, limit: number): Promise<number>;
}
