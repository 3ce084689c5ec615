// IDN-1..3: the second factor's inputs and answers (TOTP, recovery codes, step-up, the account's
// "Require MFA" setting).
import { z } from 'zod';
import { isoTime } from './common.schema';

/** A 6-digit TOTP code or a recovery code (`xxxxx-xxxxx`); spaces and dashes are ignored. */
export const mfaCode = z
  .string({ error: 'code must be text: the 6-digit code from your authenticator app' })
  .trim()
  .min(6, 'code must be the 6-digit code from your authenticator app, or a recovery code')
  .max(32, 'code must be the 6-digit code from your authenticator app, or a recovery code');

export const mfaCodeInput = z.strictObject({ code: mfaCode });

export const completeMfaInput = z.strictObject({
  mfa_token: z
    .string({ error: 'mfa_token must be the mfa_token the sign-in answered' })
    .min(1, 'mfa_token is required: sign in with email and password first')
    .max(200),
  code: mfaCode,
});

export const MFA_METHODS = ['totp', 'recovery_code', 'passkey'] as const;
export type MfaMethod = (typeof MFA_METHODS)[number];

export const mfaRequiredOutput = z.strictObject({
  mfa_required: z.literal(true),
  mfa_token: z
    .string()
    .describe('Send it with a code to POST /api/v1/auth/mfa; single-use, valid 5 minutes'),
  methods: z.array(z.enum(MFA_METHODS)),
});

export type MfaRequired = z.infer<typeof mfaRequiredOutput>;

export const totpEnrolmentOutput = z.strictObject({
  otpauth_uri: z.string().describe('The otpauth:// URI an authenticator app scans (as a QR code)'),
  secret: z.string().describe('The same secret in base32, to type in by hand'),
});

export const recoveryCodesOutput = z.strictObject({
  recovery_codes: z
    .array(z.string())
    .describe('Single-use recovery codes, shown this once and stored only as digests'),
});

export const mfaStatusOutput = z.strictObject({
  totp: z.enum(['none', 'pending', 'enrolled']).describe('pending: enrolled, not yet confirmed'),
  recovery_codes_left: z.number().int(),
  passkeys: z.number().int().describe('How many passkeys the caller has registered (IDN-2)'),
  required_by_account: z
    .boolean()
    .describe('The account requires a second factor: without one only enrolment works'),
  step_up_until: isoTime
    .nullable()
    .describe('Until when this session may take step-up actions without a new code'),
});
export type MfaStatus = z.infer<typeof mfaStatusOutput>;

export const stepUpOutput = z.strictObject({
  step_up_until: isoTime.describe('Step-up actions need no new code until then'),
});

export const setRequireMfaInput = z.strictObject({
  required: z.boolean({ error: 'required must be true or false' }),
});

export const requireMfaOutput = z.strictObject({ required: z.boolean() });

/** The session a sign-in answered, for callers that know no second factor is due (tests, seeds). */
export function sessionOf<T extends { token: string }>(r: T | MfaRequired): T {
  if ('mfa_required' in r) throw new Error('This sign-in needs a second factor (auth.completeMfa)');
  return r;
}
