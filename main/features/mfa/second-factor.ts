// IDN-1: checking and claiming a second-factor code, shared by sign-in (AuthService) and the
// caller's own MFA use cases (MfaService). A code is accepted by a conditional update inside the
// caller's unit of work, so a replay, or two concurrent uses of one code, pass once.
import { RECOVERY_CODE_COUNT } from '../../../shared/constants';
import type { MfaMethod } from '../../../shared/schemas/mfa.schema';
import type { Clock } from '../../core/clock';
import type { SecretBox } from '../../core/crypto';
import { DomainError } from '../../core/errors';
import type { Repos } from '../../repos';
import type { SignInThrottle } from '../auth/throttle';
import {
  newRecoveryCode,
  newTotpSecret,
  normalizeRecoveryCode,
  otpauthUri,
  totpStep,
} from './totp';

/** The AAD binds a TOTP secret to its user: a ciphertext copied to another row fails to open. */
const totpAad = (userId: number) => `user-totp:${userId}`;

export class SecondFactors {
  constructor(private readonly d: { box: SecretBox; clock: Clock }) {}

  newSecret(userId: number, label: string) {
    const secret = newTotpSecret();
    return {
      secret,
      uri: otpauthUri(label, secret),
      ciphertext: this.d.box.encrypt(secret, totpAad(userId)),
    };
  }

  /** Fresh recovery codes (shown once) and the digests that are stored. */
  newRecoveryCodes(): { codes: string[]; digests: string[] } {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    return { codes, digests: codes.map((c) => this.d.box.mfaDigest(normalizeRecoveryCode(c)!)) };
  }

  /**
   * Accepts `code` for the user, once: a TOTP code of their factor (confirmed, or with
   * `pending` the one waiting for confirmation) or, for a confirmed factor, an unused recovery
   * code. Null when it is wrong, replayed or already used: the caller's write claims it.
   */
  async accept(
    r: Pick<Repos, 'mfa'>,
    userId: number,
    typed: string,
    opts: { pending?: boolean } = {},
  ): Promise<MfaMethod | null> {
    const now = this.d.clock.now();
    const code = typed.replace(/\s/g, '');
    const totp = await r.mfa.totpOf(userId);
    if (!totp || (totp.confirmedAt === null) !== (opts.pending === true)) return null;
    if (/^\d{6}$/.test(code)) {
      const secret = this.d.box.decrypt(totp.secretCiphertext, totpAad(userId));
      const step = totpStep(code, secret, now);
      if (step === null) return null;
      return (await r.mfa.claimTotpStep(userId, step, !opts.pending)) ? 'totp' : null;
    }
    const recovery = opts.pending ? null : normalizeRecoveryCode(code);
    if (!recovery) return null;
    const used = await r.mfa.useRecoveryCode(userId, this.d.box.mfaDigest(recovery), now);
    return used ? 'recovery_code' : null;
  }
}

/** IDN-1: the refusal of a wrong, replayed or used code (the session itself is fine). */
export const WRONG_CODE =
  'code is wrong or was already used: enter the current code from your authenticator app (each code works once), or an unused recovery code';

/**
 * Code guesses per user, over every way in (sign-in, step-up, enrolment, removal): a million
 * codes with three valid at a time would fall to an unthrottled script.
 */
export async function throttled<T>(
  throttle: SignInThrottle,
  userId: number,
  now: number,
  attempt: () => Promise<T | null>,
): Promise<T | null> {
  const key = `mfa:user:${userId}`;
  const reservation = await throttle.reserve([key], now);
  if (!reservation.ok) {
    const seconds = Math.max(1, Math.ceil(reservation.retryAfterMs / 1000));
    throw new DomainError(
      'TOO_MANY_REQUESTS',
      `Too many wrong codes; try again in ${seconds} s`,
      undefined,
      seconds,
    );
  }
  let result: T | null;
  try {
    result = await attempt();
  } catch (err) {
    await throttle.release(reservation.ticket, now);
    throw err;
  }
  if (result === null) await throttle.fail(reservation.ticket, now);
  else await throttle.succeed(reservation.ticket, [key], now);
  return result;
}
