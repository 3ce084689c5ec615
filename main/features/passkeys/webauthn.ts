// IDN-2: the WebAuthn ceremonies through @simplewebauthn/server, and where the relying party is.
// No storage here: the services store the challenges (as digests) and the credentials' public part.
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { PasskeyRow } from '../../domain/rows';

export const RP_NAME = 'Orgdesk';
/** How long a browser has to answer a ceremony (the challenge row expires with it). */
export const WEBAUTHN_CHALLENGE_TTL_MS = 5 * 60 * 1000;

export interface RelyingParty {
  rpID: string;
  origin: string;
}

/**
 * The relying party is the server's public URL (ORGDESK_PUBLIC_URL, else the listen URL). An IP
 * address is no valid RP ID; a loopback one is this machine, which browsers call `localhost`,
 * so 127.0.0.1 and ::1 become localhost (on the same port). Null when there is no URL.
 */
export function relyingParty(serverUrl: string): RelyingParty | null {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return null;
  }
  if (url.hostname === '127.0.0.1' || url.hostname === '[::1]') url.hostname = 'localhost';
  return { rpID: url.hostname, origin: url.origin };
}

/** The challenge a response answers (from its clientDataJSON), or null if it holds none. */
export function challengeOf(response: { response: { clientDataJSON: string } }): string | null {
  try {
    const data: unknown = JSON.parse(
      Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'),
    );
    const challenge = (data as { challenge?: unknown }).challenge;
    return typeof challenge === 'string' && challenge.length > 0 ? challenge : null;
  } catch {
    return null;
  }
}

const transportsOf = (row: PasskeyRow): AuthenticatorTransport[] => {
  try {
    const t: unknown = JSON.parse(row.transports);
    return Array.isArray(t) ? (t as AuthenticatorTransport[]) : [];
  } catch {
    return [];
  }
};

export function registrationOptions(
  rp: RelyingParty,
  user: { id: number; label: string },
  existing: PasskeyRow[],
) {
  return generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.rpID,
    userName: user.label,
    // An opaque handle, not the email: the authenticator keeps it.
    userID: new TextEncoder().encode(`orgdesk-user-${user.id}`),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: transportsOf(p) })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    timeout: WEBAUTHN_CHALLENGE_TTL_MS,
  });
}

export function authenticationOptions(rp: RelyingParty, mine: PasskeyRow[]) {
  return generateAuthenticationOptions({
    rpID: rp.rpID,
    allowCredentials: mine.map((p) => ({ id: p.credentialId, transports: transportsOf(p) })),
    userVerification: 'preferred',
    timeout: WEBAUTHN_CHALLENGE_TTL_MS,
  });
}

/** The new credential's public part, or null when the response does not verify. */
export async function verifyRegistration(
  rp: RelyingParty,
  response: unknown,
  challenge: string,
): Promise<{
  credentialId: string;
  publicKey: Buffer;
  counter: number;
  transports: string;
} | null> {
  try {
    const v = await verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: false,
    });
    if (!v.verified) return null;
    const c = v.registrationInfo.credential;
    return {
      credentialId: c.id,
      publicKey: Buffer.from(c.publicKey),
      counter: c.counter,
      transports: JSON.stringify(c.transports ?? []),
    };
  } catch {
    return null;
  }
}

/** The authenticator's new signature counter, or null when the assertion does not verify. */
export async function verifyAssertion(
  rp: RelyingParty,
  response: unknown,
  challenge: string,
  passkey: PasskeyRow,
): Promise<number | null> {
  try {
    const v = await verifyAuthenticationResponse({
      response: response as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: passkey.counter,
        transports: transportsOf(passkey),
      },
      requireUserVerification: false,
    });
    return v.verified ? v.authenticationInfo.newCounter : null;
  } catch {
    return null;
  }
}
