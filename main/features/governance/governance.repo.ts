// Port (issue 14): GOV-1..3 recordings, retention and legal hold, as GovernanceService reads and
// writes them. SQLite: main/db/sqlite/repos/governance.ts.
import type { OrganizationRow, RecordingRow } from '../../domain/rows';

export type OrgGovernance = Pick<
  OrganizationRow,
  | 'id'
  | 'accountId'
  | 'name'
  | 'recordingPolicy'
  | 'recordingRetentionDays'
  | 'legalHold'
  | 'legalHoldReason'
>;

/** An org as the retention cleanup walks it: its own days and its account's default. */
export interface CleanupCandidate {
  id: number;
  accountId: number;
  name: string;
  days: number | null;
  accountDefault: number;
}

export interface GovernanceRepo {
  /** The org's governance fields and its account's default retention; undefined if gone. */
  orgGovernance(orgId: number): Promise<{ org: OrgGovernance; accountDefault: number } | undefined>;
  recordingsPage(
    orgId: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: RecordingRow[] }>;
  recording(id: number): Promise<RecordingRow | undefined>;
  /** GOV-1: whether the host is one of the org's. */
  hostInOrg(orgId: number, hostId: number): Promise<boolean>;
  /** GOV-1: whether the user is one of the account's. */
  userInAccount(accountId: number, userId: number): Promise<boolean>;
  insertRecording(values: Omit<RecordingRow, 'id'>): Promise<RecordingRow>;
  deleteRecording(id: number): Promise<void>;
  /** The account's default retention; undefined if there is no such account. */
  accountRetention(accountId: number): Promise<{ days: number } | undefined>;
  setAccountRetention(accountId: number, days: number): Promise<void>;
  /** Orgs a cleanup pass walks, by id: one account's, or every account's (null). */
  cleanupCandidates(accountId: number | null): Promise<CleanupCandidate[]>;
  /**
   * The org's legal hold, read in the cleanup batch's own transaction (issue 14 item 3: under a
   * share lock on PG), so a hold committed before the batch stops it; undefined if the org is gone.
   */
  legalHoldOf(orgId: number): Promise<boolean | undefined>;
  /** The ids of at most `limit` of the org's recordings started before `before`, oldest first. */
  expiredRecordings(orgId: number, before: number, limit: number): Promise<number[]>;
  deleteRecordings(ids: number[]): Promise<void>;
}
