// IDN-2 procedures, mounted in the auth router (auth.*): the caller's passkeys under
// /me/passkeys, a sign-in's second step with a passkey, and a step-up with one.
import { authedProcedure, publicProcedure } from '../../trpc/trpc';
import {
  completeMfaPasskeyInput,
  passkeyIdInput,
  passkeyListOutput,
  passkeyOptionsInput,
  passkeyOutput,
  registerPasskeyInput,
  renamePasskeyInput,
  stepUpPasskeyInput,
  webauthnOptionsOutput,
} from '../../../shared/schemas/passkeys.schema';
import { stepUpOutput } from '../../../shared/schemas/mfa.schema';
import { loginResultOutput } from '../../../shared/schemas/users.schema';
import { okOutput } from '../../../shared/schemas/common.schema';

export const passkeyProcedures = {
  passkeys: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/me/passkeys',
        summary: "The caller's passkeys: name, created, last used (IDN-2)",
      },
      supportEngineer: true,
      duringEnrolment: true,
      output: passkeyListOutput,
    })
    .query(({ ctx }) => ctx.services.passkeys.list(ctx.actor)),
  passkeyRegistrationOptions: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/me/passkeys/options',
        summary:
          'Start registering a passkey: the WebAuthn creation options for navigator.credentials.create (IDN-2)',
      },
      supportEngineer: true,
      duringEnrolment: true,
      output: webauthnOptionsOutput,
    })
    .mutation(({ ctx }) => ctx.services.passkeys.registrationOptions(ctx.actor, ctx.serverUrl)),
  registerPasskey: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/me/passkeys',
        status: 201,
        summary: "Finish registering a passkey with the browser's answer and a name (IDN-2)",
      },
      supportEngineer: true,
      duringEnrolment: true,
      output: passkeyOutput,
    })
    .input(registerPasskeyInput)
    .mutation(({ ctx, input }) => ctx.services.passkeys.register(ctx.actor, input, ctx.serverUrl)),
  renamePasskey: authedProcedure
    .meta({
      rest: { method: 'PATCH', path: '/me/passkeys/:id', summary: 'Rename a passkey (IDN-2)' },
      supportEngineer: true,
      output: passkeyOutput,
    })
    .input(renamePasskeyInput)
    .mutation(({ ctx, input }) => ctx.services.passkeys.rename(ctx.actor, input)),
  removePasskey: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/me/passkeys/:id',
        summary: 'Remove a passkey; needs a second factor from the last 5 minutes (IDN-2, IDN-3)',
      },
      supportEngineer: true,
      stepUp: true,
      output: okOutput,
    })
    .input(passkeyIdInput)
    .mutation(({ ctx, input }) => ctx.services.passkeys.remove(ctx.actor, input)),
  passkeySignInOptions: publicProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/auth/mfa/passkey/options',
        auth: 'none',
        summary:
          "Sign-in's second step with a passkey: the WebAuthn request options for the mfa_token (IDN-2)",
      },
      output: webauthnOptionsOutput,
    })
    .input(passkeyOptionsInput)
    .mutation(({ ctx, input }) => ctx.services.passkeys.signInOptions(input, ctx.serverUrl)),
  completeMfaWithPasskey: publicProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/auth/mfa/passkey',
        auth: 'none',
        summary:
          "Sign-in's second step with a passkey: the mfa_token and the browser's assertion (IDN-2)",
      },
      output: loginResultOutput,
    })
    .input(completeMfaPasskeyInput)
    .mutation(({ ctx, input }) =>
      ctx.services.auth.completeMfaWithPasskey(input, ctx.serverUrl, {
        address: ctx.clientAddress,
        userAgent: ctx.userAgent,
      }),
    ),
  stepUpPasskeyOptions: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/auth/step-up/passkey/options',
        summary: 'Step up with a passkey: the WebAuthn request options (IDN-2, IDN-3)',
      },
      supportEngineer: true,
      output: webauthnOptionsOutput,
    })
    .mutation(({ ctx }) => ctx.services.passkeys.stepUpOptions(ctx.actor, ctx.serverUrl)),
  stepUpWithPasskey: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/auth/step-up/passkey',
        summary: "Step up with a passkey's assertion: step-up actions pass for 5 minutes (IDN-3)",
      },
      supportEngineer: true,
      output: stepUpOutput,
    })
    .input(stepUpPasskeyInput)
    .mutation(({ ctx, input }) =>
      ctx.services.passkeys.stepUp(ctx.actor, ctx.token, input, ctx.serverUrl),
    ),
};
