import type { z } from 'zod';
import { MFA_TOKEN_PREFIX } from '../../core/crypto';
import { STEP_UP_WINDOW_MS } from '../../../shared/constants';
import {
  passkeyIdInput,
  passkeyOptionsInput,
  registerPasskeyInput,
  renamePasskeyInput,
  stepUpPasskeyInput,
  type Passkey,
  type WebauthnOptions,
} from '../../../shared/schemas/passkeys.schema';
import type { Actor } from '../../core/actor';
import { iso, isoOrNull, type Clock } from '../../core/clock';
import type { SecretBox } from '../../core/crypto';
import { badRequest, conflict, DomainError, notFound } from '../../core/errors';
import type { PasskeyRow, WebauthnChallengeRow } from '../../domain/rows';
import type { Repos, Uow } from '../../repos';
import {
  authenticationOptions,
  challengeOf,
  registrationOptions,
  relyingParty,
  verifyAssertion,
  verifyRegistration,
  WEBAUTHN_CHALLENGE_TTL_MS,
  type RelyingParty,
} from './webauthn';

export interface PasskeysDeps {
  uow: Uow;
  clock: Clock;
  box: SecretBox;
}

const toPasskey = (p: PasskeyRow): Passkey => ({
  id: p.id,
  name: p.name,
  created_at: iso(p.createdAt),
  last_used_at: isoOrNull(p.lastUsedAt),
});

/** A verified assertion, to claim in the caller's write (challenge once, counter raised). */
export interface Assertion {
  challengeId: number;
  passkeyId: number;
  counter: number;
  userId: number;
}

export const PASSKEY_REFUSED =
  'response is not a valid answer to this challenge: the passkey is not one of yours, the challenge expired or was already used, or the signature does not verify; ask for new options and try again';

/**
 * IDN-2: the caller's passkeys (register, list, rename, remove) and the assertion check shared
 * by a sign-in's second step (AuthService.completeMfaWithPasskey) and a step-up. Challenges live
 * in webauthn_challenges as keyed digests, single use, five minutes; a verification (WebCrypto)
 * runs between a read and a write, never inside one. Only a credential's public part is stored.
 */
export class PasskeysService {
  constructor(private readonly d: PasskeysDeps) {}

  private rp(serverUrl: string): RelyingParty {
    const rp = relyingParty(serverUrl);
    if (!rp) {
      throw new DomainError(
        'BAD_REQUEST',
        'Passkeys need the server to know its public URL: set ORGDESK_PUBLIC_URL (e.g. https://orgdesk.example.com)',
      );
    }
    return rp;
  }

  private refuseReadOnly(actor: Actor): void {
    if (actor.readOnly) {
      throw new DomainError('FORBIDDEN', 'A read-only token cannot change second factors');
    }
  }

  async list(actor: Actor): Promise<Passkey[]> {
    const rows = await this.d.uow.read((r) => r.passkeys.passkeysOf(actor.userId));
    return rows.map(toPasskey);
  }

  async registrationOptions(actor: Actor, serverUrl: string): Promise<WebauthnOptions> {
    this.refuseReadOnly(actor);
    const rp = this.rp(serverUrl);
    const existing = await this.d.uow.read((r) => r.passkeys.passkeysOf(actor.userId));
    const options = await registrationOptions(
      rp,
      { id: actor.userId, label: actor.label },
      existing,
    );
    await this.storeChallenge(actor.userId, 'register', options.challenge, null);
    return { options: { ...options } };
  }

