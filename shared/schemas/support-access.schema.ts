import { z } from 'zod';
import {
  DEFAULT_DURATION_HOURS,
  DEFAULT_PAGE_LIMIT,
  MAX_DURATION_HOURS,
  MAX_REASON_LENGTH,
  MIN_DURATION_HOURS,
} from '../constants';
import { id, idValue, isoTime, pageInput, pageOutput } from './common.schema';

// Defined zod-free in shared/constants.ts (the console imports them there); re-exported here.
export { DEFAULT_DURATION_HOURS, MAX_DURATION_HOURS, MIN_DURATION_HOURS } from '../constants';
/** SUP-4: a request nobody decides on within 7 days expires. */
export const REQUEST_TTL_HOURS = 7 * 24;

const durationHours = z
  .number({
    error: `duration_hours must be a number of hours (${MIN_DURATION_HOURS} to ${MAX_DURATION_HOURS})`,
  })
  .int('duration_hours must be a whole number of hours')
  .min(MIN_DURATION_HOURS, `duration_hours must be at least ${MIN_DURATION_HOURS} hour`)
  .max(MAX_DURATION_HOURS, `duration_hours must be at most ${MAX_DURATION_HOURS} (7 days)`)
  .default(DEFAULT_DURATION_HOURS);

const optionalReason = z
  .string({ error: 'reason must be text' })
  .trim()
  .max(MAX_REASON_LENGTH, `reason must be at most ${MAX_REASON_LENGTH} characters`)
  .nullish()
  .transform((v) => (v ? v : null));

const requiredReason = (what: string) =>
  z
    .string({ error: `reason must be text: say why ${what}` })
    .trim()
    .min(1, `reason is required: say why ${what}`)
    .max(MAX_REASON_LENGTH, `reason must be at most ${MAX_REASON_LENGTH} characters`);

/** Admins act on their own account; a support engineer names the customer account. */
const accountId = id('account_id');

export const supportStatusInput = z
  .strictObject({ account_id: accountId.nullish() })
  .default({ account_id: null });
export type SupportStatusInput = z.input<typeof supportStatusInput>;

export const enableSupportInput = z
  .strictObject({ duration_hours: durationHours, reason: optionalReason })
  .default({ duration_hours: DEFAULT_DURATION_HOURS, reason: null });
export type EnableSupportInput = z.input<typeof enableSupportInput>;

export const disableSupportInput = z
  .strictObject({ reason: optionalReason })
  .default({ reason: null });
export type DisableSupportInput = z.input<typeof disableSupportInput>;

export const emergencyDisableInput = z.strictObject({
  reason: requiredReason('every support grant is being ended'),
});
export type EmergencyDisableInput = z.input<typeof emergencyDisableInput>;

export const requestSupportInput = z.strictObject({
  account_id: accountId,
  reason: requiredReason('you need access to this account'),
  duration_hours: durationHours,
});
export type RequestSupportInput = z.input<typeof requestSupportInput>;

export const REQUEST_STATUSES = ['pending', 'approved', 'denied', 'expired', 'cancelled'] as const;
export type SupportRequestStatus = (typeof REQUEST_STATUSES)[number];

export const listSupportRequestsInput = z
  .strictObject({
    status: z
      .enum([...REQUEST_STATUSES, 'all'], {
        error: `status must be one of ${[...REQUEST_STATUSES, 'all'].join(', ')}`,
      })
      .default('pending'),
    ...pageInput,
  })
  .default({ status: 'pending', skip: 0, limit: DEFAULT_PAGE_LIMIT });
export type ListSupportRequestsInput = z.input<typeof listSupportRequestsInput>;

export const decideSupportRequestInput = z.strictObject({
  id: id('id'),
  reason: optionalReason,
});
export type DecideSupportRequestInput = z.input<typeof decideSupportRequestInput>;

/** The two ways support access is granted (SUP-1, SUP-4). */
export const GRANT_KINDS = ['customer', 'request'] as const;
export type SupportGrantKind = (typeof GRANT_KINDS)[number];

