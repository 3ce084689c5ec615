import { z } from 'zod';
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from '../constants';
import { countValue, id, idValue, isoTime, pageInput, pageOutput } from './common.schema';
import { RECORDING_POLICIES } from './organizations.schema';

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

export const recordingOutput = z.strictObject({
  id: idValue,
  organization_id: idValue,
  host_id: idValue.nullable(),
  user_id: idValue.nullable(),
  kind: z.enum(RECORDING_KINDS),
  capture: z.enum(RECORDING_CAPTURES),
  started_at: isoTime,
  ended_at: isoTime.nullable(),
  size_bytes: countValue,
});
export type Recording = z.infer<typeof recordingOutput>;

export const recordingPageOutput = pageOutput(recordingOutput);

export const deletedRecordingOutput = z.strictObject({ id: idValue, deleted: z.literal(true) });
export type DeletedRecording = z.infer<typeof deletedRecordingOutput>;

export const governanceSettingsOutput = z.strictObject({
  organization_id: idValue,
  recording_policy: z.enum(RECORDING_POLICIES),
  recording_retention_days: z
    .number()
    .int()
    .nullable()
    .describe("The org's own value; null means it inherits the account default"),
  effective_retention_days: z.number().int().describe('The days that apply: own or inherited'),
  inherited: z.boolean(),
  account_default_retention_days: z.number().int(),
  legal_hold: z.boolean(),
  legal_hold_reason: z.string().nullable(),
});
export type GovernanceSettings = z.infer<typeof governanceSettingsOutput>;

export const accountRetentionOutput = z.strictObject({
  account_id: idValue,
  default_retention_days: z.number().int(),
});
export type AccountRetention = z.infer<typeof accountRetentionOutput>;

export const cleanupOrgReportOutput = z.strictObject({
  organization_id: idValue,
  account_id: idValue,
  name: z.string(),
  effective_retention_days: z.number().int(),
  cutoff: isoTime.describe('Recordings started before this were due for deletion'),
  deleted: countValue,
  batches: countValue.describe('Transactions that deleted something'),
  skipped: z
    .enum(['legal_hold'])
    .nullable()
    .describe('Why nothing was deleted on purpose; null: not skipped'),
});
export type CleanupOrgReport = z.infer<typeof cleanupOrgReportOutput>;

export const cleanupReportOutput = z.strictObject({
  ran_at: isoTime,
  batch_size: z.number().int().describe('Recordings deleted per transaction at most'),
  total_deleted: countValue,
  organizations: z.array(cleanupOrgReportOutput),
});
export type CleanupReport = z.infer<typeof cleanupReportOutput>;
