// API-3 with IDN-1: the sign-in's second step is public like sign-in itself, and counts as a
// guess: one per request, whichever of the two it is.
import { describe, expect, it } from 'vitest';
import { checkTrpcRequest, trpcRequestFacts } from '../main/server/trpc-gate';

const facts = (path: string, batch: boolean, authenticated = false) =>
  trpcRequestFacts(path, new URLSearchParams(batch ? 'batch=1' : ''), authenticated);

describe('the tRPC gate and the second factor', () => {
  it('auth.completeMfa takes no bearer token; other auth procedures still need one', () => {
    expect(checkTrpcRequest(facts('auth.completeMfa', false))).toEqual({ pass: true });
    expect(checkTrpcRequest(facts('auth.stepUp', false))).toMatchObject({ status: 401 });
    expect(checkTrpcRequest(facts('auth.enrolTotp', false))).toMatchObject({ status: 401 });
  });

  it('IDN-2: the passkey second step takes no bearer token and counts as a sign-in', () => {
    expect(checkTrpcRequest(facts('auth.passkeySignInOptions', false))).toEqual({ pass: true });
    expect(checkTrpcRequest(facts('auth.completeMfaWithPasskey', false))).toEqual({ pass: true });
    expect(checkTrpcRequest(facts('auth.stepUpWithPasskey', false))).toMatchObject({ status: 401 });
    expect(checkTrpcRequest(facts('auth.passkeys', false))).toMatchObject({ status: 401 });
    expect(
      checkTrpcRequest(facts('auth.completeMfa,auth.completeMfaWithPasskey', true)),
    ).toMatchObject({ pass: false, status: 400 });
  });

  it('one sign-in call per batch, counting the second step', () => {
    expect(checkTrpcRequest(facts('auth.login,auth.completeMfa', true))).toMatchObject({
      pass: false,
      status: 400,
    });
    expect(checkTrpcRequest(facts('auth.completeMfa,auth.completeMfa', true))).toMatchObject({
      pass: false,
      status: 400,
    });
    expect(checkTrpcRequest(facts('auth.completeMfa', true))).toEqual({ pass: true });
  });
});
