import type { z } from 'zod';
import { STEP_UP_WINDOW_MS } from '../../../shared/constants';
import {
  mfaCodeInput,
  setRequireMfaInput,
  type MfaStatus,
} from '../../../shared/schemas/mfa.schema';
import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import type { SecretBox } from '../../core/crypto';
import { badRequest, conflict, DomainError } from '../../core/errors';
import type { Uow } from '../../repos';
import type { SignInThrottle } from '../auth/throttle';
import type { SecondFactors } from './second-factor';
import { throttled, WRONG_CODE } from './second-factor';

export interface MfaDeps {
  uow: Uow;
  clock: Clock;
  box: SecretBox;
  access: AccessService;
  factors: SecondFactors;
  /** Code guesses per user (shared with sign-in's second step). */
  throttle: SignInThrottle;
}

const needsSession = () =>
  new DomainError('BAD_REQUEST', 'This connection has no session token to step up; sign in');

/**
 * IDN-1..3, the caller's own second factor: enrol a TOTP secret, confirm it with a code (which
 * issues the recovery codes), regenerate the codes or remove the factor with a code, step up a
 * session; and the account admin's "Require MFA". Codes are claimed by conditional updates
 * (SecondFactors.accept), so each is accepted once. Nothing of a secret or a code is audited.
 */
export class MfaService {
  constructor(private readonly d: MfaDeps) {}

  async status(actor: Actor, token: string | undefined): Promise<MfaStatus> {
    const digest = token ? this.d.box.tokenDigest(token) : null;
    return this.d.uow.read(async (r) => {
      const totp = await r.mfa.totpOf(actor.userId);
      const at = digest ? await r.mfa.secondFactorAtOf(digest) : null;
      const confirmed = totp?.confirmedAt != null;
      const passkeys = await r.passkeys.countOf(actor.userId);
      return {
        totp: !totp ? 'none' : confirmed ? 'enrolled' : 'pending',
        recovery_codes_left: confirmed ? await r.mfa.recoveryCodesLeft(actor.userId) : 0,
        passkeys,
        required_by_account: await r.mfa.requireMfaOf(actor.accountId),
        step_up_until:
          (confirmed || passkeys > 0) && at !== null ? iso(at + STEP_UP_WINDOW_MS) : null,
      };
    });
  }

  /** A new secret waiting for its first code; refused while a confirmed one exists. */
  async enrolTotp(actor: Actor): Promise<{ otpauth_uri: string; secret: string }> {
    this.refuseReadOnly(actor);
    const fresh = this.d.factors.newSecret(actor.userId, actor.label);
    return this.d.uow.write(async (r) => {
      const put = await r.mfa.putPendingTotp(actor.userId, fresh.ciphertext, this.d.clock.now());
      if (!put) {
        throw conflict(
          'An authenticator is already enrolled: remove it (auth.removeTotp with a current code) before enrolling another',
        );
      }
      return { otpauth_uri: fresh.uri, secret: fresh.secret };
    });
  }

  /** The first code confirms the factor; the recovery codes are answered this once. */
  async confirmTotp(
    actor: Actor,
    token: string | undefined,
    raw: z.input<typeof mfaCodeInput>,
  ): Promise<{ recovery_codes: string[] }> {
    this.refuseReadOnly(actor);
    const { code } = mfaCodeInput.parse(raw);
    const { codes, digests } = this.d.factors.newRecoveryCodes();
    const digest = token ? this.d.box.tokenDigest(token) : null;
    const now = this.d.clock.now();
    const done = await throttled(this.d.throttle, actor.userId, now, () =>
      this.d.uow.write(async (r) => {
        const totp = await r.mfa.totpOf(actor.userId);
        if (!totp) {
          throw badRequest('Nothing to confirm: enrol first (auth.enrolTotp)', 'code');
        }
        if (totp.confirmedAt !== null) {
          throw conflict('This authenticator is already confirmed');
        }
        if (!(await this.d.factors.accept(r, actor.userId, code, { pending: true }))) return null;
        await r.mfa.confirmTotp(actor.userId, now);
        await r.mfa.replaceRecoveryCodes(actor.userId, digests, now);
        // The code just given is a second factor for this session too.
        if (digest) await r.mfa.stampSecondFactor(digest, actor.userId, now);
        await r.audit.record(actor, {
          accountId: actor.accountId,
          action: 'mfa.totp_enrolled',
          targetType: 'user',
          targetId: actor.userId,
        });
        return true;
      }),
    );
    if (!done) throw badRequest(WRONG_CODE, 'code');
    return { recovery_codes: codes };
  }

