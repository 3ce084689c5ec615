import { and, asc, eq, isNull, or } from 'drizzle-orm';
import type { FeatureFlagRow } from '../../../domain/rows';
import type {
  FeatureFlagsRepo,
  FlagScope,
} from '../../../features/feature-flags/feature-flags.repo';
import { featureFlags, organizations } from '../schema';
import type { PgTx } from '../uow';
import { lockRow } from './sql-helpers';

const scoped = (scope: FlagScope) =>
  and(
    eq(featureFlags.accountId, scope.accountId),
    scope.organizationId === null
      ? isNull(featureFlags.organizationId)
      : eq(featureFlags.organizationId, scope.organizationId),
    eq(featureFlags.feature, scope.feature),
  );

/** FLAG-1 on PostgreSQL: the SQLite adapter's statements. */
export class PgFeatureFlagsRepo implements FeatureFlagsRepo {
  constructor(private readonly tx: PgTx) {}

  // Ordered by id, the rowid order SQLite's scan of the table answers in.
  async forOrg(
    orgId: number,
    feature?: string,
  ): Promise<{ accountId: number; rows: FeatureFlagRow[] } | undefined> {
    const [org] = await this.tx.db
      .select({ accountId: organizations.accountId })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    if (!org) return undefined;
    const rows = await this.tx.db
      .select()
      .from(featureFlags)
      .where(
        and(
          eq(featureFlags.accountId, org.accountId),
          or(isNull(featureFlags.organizationId), eq(featureFlags.organizationId, orgId)),
          ...(feature === undefined ? [] : [eq(featureFlags.feature, feature)]),
        ),
      )
      .orderBy(asc(featureFlags.id));
    return { accountId: org.accountId, rows };
  }

  async ofAccount(accountId: number): Promise<FeatureFlagRow[]> {
    return this.tx.db
      .select()
      .from(featureFlags)
      .where(and(eq(featureFlags.accountId, accountId), isNull(featureFlags.organizationId)))
      .orderBy(asc(featureFlags.feature));
  }

  async get(scope: FlagScope, opts?: { forUpdate?: boolean }): Promise<FeatureFlagRow | undefined> {
    const q = this.tx.db.select().from(featureFlags).where(scoped(scope));
    const [row] = await (lockRow(this.tx.readOnly, opts) ? q.for('update') : q);
    return row;
  }

  async upsert(scope: FlagScope, enabled: boolean, now: number): Promise<FeatureFlagRow> {
    // Raw SQL: the conflict target is the unique index's expressions (feature_flags_scope_uq),
    // and pg-core's onConflictDoUpdate takes columns only: the `sql` target the SQLite adapter
    // passes renders here as `on conflict ("undefined")`.
    const { rows } = await this.tx.query<FeatureFlagRow>(
      `INSERT INTO feature_flags (account_id, organization_id, feature, enabled, updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (account_id, coalesce(organization_id, 0), feature)
       DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at
       RETURNING id, account_id AS "accountId", organization_id AS "organizationId", feature,
                 enabled, updated_at AS "updatedAt"`,
      [scope.accountId, scope.organizationId, scope.feature, enabled, now],
    );
    return rows[0]!;
  }

  async clear(scope: FlagScope): Promise<FeatureFlagRow | undefined> {
    const [row] = await this.tx.db.delete(featureFlags).where(scoped(scope)).returning();
    return row;
  }
}
