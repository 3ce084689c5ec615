// Draft port (issue 14 step 0): FLAG-1 flags per account or org. Not yet implemented on SQLite.
import type { FeatureFlagRow } from '../../domain/rows';

export interface FlagScope {
  accountId: number;
  /** null: the account-wide flag. */
  organizationId: number | null;
  feature: string;
}

export interface FeatureFlagsRepo {
  /** The account's and the org's flags, for effective values. */
  forOrg(orgId: number): Promise<FeatureFlagRow[]>;
  ofAccount(accountId: number): Promise<FeatureFlagRow[]>;
  get(scope: FlagScope): Promise<FeatureFlagRow | undefined>;
  /** One upsert on the scope's unique key (issue 14 item 3: today a select then insert/update). */
  upsert(scope: FlagScope, enabled: boolean, now: number): Promise<FeatureFlagRow>;
  clear(scope: FlagScope): Promise<FeatureFlagRow | undefined>;
}
