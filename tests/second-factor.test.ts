// IDN-1/IDN-3: the second-factor gate is one pure decision (main/trpc/second-factor.ts), and
// which procedures a user without a factor may call, or which ask for a step-up, is a list
// pinned here: a new entry on either is a decision seen in review.
import { describe, expect, it } from 'vitest';
import type { ActorSecondFactor } from '../main/core/actor';
import { procedureEntries } from '../main/trpc/procedures';
import { checkSecondFactor } from '../main/trpc/second-factor';

const NOW = Date.UTC(2026, 0, 1);
const facts = (sf: Partial<ActorSecondFactor> | undefined) =>
  sf === undefined
    ? {}
    : { secondFactor: { required: false, enrolled: false, verifiedAt: null, at: NOW, ...sf } };

describe('checkSecondFactor', () => {
  it('no facts (the local desktop, the system): passes', () => {
    expect(checkSecondFactor({ actor: {}, meta: { stepUp: true }, input: {} })).toEqual({
      pass: true,
    });
  });

  it('Require MFA without a factor: only the enrolment procedures pass, with the procedure to call', () => {
    const actor = facts({ required: true });
    expect(checkSecondFactor({ actor, meta: undefined, input: {} })).toMatchObject({
      pass: false,
      reason: 'MFA_ENROLMENT_REQUIRED',
      message: expect.stringContaining('POST /api/v1/me/mfa/totp'),
    });
    expect(checkSecondFactor({ actor, meta: { duringEnrolment: true }, input: {} })).toEqual({
      pass: true,
    });
  });

  it('step-up: fresh within 5 minutes, stale after; not asked of a user without a factor', () => {
    const step = { stepUp: true } as const;
    const at = (verifiedAt: number | null) => facts({ enrolled: true, verifiedAt });
    expect(checkSecondFactor({ actor: at(NOW - 5 * 60_000), meta: step, input: {} }).pass).toBe(
      true,
    );
    expect(
      checkSecondFactor({ actor: at(NOW - 5 * 60_000 - 1), meta: step, input: {} }),
    ).toMatchObject({ pass: false, reason: 'STEP_UP_REQUIRED' });
    expect(checkSecondFactor({ actor: at(null), meta: step, input: {} }).pass).toBe(false);
    expect(checkSecondFactor({ actor: at(null), meta: undefined, input: {} }).pass).toBe(true);
    expect(checkSecondFactor({ actor: facts({}), meta: step, input: {} }).pass).toBe(true);
  });

  it('a conditional step-up asks only when its field is true', () => {
    const meta = { stepUp: { when: 'hard_delete' } };
    const actor = facts({ enrolled: true });
    expect(checkSecondFactor({ actor, meta, input: { id: 1 } }).pass).toBe(true);
    expect(checkSecondFactor({ actor, meta, input: { id: 1, hard_delete: false } }).pass).toBe(
      true,
    );
    expect(checkSecondFactor({ actor, meta, input: { id: 1, hard_delete: true } }).pass).toBe(
      false,
    );
  });
});

describe('the lists, as declared on the procedures', () => {
  it('IDN-3: these procedures ask for a step-up (SPEC: secrets, approvals, hard delete, erase, roles)', () => {
    const list = procedureEntries()
      .filter(([, p]) => p._def.meta?.stepUp)
      .map(([path, p]) => [path, p._def.meta!.stepUp]);
    expect(Object.fromEntries(list)).toEqual({
      'users.setRoles': true,
      'organizations.delete': { when: 'hard_delete' },
      'organizations.revealSecret': true,
      'organizations.copySecret': true,
      'organizations.regenerateSecret': true,
      'organizations.agentConfig': true,
      'supportAccess.approve': true,
      'gdpr.eraseUser': true,
      // IDN-2: a stolen session must not strip the owner's passkeys.
      'auth.removePasskey': true,
    });
  });

  it('IDN-1: these answer a user who must enrol first (what enrolment needs, who am I, sign out)', () => {
    const list = procedureEntries()
      .filter(([, p]) => p._def.meta?.duringEnrolment === true)
      .map(([path]) => path)
      .sort();
    expect(list).toEqual([
      'auth.confirmTotp',
      'auth.enrolTotp',
      'auth.logout',
      'auth.mfaStatus',
      // IDN-2: a passkey is a way to enrol too.
      'auth.passkeyRegistrationOptions',
      'auth.passkeys',
      'auth.registerPasskey',
      'users.me',
    ]);
  });
});
