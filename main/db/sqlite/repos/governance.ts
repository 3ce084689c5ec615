import { and, asc, count, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { RecordingRow } from '../../../domain/rows';
import type {
  CleanupCandidate,
  GovernanceRepo,
  OrgGovernance,
} from '../../../features/governance/governance.repo';
import type { Db } from '../../database';
import { accounts, hosts, organizations, recordings, users } from '../../schema';

const p = (name: string) => sql.placeholder(name);

/** GOV-1..3 on SQLite: the service's queries, moved unchanged; the reads prepared once. */
export class SqliteGovernanceRepo implements GovernanceRepo {
  private readonly orgStmt;
  private readonly recordingStmt;
  private readonly hostStmt;
  private readonly userStmt;
  private readonly retentionStmt;
  private readonly holdStmt;
  private readonly expiredStmt;

  constructor(private readonly db: Db) {
    this.orgStmt = db
      .select({
        org: {
          id: organizations.id,
          accountId: organizations.accountId,
          name: organizations.name,
          recordingPolicy: organizations.recordingPolicy,
          recordingRetentionDays: organizations.recordingRetentionDays,
          legalHold: organizations.legalHold,
          legalHoldReason: organizations.legalHoldReason,
        },
        accountDefault: accounts.defaultRetentionDays,
      })
      .from(organizations)
      .innerJoin(accounts, eq(accounts.id, organizations.accountId))
      .where(eq(organizations.id, p('orgId')))
      .prepare();
    this.recordingStmt = db
      .select()
      .from(recordings)
      .where(eq(recordings.id, p('id')))
      .prepare();
    this.hostStmt = db
      .select({ id: hosts.id })
      .from(hosts)
      .where(and(eq(hosts.id, p('hostId')), eq(hosts.organizationId, p('orgId'))))
      .prepare();
    this.userStmt = db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, p('userId')), eq(users.accountId, p('accountId'))))
      .prepare();
    this.retentionStmt = db
      .select({ days: accounts.defaultRetentionDays })
      .from(accounts)
      .where(eq(accounts.id, p('accountId')))
      .prepare();
    this.holdStmt = db
      .select({ legalHold: organizations.legalHold })
      .from(organizations)
      .where(eq(organizations.id, p('orgId')))
      .prepare();
    this.expiredStmt = db
      .select({ id: recordings.id })
      .from(recordings)
      .where(and(eq(recordings.organizationId, p('orgId')), lt(recordings.startedAt, p('before'))))
      .orderBy(asc(recordings.startedAt), asc(recordings.id))
      .limit(p('limit'))
      .prepare();
  }

  async orgGovernance(
    orgId: number,
  ): Promise<{ org: OrgGovernance; accountDefault: number } | undefined> {
    return this.orgStmt.get({ orgId });
  }

  async recordingsPage(
    orgId: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: RecordingRow[] }> {
    const filter = eq(recordings.organizationId, orgId);
    const total = this.db.select({ n: count() }).from(recordings).where(filter).get()?.n ?? 0;
    const rows = this.db
      .select()
      .from(recordings)
      .where(filter)
      .orderBy(desc(recordings.startedAt), desc(recordings.id))
      .limit(limit)
      .offset(skip)
      .all();
    return { total, rows };
  }

  async recording(id: number): Promise<RecordingRow | undefined> {
    return this.recordingStmt.get({ id });
  }

  async hostInOrg(orgId: number, hostId: number): Promise<boolean> {
    return this.hostStmt.get({ orgId, hostId }) !== undefined;
  }

  async userInAccount(accountId: number, userId: number): Promise<boolean> {
    return this.userStmt.get({ accountId, userId }) !== undefined;
  }

  async insertRecording(values: Omit<RecordingRow, 'id'>): Promise<RecordingRow> {
    return this.db.insert(recordings).values(values).returning().get();
  }

  async deleteRecording(id: number): Promise<void> {
    this.db.delete(recordings).where(eq(recordings.id, id)).run();
  }

  async accountRetention(accountId: number): Promise<{ days: number } | undefined> {
    return this.retentionStmt.get({ accountId });
  }

  async setAccountRetention(accountId: number, days: number): Promise<void> {
    this.db
      .update(accounts)
      .set({ defaultRetentionDays: days })
      .where(eq(accounts.id, accountId))
      .run();
  }

  async cleanupCandidates(accountId: number | null): Promise<CleanupCandidate[]> {
    return this.db
      .select({
        id: organizations.id,
        accountId: organizations.accountId,
        name: organizations.name,
        days: organizations.recordingRetentionDays,
        accountDefault: accounts.defaultRetentionDays,
      })
      .from(organizations)
      .innerJoin(accounts, eq(accounts.id, organizations.accountId))
      .where(accountId === null ? undefined : eq(organizations.accountId, accountId))
      .orderBy(asc(organizations.id))
      .all();
  }

  async legalHoldOf(orgId: number): Promise<boolean | undefined> {
    return this.holdStmt.get({ orgId })?.legalHold;
  }

  async expiredRecordings(orgId: number, before: number, limit: number): Promise<number[]> {
    return this.expiredStmt.all({ orgId, before, limit }).map((r) => r.id);
  }

  async deleteRecordings(ids: number[]): Promise<void> {
    this.db.delete(recordings).where(inArray(recordings.id, ids)).run();
  }
}
