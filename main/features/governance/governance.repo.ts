// Draft port (issue 14 step 0): GOV-1..4 recordings, retention and legal hold. Not yet
// implemented on SQLite.
import type { OrganizationRow, RecordingRow } from '../../domain/rows';

export type OrgGovernance = Pick<
  OrganizationRow,
  | 'id'
  | 'accountId'
  | 'recordingPolicy'
  | 'recordingRetentionDays'
  | 'legalHold'
  | 'legalHoldReason'
>;

export interface GovernanceRepo {
  orgGovernance(orgId: number): Promise<OrgGovernance | undefined>;
  recordingsPage(
    orgId: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: RecordingRow[] }>;
  recording(id: number): Promise<RecordingRow | undefined>;
  insertRecording(values: Omit<RecordingRow, 'id'>): Promise<RecordingRow>;
  deleteRecording(id: number): Promise<void>;
  setAccountRetention(accountId: number, days: number | null, now: number): Promise<void>;
  /** Orgs due a cleanup pass, with their policy. */
  cleanupCandidates(accountId: number | null): Promise<OrgGovernance[]>;
  /**
   * One cleanup batch: the org's legal hold read in the same transaction as the delete (issue 14
   * item 3: under a share lock on PG), so a hold placed mid-cleanup keeps every recording.
   */
  deleteExpiredRecordings(orgId: number, before: number, limit: number): Promise<number[]>;
}
