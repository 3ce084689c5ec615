import { z } from 'zod';
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from '../constants';
import { id, pageInput } from './common.schema';
import type { RecordingPolicy } from './organizations.schema';

// Defined zod-free in shared/constants.ts (the console imports them there); re-exported here.
export { DEFAULT_ACCOUNT_RETENTION_DAYS } from '../constants';

export const RECORDING_KINDS = ['terminal', 'remote_desktop'] as const;
export type RecordingKind = (typeof RECORDING_KINDS)[number];
export const RECORDING_CAPTURES = ['metadata', 'full'] as const;
export type RecordingCapture = (typeof RECORDING_CAPTURES)[number];

const epochOrIso = (field: string) =>
  z.union([
    z.number({ error: `${field} must be a time` }).int(`${field} must be whole milliseconds`),
    z.iso.datetime({ error: `${field} must be an ISO 8601 time such as 2026-01-01T00:00:00Z` }),
  ]);

export const listRecordingsInput = z.strictObject({
  organization_id: id('organization_id'),
  ...pageInput,
});

export const createRecordingInput = z.strictObject({
  organization_id: id('organization_id'),
  host_id: id('host_id'),
  user_id: id('user_id').nullish(),
  kind: z.enum(RECORDING_KINDS, { error: 'kind must be terminal or remote_desktop' }),
  capture: z.enum(RECORDING_CAPTURES, { error: 'capture must be metadata or full' }),
  started_at: epochOrIso('started_at'),
  ended_at: epochOrIso('ended_at').nullish(),
  size_bytes: z
    .number({ error: 'size_bytes must be a number of bytes' })
    .int('size_bytes must be a whole number')
    .min(0, 'size_bytes must be 0 or more')
    .default(0),
});
export type CreateRecordingInput = z.input<typeof createRecordingInput>;

export const recordingIdInput = z.strictObject({ id: id('id') });
export const governanceOrgInput = z.strictObject({ organization_id: id('organization_id') });

export const setAccountRetentionInput = z.strictObject({
  default_retention_days: z
    .number({ error: 'default_retention_days must be a number of days' })
    .int('default_retention_days must be a whole number of days')
    .min(MIN_RETENTION_DAYS, `default_retention_days must be at least ${MIN_RETENTION_DAYS}`)
    .max(MAX_RETENTION_DAYS, `default_retention_days must be at most ${MAX_RETENTION_DAYS}`),
});

export interface Recording {
  id: number;
  organization_id: number;
  host_id: number | null;
  user_id: number | null;
  kind: RecordingKind;
  capture: RecordingCapture;
  started_at: string;
  ended_at: string | null;
  size_bytes: number;
}

export interface GovernanceSettings {
  organization_id: number;
  recording_policy: RecordingPolicy;
  /** The org's own value; null means it inherits the account default. */
  recording_retention_days: number | null;
  effective_retention_days: number;
  inherited: boolean;
  account_default_retention_days: number;
  legal_hold: boolean;
  legal_hold_reason: string | null;
}

export interface CleanupOrgReport {
  organization_id: number;
  account_id: number;
  name: string;
  effective_retention_days: number;
  cutoff: string;
  deleted: number;
  batches: number;
  /** Why nothing was deleted on purpose. */
  skipped: 'legal_hold' | null;
}

export interface CleanupReport {
  ran_at: string;
  batch_size: number;
  total_deleted: number;
  organizations: CleanupOrgReport[];
}
