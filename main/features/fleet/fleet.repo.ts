// Draft port (issue 14 step 0): UI-12 fleet overview and the hourly health snapshots. Not yet
// implemented on SQLite.
import type { AccountHealthSnapshotRow, OrgHealthSnapshotRow } from '../../domain/rows';
import type { HostStats } from '../../../shared/schemas/organizations.schema';

export interface FleetRepo {
  /** Every org of the accounts (or these orgs) with its kept host counts. */
  orgsWithCounts(scope: {
    accountIds: number[];
    orgIds: number[];
  }): Promise<
    { id: number; accountId: number; name: string; isActive: boolean; stats: HostStats }[]
  >;
  orgSnapshots(orgIds: number[], since: number): Promise<OrgHealthSnapshotRow[]>;
  accountSnapshots(accountIds: number[], since: number): Promise<AccountHealthSnapshotRow[]>;
  /** One hour's snapshots, idempotent per (org, hour). */
  takeSnapshots(hour: number, now: number): Promise<number>;
  deleteSnapshotsBefore(before: number): Promise<number>;
}
