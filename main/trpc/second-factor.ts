// IDN-1 and IDN-3 in one decision: may this actor call this procedure, as far as a second
// factor goes? Pure, so the whole policy is read and tested here (tests/second-factor.test.ts);
// the authed middleware (trpc.ts) asks it before every procedure, tRPC and REST alike.
import { STEP_UP_WINDOW_MS } from '../../shared/constants';
import type { RefusalReason } from '../../shared/error-codes';
import type { Actor } from '../core/actor';
import type { Meta } from './meta';

export interface SecondFactorFacts {
  actor: Pick<Actor, 'secondFactor'>;
  meta: Pick<Meta, 'duringEnrolment' | 'stepUp'> | undefined;
  /** The call's input as sent (only read for a conditional step-up). */
  input: unknown;
}

export type SecondFactorVerdict =
  { pass: true } | { pass: false; reason: RefusalReason; message: string };

export const ENROL_MESSAGE =
  'This account requires a second factor: enrol one first (auth.enrolTotp, POST /api/v1/me/mfa/totp; then auth.confirmTotp, POST /api/v1/me/mfa/totp/confirm with a code), or register a passkey (auth.passkeyRegistrationOptions, POST /api/v1/me/passkeys/options; then auth.registerPasskey, POST /api/v1/me/passkeys)';

export const STEP_UP_MESSAGE =
  'This action needs a second factor from the last 5 minutes: send a current code to auth.stepUp (POST /api/v1/auth/step-up with {"code"}) or a passkey assertion to auth.stepUpWithPasskey (POST /api/v1/auth/step-up/passkey/options, then POST /api/v1/auth/step-up/passkey), then repeat the action';

/** True when this call asks for a step-up: always, or when its `when` field is true. */
export function asksStepUp(meta: SecondFactorFacts['meta'], input: unknown): boolean {
  const rule = meta?.stepUp;
  if (!rule) return false;
  if (rule === true) return true;
  return (
    typeof input === 'object' &&
    input !== null &&
    (input as Record<string, unknown>)[rule.when] === true
  );
}

export function checkSecondFactor(f: SecondFactorFacts): SecondFactorVerdict {
  const sf = f.actor.secondFactor;
  // The local desktop and the system have no session to prove anything with.
  if (!sf) return { pass: true };
  if (sf.required && !sf.enrolled) {
    return f.meta?.duringEnrolment === true
      ? { pass: true }
      : { pass: false, reason: 'MFA_ENROLMENT_REQUIRED', message: ENROL_MESSAGE };
  }
  // A user without a factor (in an account that does not require one) has nothing to step up with.
  if (!sf.enrolled || !asksStepUp(f.meta, f.input)) return { pass: true };
  const fresh = sf.verifiedAt !== null && sf.at - sf.verifiedAt <= STEP_UP_WINDOW_MS;
  return fresh
    ? { pass: true }
    : { pass: false, reason: 'STEP_UP_REQUIRED', message: STEP_UP_MESSAGE };
}