  async removeTotp(actor: Actor, raw: z.input<typeof mfaCodeInput>): Promise<{ ok: true }> {
    this.refuseReadOnly(actor);
    const { code } = mfaCodeInput.parse(raw);
    const now = this.d.clock.now();
    const done = await throttled(this.d.throttle, actor.userId, now, () =>
      this.d.uow.write(async (r) => {
        const totp = await r.mfa.totpOf(actor.userId);
        if (!totp) throw badRequest('No authenticator is enrolled: nothing to remove', 'code');
        // A pending (unconfirmed) secret protects nothing yet: it goes without a code.
        const method =
          totp.confirmedAt === null
            ? 'pending'
            : await this.d.factors.accept(r, actor.userId, code);
        if (!method) return null;
        await r.mfa.deleteTotp(actor.userId);
        await r.audit.record(actor, {
          accountId: actor.accountId,
          action: 'mfa.totp_removed',
          targetType: 'user',
          targetId: actor.userId,
          details: { with: method },
        });
        return true;
      }),
    );
    if (!done) throw badRequest(WRONG_CODE, 'code');
    return { ok: true };
  }

  async regenerateRecoveryCodes(
    actor: Actor,
    raw: z.input<typeof mfaCodeInput>,
  ): Promise<{ recovery_codes: string[] }> {
    this.refuseReadOnly(actor);
    const { code } = mfaCodeInput.parse(raw);
    const { codes, digests } = this.d.factors.newRecoveryCodes();
    const now = this.d.clock.now();
    const done = await throttled(this.d.throttle, actor.userId, now, () =>
      this.d.uow.write(async (r) => {
        const totp = await r.mfa.totpOf(actor.userId);
        if (totp?.confirmedAt == null) {
          throw badRequest('No authenticator is enrolled: enrol one first', 'code');
        }
        if (!(await this.d.factors.accept(r, actor.userId, code))) return null;
        await r.mfa.replaceRecoveryCodes(actor.userId, digests, now);
        await r.audit.record(actor, {
          accountId: actor.accountId,
          action: 'mfa.recovery_codes_regenerated',
          targetType: 'user',
          targetId: actor.userId,
        });
        return true;
      }),
    );
    if (!done) throw badRequest(WRONG_CODE, 'code');
    return { recovery_codes: codes };
  }

  /** IDN-3: a current code makes this session's step-up actions pass for five minutes. */
  async stepUp(
    actor: Actor,
    token: string | undefined,
    raw: z.input<typeof mfaCodeInput>,
  ): Promise<{ step_up_until: string }> {
    const { code } = mfaCodeInput.parse(raw);
    if (!token) throw needsSession();
    const digest = this.d.box.tokenDigest(token);
    const now = this.d.clock.now();
    const done = await throttled(this.d.throttle, actor.userId, now, () =>
      this.d.uow.write(async (r) => {
        const totp = await r.mfa.totpOf(actor.userId);
        if (totp?.confirmedAt == null) {
          throw badRequest(
            'No second factor is enrolled, so there is nothing to step up with: enrol one (auth.enrolTotp)',
            'code',
          );
        }
        const method = await this.d.factors.accept(r, actor.userId, code);
        if (!method) return null;
        await r.mfa.stampSecondFactor(digest, actor.userId, now);
        await r.audit.record(actor, {
          accountId: actor.accountId,
          action: 'auth.stepped_up',
          targetType: 'user',
          targetId: actor.userId,
          details: { with: method },
        });
        return true;
      }),
    );
    if (!done) throw badRequest(WRONG_CODE, 'code');
    return { step_up_until: iso(now + STEP_UP_WINDOW_MS) };
  }

  /** IDN-1: the account admin's "Require MFA" (audited). */
  async setRequireMfa(
    actor: Actor,
    raw: z.input<typeof setRequireMfaInput>,
  ): Promise<{ required: boolean }> {
    const { required } = setRequireMfaInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const accountId = await this.d.access.requireAccount(r, actor, 'settings.manage');
      const before = await r.mfa.requireMfaOf(accountId);
      if (before !== required) {
        await r.mfa.setRequireMfa(accountId, required);
        await r.audit.record(actor, {
          accountId,
          // The same entry as the platform operator's change (accounts.update) would make.
          action: 'account.updated',
          targetType: 'account',
          targetId: accountId,
          details: { changes: { require_mfa: { from: before, to: required } } },
        });
      }
      return { required };
    });
  }

  /** A read-only token reads; it never changes the owner's factors (TEN-6). */
  private refuseReadOnly(actor: Actor): void {
    if (actor.readOnly) {
      throw new DomainError('FORBIDDEN', 'A read-only token cannot change second factors');
    }
  }
}
