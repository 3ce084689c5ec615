// IDN-2: the browser's half of a passkey ceremony (@simplewebauthn/browser), typed for the
// options the server answers. The server checks every field of the answer.
import {
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';

/** The answer as the server's input schema reads it (it checks the rest). */
export type PasskeyResponse = {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string } & Record<string, unknown>;
  clientExtensionResults: Record<string, unknown>;
} & Record<string, unknown>;

export async function createPasskey(options: Record<string, unknown>): Promise<PasskeyResponse> {
  const r = await startRegistration({
    optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON,
  });
  return r as unknown as PasskeyResponse;
}

export async function assertPasskey(options: Record<string, unknown>): Promise<PasskeyResponse> {
  const r = await startAuthentication({
    optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON,
  });
  return r as unknown as PasskeyResponse;
}

/** Why a ceremony ended without an answer, in words (the browser's own are terse). */
export function passkeyFailure(err: unknown): string | null {
  if (err instanceof Error && err.name === 'NotAllowedError') {
    return 'The passkey prompt was closed or timed out; try again.';
  }
  return null;
}
