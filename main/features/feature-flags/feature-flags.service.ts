import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import { notFound } from '../../core/errors';
import type { FeatureFlagRow } from '../../domain/rows';
import type { Repos, Uow } from '../../repos';
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
import type { FlagScope } from './feature-flags.repo';

export interface FeatureFlagsDeps {
  uow: Uow;
  clock: Clock;
  access: AccessService;
}

const toFlag = (r: FeatureFlagRow): FeatureFlag => ({
  feature: r.feature,
  organization_id: r.organizationId,
  enabled: r.enabled,
  updated_at: iso(r.updatedAt),
});

/**
 * Feature flags per account or per org (seed 001): the org's own flag overrides the account's,
 * and no flag at all means the feature is on. Every use case is one unit of work, its access
 * check inside it (issue 14).
 */
export class FeatureFlagsService {
  constructor(private readonly d: FeatureFlagsDeps) {}

  /** Both levels' flags for an org, optionally for one feature. */
  private async flagsFor(r: Repos, orgId: number, feature?: string): Promise<FeatureFlagRow[]> {
    const found = await r.featureFlags.forOrg(orgId, feature);
    if (!found) throw notFound('Organization', orgId);
    return found.rows;
  }

  private resolve(rows: FeatureFlagRow[], feature: string): EffectiveFlag {
    const own = rows.find((r) => r.feature === feature && r.organizationId !== null);
    if (own) return { feature, enabled: own.enabled, source: 'organization' };
    const account = rows.find((r) => r.feature === feature && r.organizationId === null);
    if (account) return { feature, enabled: account.enabled, source: 'account' };
    return { feature, enabled: true, source: 'default' };
  }

  /** The one answer to "is feature X on for org Y", for engines (no actor, no access check). */
  async isEnabled(orgId: number, feature: string): Promise<boolean> {
    const name = featureForOrgInput.shape.feature.parse(feature);
    return this.d.uow.read(
      async (r) => this.resolve(await this.flagsFor(r, orgId, name), name).enabled,
    );
  }

  /** The same answer for a reader of the org, with the flag that decided it. */
  async check(actor: Actor, orgId: number, feature: string): Promise<EffectiveFlag> {
    const input = featureForOrgInput.parse({ organization_id: orgId, feature });
    return this.d.uow.read(async (r) => {
      const org = await this.d.access.requireOrg(r, actor, input.organization_id);
      return this.resolve(await this.flagsFor(r, org.id, input.feature), input.feature);
    });
  }

  /** Every feature flagged at either level, as it takes effect for this org. */
  async effective(actor: Actor, orgId: number): Promise<EffectiveFlag[]> {
    return this.d.uow.read(async (r) => {
      const org = await this.d.access.requireOrg(r, actor, orgId);
      const rows = await this.flagsFor(r, org.id);
      return [...new Set(rows.map((f) => f.feature))].sort().map((f) => this.resolve(rows, f));
    });
  }

  /** The account-wide flags (account admins). */
  async accountFlags(actor: Actor): Promise<FeatureFlag[]> {
    return this.d.uow.read(async (r) => {
      const accountId = await this.d.access.requireAccount(r, actor, 'settings.manage');
      return (await r.featureFlags.ofAccount(accountId)).map(toFlag);
    });
  }

  /** Account-wide flags need settings.manage on the account; org flags on that org. */
  private async scopeOf(
    r: Repos,
    actor: Actor,
    orgId: number | null | undefined,
    feature: string,
  ): Promise<FlagScope> {
    if (orgId === null || orgId === undefined) {
      return {
        accountId: await this.d.access.requireAccount(r, actor, 'settings.manage'),
        organizationId: null,
        feature,
      };
    }
    const org = await this.d.access.requireOrg(r, actor, orgId, 'settings.manage');
    return { accountId: org.accountId, organizationId: org.id, feature };
  }

  async set(actor: Actor, raw: SetFeatureFlagInput): Promise<FeatureFlag> {
    const input = setFeatureFlagInput.parse(raw);
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const scope = await this.scopeOf(r, actor, input.organization_id, input.feature);
      const before = await r.featureFlags.get(scope, { forUpdate: true });
      const row = await r.featureFlags.upsert(scope, input.enabled, now);
      await r.audit.record(actor, {
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
  async clear(actor: Actor, raw: ClearFeatureFlagInput): Promise<ClearedFlag> {
    const input = clearFeatureFlagInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const scope = await this.scopeOf(r, actor, input.organization_id, input.feature);
      const removed = await r.featureFlags.clear(scope);
      if (!removed) return { cleared: false };
      await r.audit.record(actor, {
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
