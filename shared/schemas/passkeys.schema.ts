// IDN-2: passkeys (WebAuthn) as a second factor: the caller's list, registration, rename and
// removal, and the options/response pairs of a sign-in's second step and a step-up.
import { z } from 'zod';
import { isoTime } from './common.schema';

export const passkeyName = z
  .string({ error: 'name must be text: what you call this passkey (e.g. "Work laptop")' })
  .trim()
  .min(1, 'name is required: what you call this passkey (e.g. "Work laptop")')
  .max(100, 'name must be at most 100 characters');

const b64url = (field: string, max: number) =>
  z
    .string({ error: `${field} must be base64url text, as the browser's WebAuthn answer holds it` })
    .max(max, `${field} is longer than any WebAuthn answer (at most ${max} characters)`)
    .regex(/^[A-Za-z0-9_-]*$/, `${field} must be base64url text (A-Z a-z 0-9 - _)`);

/**
 * The browser's answer to navigator.credentials.create/get, as @simplewebauthn/browser's
 * startRegistration/startAuthentication return it; the library checks its inner fields.
 */
export const webauthnResponse = z.looseObject({
  id: b64url('response.id', 1400),
  rawId: b64url('response.rawId', 1400),
  type: z.literal('public-key', { error: 'response.type must be "public-key"' }),
  response: z.looseObject({ clientDataJSON: b64url('response.response.clientDataJSON', 8192) }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});

export const registerPasskeyInput = z.strictObject({
  name: passkeyName,
  response: webauthnResponse,
});

export const passkeyIdInput = z.strictObject({
  id: z.coerce.number({ error: 'id must be a passkey id' }).int().positive(),
});

export const renamePasskeyInput = z.strictObject({
  id: z.coerce.number({ error: 'id must be a passkey id' }).int().positive(),
  name: passkeyName,
});

export const passkeyOptionsInput = z.strictObject({
  mfa_token: z
    .string({ error: 'mfa_token must be the mfa_token the sign-in answered' })
    .min(1, 'mfa_token is required: sign in with email and password first')
    .max(200),
});

export const completeMfaPasskeyInput = passkeyOptionsInput.extend({ response: webauthnResponse });

export const stepUpPasskeyInput = z.strictObject({ response: webauthnResponse });

export const passkeyOutput = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  created_at: isoTime,
  last_used_at: isoTime.nullable().describe('The last sign-in or step-up with it'),
});
export type Passkey = z.infer<typeof passkeyOutput>;
export const passkeyListOutput = z.array(passkeyOutput);

export const webauthnOptionsOutput = z.strictObject({
  options: z
    .record(z.string(), z.unknown())
    .describe(
      'PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON: hand it to @simplewebauthn/browser (startRegistration/startAuthentication); its challenge works once, for 5 minutes',
    ),
});
export type WebauthnOptions = z.infer<typeof webauthnOptionsOutput>;
