import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { FeatureFlagRow } from '../../../domain/rows';
import type {
  FeatureFlagsRepo,
  FlagScope,
} from '../../../features/feature-flags/feature-flags.repo';
import type { Db } from '../../database';
import { featureFlags, organizations } from '../../schema';

const p = (name: string) => sql.placeholder(name);

/** FLAG-1 on SQLite: the service's queries, moved unchanged and prepared once. */
export class SqliteFeatureFlagsRepo implements FeatureFlagsRepo {
  private readonly orgAccount;
  private readonly allForOrg;
  private readonly oneForOrg;
  private readonly accountFlags;
  // A scope is account-wide (organization_id IS NULL) or one org's: one statement for each.
  private readonly byScope;
  private readonly upsertStmt;

  constructor(db: Db) {
    this.orgAccount = db
      .select({ accountId: organizations.accountId })
      .from(organizations)
      .where(eq(organizations.id, p('orgId')))
      .prepare();
    const bothLevels = and(
      eq(featureFlags.accountId, p('accountId')),
      or(isNull(featureFlags.organizationId), eq(featureFlags.organizationId, p('orgId'))),
    );
    this.allForOrg = db.select().from(featureFlags).where(bothLevels).prepare();
    this.oneForOrg = db
      .select()
      .from(featureFlags)
      .where(and(bothLevels, eq(featureFlags.feature, p('feature'))))
      .prepare();
    this.accountFlags = db
      .select()
      .from(featureFlags)
      .where(and(eq(featureFlags.accountId, p('accountId')), isNull(featureFlags.organizationId)))
      .orderBy(asc(featureFlags.feature))
      .prepare();
    const scoped = (accountWide: boolean) => {
      const where = and(
        eq(featureFlags.accountId, p('accountId')),
        accountWide
          ? isNull(featureFlags.organizationId)
          : eq(featureFlags.organizationId, p('organizationId')),
        eq(featureFlags.feature, p('feature')),
      );
      return {
        get: db.select().from(featureFlags).where(where).prepare(),
        delete: db.delete(featureFlags).where(where).returning().prepare(),
      };
    };
    this.byScope = { account: scoped(true), org: scoped(false) };
    // FLAG-1: one statement, atomic on any engine: the scope's unique index
    // (feature_flags_scope_uq, an expression over organization_id) decides insert or update.
    this.upsertStmt = db
      .insert(featureFlags)
      .values({
        accountId: p('accountId'),
        organizationId: p('organizationId'),
        feature: p('feature'),
        enabled: p('enabled'),
        updatedAt: p('now'),
      })
      .onConflictDoUpdate({
        // drizzle wraps one target in parentheses: the index's own expressions, as written there.
        target: sql`account_id, coalesce(organization_id, 0), feature` as never,
        set: { enabled: sql`excluded.enabled`, updatedAt: sql`excluded.updated_at` },
      })
      .returning()
      .prepare();
  }

  private stmts(scope: FlagScope) {
    return scope.organizationId === null ? this.byScope.account : this.byScope.org;
  }

  async forOrg(
    orgId: number,
    feature?: string,
  ): Promise<{ accountId: number; rows: FeatureFlagRow[] } | undefined> {
    const org = this.orgAccount.get({ orgId });
    if (!org) return undefined;
    const rows =
      feature === undefined
        ? this.allForOrg.all({ accountId: org.accountId, orgId })
        : this.oneForOrg.all({ accountId: org.accountId, orgId, feature });
    return { accountId: org.accountId, rows };
  }

  async ofAccount(accountId: number): Promise<FeatureFlagRow[]> {
    return this.accountFlags.all({ accountId });
  }

  // SQLite's write transaction (BEGIN IMMEDIATE) already excludes every other writer.
  async get(
    scope: FlagScope,
    _opts?: { forUpdate?: boolean },
  ): Promise<FeatureFlagRow | undefined> {
    return this.stmts(scope).get.get({ ...scope });
  }

  async upsert(scope: FlagScope, enabled: boolean, now: number): Promise<FeatureFlagRow> {
    // Placeholders reach the driver as they are: a boolean column binds 1 or 0.
    return this.upsertStmt.get({ ...scope, enabled: enabled ? 1 : 0, now })!;
  }

  async clear(scope: FlagScope): Promise<FeatureFlagRow | undefined> {
    return this.stmts(scope).delete.get({ ...scope });
  }
}
