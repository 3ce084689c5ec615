import { and, asc, count, desc, eq, inArray, lt } from 'drizzle-orm';
import type { RecordingRow } from '../../../domain/rows';
import type {
  CleanupCandidate,
  GovernanceRepo,
  OrgGovernance,
} from '../../../features/governance/governance.repo';
import { accounts, hosts, organizations, recordings, users } from '../schema';
import type { PgTx } from '../uow';

/** GOV-1..3 on PostgreSQL: the SQLite adapter's statements. */
export class PgGovernanceRepo implements GovernanceRepo {
  constructor(private readonly tx: PgTx) {}

  async orgGovernance(
    orgId: number,
  ): Promise<{ org: OrgGovernance; accountDefault: number } | undefined> {
    const [row] = await this.tx.db
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
      .where(eq(organizations.id, orgId));
    return row;
  }

  async recordingsPage(
    orgId: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: RecordingRow[] }> {
    const filter = eq(recordings.organizationId, orgId);
    const [t] = await this.tx.db.select({ n: count() }).from(recordings).where(filter);
    const rows = await this.tx.db
      .select()
      .from(recordings)
      .where(filter)
      .orderBy(desc(recordings.startedAt), desc(recordings.id))
      .limit(limit)
      .offset(skip);
    return { total: t?.n ?? 0, rows };
  }

  async recording(id: number): Promise<RecordingRow | undefined> {
    const [row] = await this.tx.db.select().from(recordings).where(eq(recordings.id, id));
    return row;
  }

  async hostInOrg(orgId: number, hostId: number): Promise<boolean> {
    const rows = await this.tx.db
      .select({ id: hosts.id })
      .from(hosts)
      .where(and(eq(hosts.id, hostId), eq(hosts.organizationId, orgId)));
    return rows.length > 0;
  }

  async userInAccount(accountId: number, userId: number): Promise<boolean> {
    const rows = await this.tx.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, userId), eq(users.accountId, accountId)));
    return rows.length > 0;
  }

  async insertRecording(values: Omit<RecordingRow, 'id'>): Promise<RecordingRow> {
    const [row] = await this.tx.db.insert(recordings).values(values).returning();
    return row!;
  }

  async deleteRecording(id: number): Promise<void> {
    await this.tx.db.delete(recordings).where(eq(recordings.id, id));
  }

  async accountRetention(accountId: number): Promise<{ days: number } | undefined> {
    const [row] = await this.tx.db
      .select({ days: accounts.defaultRetentionDays })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    return row;
  }

  async setAccountRetention(accountId: number, days: number): Promise<void> {
    await this.tx.db
      .update(accounts)
      .set({ defaultRetentionDays: days })
      .where(eq(accounts.id, accountId));
  }

  async cleanupCandidates(accountId: number | null): Promise<CleanupCandidate[]> {
    return this.tx.db
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
      .orderBy(asc(organizations.id));
  }

  // FOR SHARE (scale-out.md §1.3): the retention batch reads the hold and then deletes; a hold
  // set by another transaction meanwhile waits for this one's COMMIT instead of committing
  // between the read and the delete. Shared, so two batches of one org do not wait on each other.
  async legalHoldOf(orgId: number): Promise<boolean | undefined> {
    const [row] = await this.tx.db
      .select({ legalHold: organizations.legalHold })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .for('share');
    return row?.legalHold;
  }

  async expiredRecordings(orgId: number, before: number, limit: number): Promise<number[]> {
    const rows = await this.tx.db
      .select({ id: recordings.id })
      .from(recordings)
      .where(and(eq(recordings.organizationId, orgId), lt(recordings.startedAt, before)))
      .orderBy(asc(recordings.startedAt), asc(recordings.id))
      .limit(limit);
    return rows.map((r) => r.id);
  }

  async deleteRecordings(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.tx.db.delete(recordings).where(inArray(recordings.id, ids));
  }
}
