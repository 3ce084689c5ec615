import { z } from 'zod';
import { ATTENTION_LIST_LIMIT, DEFAULT_HISTORY_HOURS, MAX_HISTORY_HOURS } from '../constants';
import { countValue, id, idValue, isoTime } from './common.schema';
import { hostStatsOutput } from './organizations.schema';

/** Why an org is on the needs-attention list (UI-12). */
export const ATTENTION_REASONS = [
  'offline_share',
  'stale_share',
  'kill_switch',
  'deactivated',
] as const;
export type AttentionReason = (typeof ATTENTION_REASONS)[number];

const share = z.number().min(0).max(1);

export const attentionItemOutput = z.strictObject({
  organization_id: idValue,
  name: z.string(),
  is_active: z.boolean(),
  kill_switch: z.boolean(),
  stats: hostStatsOutput,
  offline_share: share.describe('offline / total hosts; 0 without hosts'),
  stale_share: share.describe('stale / total hosts; 0 without hosts'),
  reasons: z.array(z.enum(ATTENTION_REASONS)).min(1),
});
export type AttentionItem = z.infer<typeof attentionItemOutput>;

export const fleetOverviewOutput = z.strictObject({
  generated_at: isoTime,
  organizations: z.strictObject({
    total: countValue.describe('Every org the caller may read'),
    active: countValue,
    deactivated: countValue,
  }),
  hosts: hostStatsOutput.describe(
    'Hosts of the active orgs (the fleet); deactivated orgs are left out',
  ),
  thresholds: z.strictObject({
    offline_share: share.describe('An active org with at least this share offline needs attention'),
    stale_share: share.describe('An active org with at least this share stale needs attention'),
  }),
  attention: z.strictObject({
    total: countValue.describe('Orgs needing attention in all'),
    counts: z
      .strictObject({
        offline_share: countValue,
        stale_share: countValue,
        kill_switch: countValue,
        deactivated: countValue,
      })
      .describe('Orgs per reason (an org may have several)'),
    items: z
      .array(attentionItemOutput)
      .max(ATTENTION_LIST_LIMIT)
      .describe(
        `The worst ${ATTENTION_LIST_LIMIT} at most: active orgs first, then most reasons, then the largest share`,
      ),
  }),
  support_access: z
    .strictObject({
      active: z.boolean(),
      expires_at: isoTime.nullable(),
      grants: countValue,
    })
    .nullable()
    .describe(
      "The account's support access (SUP-2); null for callers without support_access.manage",
    ),
});
export type FleetOverview = z.infer<typeof fleetOverviewOutput>;

export const fleetHistoryInput = z
  .strictObject({
    organization_id: id('organization_id')
      .nullish()
      .describe('One org; without it, the whole fleet the caller may read'),
    hours: z
      .number({ error: 'hours must be a number of hours' })
      .int('hours must be a whole number of hours')
      .min(1, `hours must be between 1 and ${MAX_HISTORY_HOURS}`)
      .max(
        MAX_HISTORY_HOURS,
        `hours must be at most ${MAX_HISTORY_HOURS}: snapshots are kept ${MAX_HISTORY_HOURS / 24} days`,
      )
      .default(DEFAULT_HISTORY_HOURS),
  })
  .default({ hours: DEFAULT_HISTORY_HOURS });
export type FleetHistoryInput = z.input<typeof fleetHistoryInput>;

export const healthPointOutput = z.strictObject({
  hour: isoTime.describe('The start of the hour the snapshot was taken in'),
  online: countValue,
  offline: countValue,
  stale: countValue,
  total: countValue,
});
export type HealthPoint = z.infer<typeof healthPointOutput>;

export const fleetHistoryOutput = z.strictObject({
  organization_id: idValue.nullable().describe('null: the fleet'),
  from: isoTime.describe('The first hour asked for'),
  to: isoTime.describe('The current hour'),
  points: z
    .array(healthPointOutput)
    .describe('One per hour that has a snapshot, oldest first; an hour without one is missing'),
});
export type FleetHistory = z.infer<typeof fleetHistoryOutput>;

/** What one run of the snapshot job did (for logs and tests). */
export interface SnapshotReport {
  hour: number;
  organizations: number;
  accounts: number;
  deleted: number;
}
