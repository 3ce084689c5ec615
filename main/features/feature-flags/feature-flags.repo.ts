// Port (issue 14): FLAG-1 flags per account or org, as FeatureFlagsService reads and writes them.
// SQLite: main/db/sqlite/repos/feature-flags.ts.
import type { FeatureFlagRow } from '../../domain/rows';

export interface FlagScope {
  accountId: number;
  /** null: the account-wide flag. */
  organizationId: number | null;
  feature: string;
}

export interface FeatureFlagsRepo {
  /**
   * Both levels' flags that apply to an org (the account's and the org's own), optionally for one
   * feature, with the org's account; undefined when the org does not exist.
   */
  forOrg(
    orgId: number,
    feature?: string,
  ): Promise<{ accountId: number; rows: FeatureFlagRow[] } | undefined>;
  /** The account-wide flags, by feature. */
  ofAccount(accountId: number): Promise<FeatureFlagRow[]>;
  /** The flag of exactly this scope. `forUpdate`: it is about to be changed (PG: FOR UPDATE). */
  get(scope: FlagScope, opts?: { forUpdate?: boolean }): Promise<FeatureFlagRow | undefined>;
  /**
   * Sets the scope's flag, creating it if absent; the row after. Today the select-then-write of
   * the service, moved unchanged; issue 14 item 3 makes it one upsert on feature_flags_scope_uq.
   */
  upsert(scope: FlagScope, enabled: boolean, now: number): Promise<FeatureFlagRow>;
  /** Removes the scope's flag; the removed row, undefined if there was none. */
  clear(scope: FlagScope): Promise<FeatureFlagRow | undefined>;
}
