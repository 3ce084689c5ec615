import { z } from 'zod';
import {
  DEFAULT_DURATION_HOURS,
  DEFAULT_PAGE_LIMIT,
  MAX_DURATION_HOURS,
  MAX_REASON_LENGTH,
  MIN_DURATION_HOURS,
} from '../constants';
import { id, pageInput } from './common.schema';

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

export interface SupportGrant {
  id: number;
  account_id: number;
  /** customer: enabled by the customer for the whole support team; request: one engineer. */
  kind: 'customer' | 'request';
  engineer_user_id: number | null;
  engineer_email: string | null;
  granted_by_user_id: number | null;
  reason: string | null;
  starts_at: string;
  expires_at: string;
  revoked_at: string | null;
  revoked_by_user_id: number | null;
  revoke_reason: string | null;
  active: boolean;
}

export interface SupportStatus {
  account_id: number;
  /** Whether support access (for a support engineer: their access) is active right now. */
  active: boolean;
  /** When the last active grant ends; null when none is active. */
  expires_at: string | null;
  /** The grants active right now. */
  grants: SupportGrant[];
}

export interface EnableSupportResult extends SupportStatus {
  grant: SupportGrant;
  /** true when a customer grant was already active and its end was moved later. */
  extended: boolean;
  previous_expires_at: string | null;
  message: string;
}

export interface DisableSupportResult extends SupportStatus {
  ended_grant_ids: number[];
  message: string;
}

export interface EmergencyDisableResult extends SupportStatus {
  revoked_grant_ids: number[];
  cancelled_request_ids: number[];
  message: string;
}

export interface SupportRequest {
  id: number;
  account_id: number;
  engineer_user_id: number;
  engineer_email: string | null;
  reason: string;
  duration_hours: number;
  /** Effective status: an undecided request past its 7 days reads as expired. */
  status: SupportRequestStatus;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  decided_by_user_id: number | null;
  decision_reason: string | null;
  grant_id: number | null;
}

export interface SupportDecision {
  request: SupportRequest;
  grant: SupportGrant | null;
}

/** A support engineer's own view: the accounts open to them now and their requests. */
export interface MyAccess {
  is_support_engineer: boolean;
  accounts: { account_id: number; account_name: string; expires_at: string; kinds: string[] }[];
  requests: SupportRequest[];
}
