import { z } from 'zod';
import { id } from './common.schema';

export const featureName = z
  .string({ error: 'feature must be text' })
  .trim()
  .regex(
    /^[a-z][a-z0-9_.-]{0,63}$/,
    'feature must be 1-64 lowercase letters, digits, ".", "_" or "-", starting with a letter',
  );

/** No organization_id: the account-wide flag; with one: that org's own flag, which wins. */
export const setFeatureFlagInput = z.strictObject({
  organization_id: id('organization_id').nullish(),
  feature: featureName,
  enabled: z.boolean({ error: 'enabled must be true or false' }),
});
export type SetFeatureFlagInput = z.input<typeof setFeatureFlagInput>;

export const clearFeatureFlagInput = z.strictObject({
  organization_id: id('organization_id').nullish(),
  feature: featureName,
});
export type ClearFeatureFlagInput = z.input<typeof clearFeatureFlagInput>;

export const featureForOrgInput = z.strictObject({
  organization_id: id('organization_id'),
  feature: featureName,
});

/** One org's flags: every flagged feature, or with `feature` that one (with the flag that decided). */
export const orgFeatureFlagsInput = z.strictObject({
  organization_id: id('organization_id'),
  feature: featureName.optional(),
});

export type FlagSource = 'organization' | 'account' | 'default';

export interface FeatureFlag {
  feature: string;
  organization_id: number | null;
  enabled: boolean;
  updated_at: string;
}

export interface EffectiveFlag {
  feature: string;
  enabled: boolean;
  /** Which flag decided: the org's own, the account's, or none (enabled by default). */
  source: FlagSource;
}