  async register(
    actor: Actor,
    raw: z.input<typeof registerPasskeyInput>,
    serverUrl: string,
  ): Promise<Passkey> {
    this.refuseReadOnly(actor);
    const input = registerPasskeyInput.parse(raw);
    const rp = this.rp(serverUrl);
    const now = this.d.clock.now();
    const { challenge, row } = await this.challengeFor(input.response, 'register', actor.userId);
    const credential = await verifyRegistration(rp, input.response, challenge);
    if (!credential) throw badRequest(PASSKEY_REFUSED, 'response');
    return this.d.uow.write(async (r) => {
      if (!(await r.passkeys.consumeChallenge(row.id, now))) {
        throw badRequest(PASSKEY_REFUSED, 'response');
      }
      const added = await r.passkeys.insert({
        userId: actor.userId,
        ...credential,
        name: input.name,
        createdAt: now,
      });
      if (!added) throw conflict('This passkey is registered already');
      await r.audit.record(actor, {
        accountId: actor.accountId,
        action: 'mfa.passkey_added',
        targetType: 'user',
        targetId: actor.userId,
        details: { passkey_id: added.id, name: added.name },
      });
      return toPasskey(added);
    });
  }

  async rename(actor: Actor, raw: z.input<typeof renamePasskeyInput>): Promise<Passkey> {
    this.refuseReadOnly(actor);
    const { id, name } = renamePasskeyInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const row = await r.passkeys.rename(id, actor.userId, name);
      if (!row) throw notFound('Passkey', id);
      await r.audit.record(actor, {
        accountId: actor.accountId,
        action: 'mfa.passkey_renamed',
        targetType: 'user',
        targetId: actor.userId,
        details: { passkey_id: id, name },
      });
      return toPasskey(row);
    });
  }

  /** Step-up (the router's meta): a current second factor removes one. */
  async remove(actor: Actor, raw: z.input<typeof passkeyIdInput>): Promise<{ ok: true }> {
    this.refuseReadOnly(actor);
    const { id } = passkeyIdInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const row = await r.passkeys.remove(id, actor.userId);
      if (!row) throw notFound('Passkey', id);
      await r.audit.record(actor, {
        accountId: actor.accountId,
        action: 'mfa.passkey_removed',
        targetType: 'user',
        targetId: actor.userId,
        details: { passkey_id: id, name: row.name },
      });
      return { ok: true as const };
    });
  }

  /** IDN-2: options for a sign-in's second step, bound to the challenge of its mfa_token. */
  async signInOptions(
    raw: z.input<typeof passkeyOptionsInput>,
    serverUrl: string,
  ): Promise<WebauthnOptions> {
    const { mfa_token } = passkeyOptionsInput.parse(raw);
    const rp = this.rp(serverUrl);
    const now = this.d.clock.now();
    const digest = this.d.box.mfaDigest(mfa_token);
    const found = mfa_token.startsWith(MFA_TOKEN_PREFIX)
      ? await this.d.uow.read(async (r) => {
          const c = await r.mfa.challengeByDigest(digest);
          if (!c || c.usedAt !== null || c.expiresAt <= now) return undefined;
          return { challenge: c, mine: await r.passkeys.passkeysOf(c.userId) };
        })
      : undefined;
    if (!found) throw signInExpired();
    if (found.mine.length === 0) {
      throw badRequest('No passkey is registered for this user: use a code instead', 'mfa_token');
    }
    const options = await authenticationOptions(rp, found.mine);
    await this.storeChallenge(
      found.challenge.userId,
      'sign_in',
      options.challenge,
      found.challenge.id,
    );
    return { options: { ...options } };
  }

  async stepUpOptions(actor: Actor, serverUrl: string): Promise<WebauthnOptions> {
    const rp = this.rp(serverUrl);
    const mine = await this.d.uow.read((r) => r.passkeys.passkeysOf(actor.userId));
    if (mine.length === 0) {
      throw badRequest('No passkey is registered: step up with a code (auth.stepUp) instead');
    }
    const options = await authenticationOptions(rp, mine);
    await this.storeChallenge(actor.userId, 'step_up', options.challenge, null);
    return { options: { ...options } };
  }

  /** IDN-3 with a passkey: this session's step-up actions pass for five minutes. */
  async stepUp(
    actor: Actor,
    token: string | undefined,
    raw: z.input<typeof stepUpPasskeyInput>,
    serverUrl: string,
  ): Promise<{ step_up_until: string }> {
    const { response } = stepUpPasskeyInput.parse(raw);
    if (!token) {
      throw new DomainError(
        'BAD_REQUEST',
        'This connection has no session token to step up; sign in',
      );
    }
    const digest = this.d.box.tokenDigest(token);
    const assertion = await this.verify(
      response,
      'step_up',
      serverUrl,
      (c) => c.userId === actor.userId,
    );
    if (!assertion) throw badRequest(PASSKEY_REFUSED, 'response');
    const now = this.d.clock.now();
    await this.d.uow.write(async (r) => {
      if (!(await this.claim(r, assertion))) throw badRequest(PASSKEY_REFUSED, 'response');
      await r.mfa.stampSecondFactor(digest, actor.userId, now);
      await r.audit.record(actor, {
        accountId: actor.accountId,
        action: 'auth.stepped_up',
        targetType: 'user',
        targetId: actor.userId,
        details: { with: 'passkey' },
      });
    });
    return { step_up_until: iso(now + STEP_UP_WINDOW_MS) };
  }

  /**
   * Checks an assertion against its stored challenge (of this purpose, accepted by `fits`) and
   * the caller's passkey; null when anything does not match. Outside any unit of work.
   */
  async verify(
    response: z.infer<typeof stepUpPasskeyInput>['response'],
    purpose: WebauthnChallengeRow['purpose'],
    serverUrl: string,
    fits: (c: WebauthnChallengeRow) => boolean,
  ): Promise<Assertion | null> {
    const rp = this.rp(serverUrl);
    const now = this.d.clock.now();
    const challenge = challengeOf(response);
    if (!challenge) return null;
    const digest = this.d.box.mfaDigest(challenge);
    const found = await this.d.uow.read(async (r) => ({
      row: await r.passkeys.challengeByDigest(digest),
      passkey: await r.passkeys.byCredentialId(response.id),
    }));
    const { row, passkey } = found;
    if (!row || row.purpose !== purpose || row.usedAt !== null || row.expiresAt <= now) return null;
    if (!fits(row)) return null;
    // A credential of someone else's answers like an unknown one.
    if (!passkey || passkey.userId !== row.userId) return null;
    const counter = await verifyAssertion(rp, response, challenge, passkey);
    if (counter === null) return null;
    return { challengeId: row.id, passkeyId: passkey.id, counter, userId: row.userId };
  }

  /** Uses the challenge and raises the counter, in the caller's write; false on a replay. */
  async claim(r: Pick<Repos, 'passkeys'>, a: Assertion): Promise<boolean> {
    const now = this.d.clock.now();
    if (!(await r.passkeys.consumeChallenge(a.challengeId, now))) return false;
    return r.passkeys.claimCounter(a.passkeyId, a.counter, now);
  }

  private async challengeFor(
    response: { response: { clientDataJSON: string } },
    purpose: WebauthnChallengeRow['purpose'],
    userId: number,
  ): Promise<{ challenge: string; row: WebauthnChallengeRow }> {
    const now = this.d.clock.now();
    const challenge = challengeOf(response);
    const row = challenge
      ? await this.d.uow.read((r) => r.passkeys.challengeByDigest(this.d.box.mfaDigest(challenge)))
      : undefined;
    if (
      !challenge ||
      !row ||
      row.purpose !== purpose ||
      row.userId !== userId ||
      row.usedAt !== null ||
      row.expiresAt <= now
    ) {
      throw badRequest(PASSKEY_REFUSED, 'response');
    }
    return { challenge, row };
  }

  private async storeChallenge(
    userId: number,
    purpose: WebauthnChallengeRow['purpose'],
    challenge: string,
    mfaChallengeId: number | null,
  ): Promise<void> {
    const now = this.d.clock.now();
    await this.d.uow.write((r) =>
      r.passkeys.insertChallenge({
        userId,
        purpose,
        challengeDigest: this.d.box.mfaDigest(challenge),
        mfaChallengeId,
        createdAt: now,
        expiresAt: now + WEBAUTHN_CHALLENGE_TTL_MS,
      }),
    );
  }
}

export const signInExpired = () =>
  new DomainError(
    'UNAUTHORIZED',
    'This sign-in has expired or was already completed: sign in again with email and password',
    'mfa_token',
  );
