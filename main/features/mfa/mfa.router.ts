// IDN-1..3 procedures, mounted in the auth router (auth.*): the sign-in's second step, the
// caller's own factor under /me/mfa, step-up, and the account's "Require MFA".
import { authedProcedure, publicProcedure } from '../../trpc/trpc';
import {
  completeMfaInput,
  mfaCodeInput,
  mfaStatusOutput,
  recoveryCodesOutput,
  requireMfaOutput,
  setRequireMfaInput,
  stepUpOutput,
  totpEnrolmentOutput,
} from '../../../shared/schemas/mfa.schema';
import { loginResultOutput } from '../../../shared/schemas/users.schema';
import { okOutput } from '../../../shared/schemas/common.schema';

export const mfaProcedures = {
  completeMfa: publicProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/auth/mfa',
        auth: 'none',
        summary:
          "Sign-in's second step: the mfa_token the sign-in answered and a TOTP or recovery code (IDN-1)",
      },
      output: loginResultOutput,
    })
    .input(completeMfaInput)
    .mutation(({ ctx, input }) =>
      ctx.services.auth.completeMfa(input, {
        address: ctx.clientAddress,
        userAgent: ctx.userAgent,
      }),
    ),
  mfaStatus: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/me/mfa',
        summary: "The caller's second factor: enrolled or not, recovery codes left (IDN-1)",
      },
      supportEngineer: true,
      duringEnrolment: true,
      output: mfaStatusOutput,
    })
    .query(({ ctx }) => ctx.services.mfa.status(ctx.actor, ctx.token)),
  enrolTotp: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/me/mfa/totp',
        summary: 'Start enrolling an authenticator app: its secret, to confirm with a code (IDN-1)',
      },
      supportEngineer: true,
      duringEnrolment: true,
      output: totpEnrolmentOutput,
    })
    .mutation(({ ctx }) => ctx.services.mfa.enrolTotp(ctx.actor)),
  confirmTotp: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/me/mfa/totp/confirm',
        summary: 'Confirm the authenticator with a code: 10 recovery codes, shown once (IDN-1)',
      },
      supportEngineer: true,
      duringEnrolment: true,
      output: recoveryCodesOutput,
    })
    .input(mfaCodeInput)
    .mutation(({ ctx, input }) => ctx.services.mfa.confirmTotp(ctx.actor, ctx.token, input)),
  removeTotp: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/me/mfa/totp',
        summary: 'Remove the authenticator and its recovery codes, with a current code (IDN-1)',
      },
      supportEngineer: true,
      output: okOutput,
    })
    .input(mfaCodeInput)
    .mutation(({ ctx, input }) => ctx.services.mfa.removeTotp(ctx.actor, input)),
  regenerateRecoveryCodes: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/me/mfa/recovery-codes',
        summary: 'New recovery codes, with a current code; the old ones stop working (IDN-1)',
      },
      supportEngineer: true,
      output: recoveryCodesOutput,
    })
    .input(mfaCodeInput)
    .mutation(({ ctx, input }) => ctx.services.mfa.regenerateRecoveryCodes(ctx.actor, input)),
  stepUp: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/auth/step-up',
        summary: "A current code: this session's step-up actions pass for 5 minutes (IDN-3)",
      },
      supportEngineer: true,
      output: stepUpOutput,
    })
    .input(mfaCodeInput)
    .mutation(({ ctx, input }) => ctx.services.mfa.stepUp(ctx.actor, ctx.token, input)),
  setRequireMfa: authedProcedure
    .meta({
      rest: {
        method: 'PUT',
        path: '/account/mfa',
        summary: 'Require a second factor of every user of the account (account admins; IDN-1)',
      },
      output: requireMfaOutput,
    })
    .input(setRequireMfaInput)
    .mutation(({ ctx, input }) => ctx.services.mfa.setRequireMfa(ctx.actor, input)),
};
