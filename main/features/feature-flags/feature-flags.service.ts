import { and, asc, eq, isNull, or } from 'drizzle-orm';
import type { SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso, type Clock } from '../../core/clock';
import { notFound } from '../../core/errors';
import type { Db } from '../../db/database';
import { featureFlags, organizations } from '../../db/schema';
import {
  clearFeatureFlagInput,
  featureForOrgInput,
  setFeatureFlagInput,
  type ClearedFlag,
  type ClearFeatureFlagInput,
  type EffectiveFlag,
  type FeatureFlag,
  type SetFeatureFlagInput,
} from '../../../shared/schemas/feature-flags.schema';

export interface FeatureFlagsDeps {
  db: Db;
  clock: Clock;
  access: SyncAccess;
  audit: AuditLog;
}

type FlagRow = typeof featureFlags.$inferSelect;

const toFlag = (r: FlagRow): FeatureFlag => ({
  feature: r.feature,
  organization_id: r.organizationId,
  enabled: r.enabled,
  updated_at: iso(r.updatedAt),
});

/**
 * Feature flags per account or per org (seed 001): the org's own flag overrides the account's,
 * and no flag at all means the feature is on.
 */
export class FeatureFlagsService {
  constructor(private readonly d: FeatureFlagsDeps) {}

  /** Both levels' flags for an org, optionally for one feature. */
  private flagsFor(orgId: number, feature?: string): { accountId: number; rows: FlagRow[] } {
    const org = this.d.db
      .select({ accountId: organizations.accountId })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .get();
    if (!org) throw notFound('Organization', orgId);
    const rows = this.d.db
      .select()
      .from(featureFlags)
      .where(
        and(
          eq(featureFlags.accountId, org.accountId),
          or(isNull(featureFlags.organizationId), eq(featureFlags.organizationId, orgId)),
          ...(feature === undefined ? [] : [eq(featureFlags.feature, feature)]),
        ),
      )
      .all();
    return { accountId: org.accountId, rows };
  }

  private resolve(rows: FlagRow[], feature: string): EffectiveFlag {
    const own = rows.find((r) => r.feature === feature && r.organizationId !== null);
    if (own) return { feature, enabled: own.enabled, source: 'organization' };
    const account = rows.find((r) => r.feature === feature && r.organizationId === null);
    if (account) return { feature, enabled: account.enabled, source: 'account' };
    return { feature, enabled: true, source: 'default' };
  }

  /** The one answer to "is feature X on for org Y", for engines (no actor, no access check). */
  isEnabled(orgId: number, feature: string): boolean {
    const name = featureForOrgInput.shape.feature.parse(feature);
    return this.resolve(this.flagsFor(orgId, name).rows, name).enabled;
  }

  /** The same answer for a reader of the org, with the flag that decided it. */
  check(actor: Actor, orgId: number, feature: string): EffectiveFlag {
    const input = featureForOrgInput.parse({ organization_id: orgId, feature });
    const org = this.d.access.requireOrg(actor, input.organization_id);
    return this.resolve(this.flagsFor(org.id, input.feature).rows, input.feature);
  }

  /** Every feature flagged at either level, as it takes effect for this org. */
  effective(actor: Actor, orgId: number): EffectiveFlag[] {
    const org = this.d.access.requireOrg(actor, orgId);
    const { rows } = this.flagsFor(org.id);
    return [...new Set(rows.map((r) => r.feature))].sort().map((f) => this.resolve(rows, f));
  }

  /** The account-wide flags (account admins). */
  accountFlags(actor: Actor): FeatureFlag[] {
    const accountId = this.d.access.requireAccount(actor, 'settings.manage');
    return this.d.db
      .select()
      .from(featureFlags)
      .where(and(eq(featureFlags.accountId, accountId), isNull(featureFlags.organizationId)))
      .orderBy(asc(featureFlags.feature))
      .all()
      .map(toFlag);
  }

  /** Account-wide flags need settings.manage on the account; org flags on that org. */
  private scopeOf(actor: Actor, orgId: number | null | undefined) {
    if (orgId === null || orgId === undefined) {
      return {
        accountId: this.d.access.requireAccount(actor, 'settings.manage'),
        organizationId: null,
      };
    }
    const org = this.d.access.requireOrg(actor, orgId, 'settings.manage');
    return { accountId: org.accountId, organizationId: org.id };
  }

  private whereScope(accountId: number, organizationId: number | null, feature: string) {
    return and(
      eq(featureFlags.accountId, accountId),
      organizationId === null
        ? isNull(featureFlags.organizationId)
        : eq(featureFlags.organizationId, organizationId),
      eq(featureFlags.feature, feature),
    );
  }

  set(actor: Actor, raw: SetFeatureFlagInput): FeatureFlag {
    const input = setFeatureFlagInput.parse(raw);
    const scope = this.scopeOf(actor, input.organization_id);
    const now = this.d.clock.now();
    return this.d.db.transaction(() => {
      const where = this.whereScope(scope.accountId, scope.organizationId, input.feature);
      const before = this.d.db.select().from(featureFlags).where(where).get();
      const row = before
        ? this.d.db
            .update(featureFlags)
            .set({ enabled: input.enabled, updatedAt: now })
            .where(where)
            .returning()
            .get()!
        : this.d.db
            .insert(featureFlags)
            .values({ ...scope, feature: input.feature, enabled: input.enabled, updatedAt: now })
            .returning()
            .get();
      this.d.audit.record(actor, {
        accountId: scope.accountId,
        organizationId: scope.organizationId,
        action: 'feature_flag.set',
        targetType: 'feature_flag',
        targetId: input.feature,
        details: {
          scope: scope.organizationId === null ? 'account' : 'organization',
          enabled: { from: before?.enabled ?? null, to: input.enabled },
        },
      });
      return toFlag(row);
    });
  }

  /** Removes a flag: the org falls back to the account's flag, the account to "enabled". */
  clear(actor: Actor, raw: ClearFeatureFlagInput): ClearedFlag {
    const input = clearFeatureFlagInput.parse(raw);
    const scope = this.scopeOf(actor, input.organization_id);
    return this.d.db.transaction(() => {
      const removed = this.d.db
        .delete(featureFlags)
        .where(this.whereScope(scope.accountId, scope.organizationId, input.feature))
        .returning()
        .get();
      if (!removed) return { cleared: false };
      this.d.audit.record(actor, {
        accountId: scope.accountId,
        organizationId: scope.organizationId,
        action: 'feature_flag.cleared',
        targetType: 'feature_flag',
        targetId: input.feature,
        details: {
          scope: scope.organizationId === null ? 'account' : 'organization',
          was: removed.enabled,
        },
      });
      return { cleared: true };
    });
  }
}
