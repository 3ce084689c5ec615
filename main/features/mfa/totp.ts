// IDN-1: RFC 6238 TOTP through otplib (6 digits, 30 s steps, one step either side), on the
// services' clock so tests can move time; and the recovery codes' shape. No storage here.
import { randomInt } from 'node:crypto';
import { authenticator } from 'otplib';

export const TOTP_STEP_MS = 30_000;
export const TOTP_ISSUER = 'Orgdesk';

const base = authenticator.clone({ digits: 6, step: TOTP_STEP_MS / 1000, window: 1 });

export const newTotpSecret = (): string => base.generateSecret(20);

export const otpauthUri = (label: string, secret: string): string =>
  base.keyuri(label, TOTP_ISSUER, secret);

/** The code an authenticator shows at `now` (tests and the e2e compute codes the same way). */
export const totpCode = (secret: string, now: number): string =>
  base.clone({ epoch: now }).generate(secret);

/**
 * The RFC 6238 time step `code` belongs to at `now` (within one step either side), or null when
 * it matches none. The step is what a replay check stores: a code is accepted once.
 */
export function totpStep(code: string, secret: string, now: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = base.clone({ epoch: now }).checkDelta(code, secret);
  return delta === null ? null : Math.floor(now / TOTP_STEP_MS) + delta;
}

// 31 symbols without the look-alikes (0/o, 1/l/i): 10 of them are about 49 bits.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const CODE_LENGTH = 10;

export function newRecoveryCode(): string {
  let s = '';
  for (let i = 0; i < CODE_LENGTH; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** A recovery code as typed (any case, with or without the dash or spaces), or null if not one. */
export function normalizeRecoveryCode(typed: string): string | null {
  const s = typed.toLowerCase().replace(/[\s-]/g, '');
  return s.length === CODE_LENGTH && [...s].every((c) => ALPHABET.includes(c)) ? s : null;
}

export const isTotpShaped = (code: string): boolean => /^\d{6}$/.test(code.replace(/\s/g, ''));