export const supportGrantOutput = z.strictObject({
  id: idValue,
  account_id: idValue,
  kind: z
    .enum(GRANT_KINDS)
    .describe("customer: opened to the whole support team; request: one engineer's, approved"),
  engineer_user_id: idValue
    .nullable()
    .describe('The engineer of a request grant; null for customer grants'),
  engineer_email: z.string().nullable(),
  granted_by_user_id: idValue.nullable(),
  reason: z.string().nullable(),
  starts_at: isoTime,
  expires_at: isoTime,
  revoked_at: isoTime.nullable(),
  revoked_by_user_id: idValue.nullable(),
  revoke_reason: z.string().nullable(),
  active: z.boolean().describe('Started, not yet ended and not revoked, right now'),
});
export type SupportGrant = z.infer<typeof supportGrantOutput>;

export const supportStatusOutput = z.strictObject({
  account_id: idValue,
  active: z
    .boolean()
    .describe('Whether support access (for a support engineer: their access) is active right now'),
  expires_at: isoTime
    .nullable()
    .describe('When the last active grant ends; null when none is active'),
  grants: z.array(supportGrantOutput).describe('The grants active right now'),
});
export type SupportStatus = z.infer<typeof supportStatusOutput>;

export const enableSupportResultOutput = supportStatusOutput.extend({
  grant: supportGrantOutput,
  extended: z
    .boolean()
    .describe('true when a customer grant was already active and its end was moved later'),
  previous_expires_at: isoTime
    .nullable()
    .describe('The end of the customer grant active before this call; null when none was'),
  message: z.string(),
});
export type EnableSupportResult = z.infer<typeof enableSupportResultOutput>;

export const disableSupportResultOutput = supportStatusOutput.extend({
  ended_grant_ids: z.array(idValue),
  message: z.string(),
});
export type DisableSupportResult = z.infer<typeof disableSupportResultOutput>;

export const emergencyDisableResultOutput = supportStatusOutput.extend({
  revoked_grant_ids: z.array(idValue),
  cancelled_request_ids: z.array(idValue),
  message: z.string(),
});
export type EmergencyDisableResult = z.infer<typeof emergencyDisableResultOutput>;

export const supportRequestOutput = z.strictObject({
  id: idValue,
  account_id: idValue,
  engineer_user_id: idValue,
  engineer_email: z.string().nullable(),
  reason: z.string(),
  duration_hours: z.number().int().describe('How long access lasts once approved'),
  status: z
    .enum(REQUEST_STATUSES)
    .describe('Effective status: an undecided request past its 7 days reads as expired'),
  created_at: isoTime,
  expires_at: isoTime.describe('When the request expires if nobody decides on it'),
  decided_at: isoTime.nullable(),
  decided_by_user_id: idValue.nullable(),
  decision_reason: z.string().nullable(),
  grant_id: idValue.nullable().describe('The grant an approval created'),
});
export type SupportRequest = z.infer<typeof supportRequestOutput>;

export const supportRequestPageOutput = pageOutput(supportRequestOutput);

export const supportDecisionOutput = z.strictObject({
  request: supportRequestOutput,
  grant: supportGrantOutput.nullable().describe('The grant an approval created; null when denied'),
});
export type SupportDecision = z.infer<typeof supportDecisionOutput>;

/** A support engineer's own view: the accounts open to them now and their requests. */
export const myAccessOutput = z.strictObject({
  is_support_engineer: z.boolean(),
  accounts: z
    .array(
      z.strictObject({
        account_id: idValue,
        account_name: z.string(),
        expires_at: isoTime.describe('When the last of its active grants ends'),
        kinds: z.array(z.enum(GRANT_KINDS)).describe('The kinds of grant that open it, sorted'),
      }),
    )
    .describe('The accounts open to the caller right now'),
  requests: z
    .array(supportRequestOutput)
    .describe("The caller's latest 200 requests, newest first"),
});
export type MyAccess = z.infer<typeof myAccessOutput>;
