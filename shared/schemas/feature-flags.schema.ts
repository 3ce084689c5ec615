import { z } from 'zod';
import { id, idValue, isoTime } from './common.schema';

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

export const FLAG_SOURCES = ['organization', 'account', 'default'] as const;
export type FlagSource = (typeof FLAG_SOURCES)[number];

export const featureFlagOutput = z.strictObject({
  feature: z.string(),
  organization_id: idValue.nullable().describe("null: the account-wide flag; else that org's own"),
  enabled: z.boolean(),
  updated_at: isoTime,
});
export type FeatureFlag = z.infer<typeof featureFlagOutput>;

export const featureFlagListOutput = z.array(featureFlagOutput);

export const effectiveFlagOutput = z.strictObject({
  feature: z.string(),
  enabled: z.boolean(),
  source: z
    .enum(FLAG_SOURCES)
    .describe("Which flag decided: the org's own, the account's, or none (enabled by default)"),
});
export type EffectiveFlag = z.infer<typeof effectiveFlagOutput>;

export const effectiveFlagListOutput = z.array(effectiveFlagOutput);

export const clearedFlagOutput = z.strictObject({
  cleared: z.boolean().describe('false: there was no such flag; nothing changed'),
});
export type ClearedFlag = z.infer<typeof clearedFlagOutput>;

/** One flag when a feature was named, else every flagged feature of the org. */
export const orgFeatureFlagsOutput = z.union([effectiveFlagOutput, effectiveFlagListOutput]);
