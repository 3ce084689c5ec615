import type { z } from 'zod';
import { systemActor, type Actor } from '../../core/actor';
import { iso, isoOrNull, type Clock } from '../../core/clock';
import {
  MFA_TOKEN_PREFIX,
  PERSONAL_TOKEN_PREFIX,
  SESSION_TOKEN_PREFIX,
  randomToken,
  verifyPassword,
  type SecretBox,
} from '../../core/crypto';
import { DomainError, forbidden, notFound } from '../../core/errors';
import type { ApiTokenRow, UserRow } from '../../domain/rows';
import {
  createTokenInput,
  loginInput,
  type ApiToken,
  type CreatedToken,
  type LoginResult,
  type RevokedSessions,
  type Session,
} from '../../../shared/schemas/users.schema';
import { DESKTOP_USER_AGENT, MFA_CHALLENGE_TTL_MS } from '../../../shared/constants';
import {
  completeMfaInput,
  type MfaMethod,
  type MfaRequired,
} from '../../../shared/schemas/mfa.schema';
import type { Repos, Uow } from '../../repos';
import { SecondFactors, throttled } from '../mfa/second-factor';
import { completeMfaPasskeyInput } from '../../../shared/schemas/passkeys.schema';
import { PASSKEY_REFUSED, signInExpired, type PasskeysService } from '../passkeys/passkeys.service';
import { emailKey } from '../users/users.service';
import type { TokenWithUser } from './auth.repo';
import { DatabaseThrottleStore, SignInThrottle } from './throttle';

export interface AuthDeps {
  uow: Uow;
  clock: Clock;
  box: SecretBox;
  sessionTtlMs?: number;
  throttle?: SignInThrottle;
  /** Checks a password against a stored hash (core/crypto's scrypt unless given: tests count calls). */
  verifyPassword?: PasswordVerifier;
  /** IDN-1: the second step of a sign-in. */
  factors?: SecondFactors;
  /** IDN-1: code guesses per user, shared with MfaService. */
  mfaThrottle?: SignInThrottle;
  /** IDN-2: passkeys as the second step of a sign-in. */
  passkeys?: PasskeysService;
  /**
   * The server's log, for what belongs in no account's trail (a sign-in for an unknown email)
   * and for a last-use stamp that could not be written (the request was answered regardless).
   */
  log?: (line: string) => void;
}

/** IDN-1: wrong codes a sign-in challenge takes before it is burnt (sign in again). */
const MAX_CHALLENGE_FAILURES = 5;

/** Why a sign-in failed, as its audit entry says (IDN-5); the caller only ever hears "wrong". */
type SignInFailure = 'wrong_password' | 'no_password' | 'user_deactivated' | 'account_deactivated';

export type PasswordVerifier = (password: string, stored: string | null) => Promise<boolean>;

const DAY = 24 * 60 * 60 * 1000;
/** IDN-5: `last_used_at` is kept to the minute, so a token's reads write at most once a minute. */
const LAST_USED_RESOLUTION_MS = 60 * 1000;
type TokenRow = ApiTokenRow;
/** A user agent is kept to this many characters: enough to tell browsers apart, no more. */
const MAX_CLIENT_LENGTH = 200;

/** Where a sign-in came from, for "my sessions" (IDN-5). */
export interface SignInClient {
  address?: string;
  userAgent?: string;
}

/**
 * The client a session is shown as: the desktop app by name, a browser by its user agent
 * (printable ASCII only, shortened: a header is the caller's to choose).
 */
export function clientLabel(userAgent: string | undefined): string {
  const printable = (userAgent ?? '').replace(/[^\x20-\x7e]/g, '').trim();
  if (!printable) return 'Unknown client';
  if (printable.startsWith(DESKTOP_USER_AGENT)) return 'Orgdesk desktop';
  return printable.slice(0, MAX_CLIENT_LENGTH);
}

const toApiToken = (t: TokenRow): ApiToken => ({
  id: t.id,
  name: t.name,
  kind: t.kind,
  read_only: t.readOnly,
  created_at: iso(t.createdAt),
  expires_at: isoOrNull(t.expiresAt),
  revoked_at: isoOrNull(t.revokedAt),
  last_used_at: isoOrNull(t.lastUsedAt),
});

/** IDN-1/IDN-3: what the second-factor gate decides on, read with the token. */
const secondFactorFacts = (row: TokenWithUser, now: number) => ({
  required: row.requireMfa,
  enrolled: row.totpConfirmedAt !== null || row.passkeyCount > 0,
  verifiedAt: row.token.secondFactorAt,
  at: now,
});

/**
 * Sessions and personal tokens: random, shown once, stored as a keyed digest only. Sign-in and
 * the token use cases run over the unit of work (issue 14); the password check (scrypt: real
 * I/O) runs between a read and a write, never inside one. The per-request path (authenticate) is
 * one read; the rare last-use stamp is a write of its own after it (see recordUse).
 */
export class AuthService {
  private readonly throttle: SignInThrottle;
  private readonly verify: PasswordVerifier;
  private readonly factors: SecondFactors;
  private readonly mfaThrottle: SignInThrottle;
  /** Tokens whose last-use stamp is being written: one write per token at a time (recordUse). */
  private readonly touching = new Set<number>();
  constructor(private readonly d: AuthDeps) {
    // SCALE-2: the counts in the database unless given, shared by every process on it.
    this.throttle = d.throttle ?? new SignInThrottle({}, new DatabaseThrottleStore(d.uow));
    this.verify = d.verifyPassword ?? verifyPassword;
    this.factors = d.factors ?? new SecondFactors({ box: d.box, clock: d.clock });
    this.mfaThrottle = d.mfaThrottle ?? new SignInThrottle({}, new DatabaseThrottleStore(d.uow));
  }

  private newToken(
    userId: number,
    kind: 'session' | 'personal',
    name: string,
    readOnly: boolean,
    expiresAt: number | null,
    token = randomToken(kind === 'session' ? SESSION_TOKEN_PREFIX : PERSONAL_TOKEN_PREFIX),
  ) {
    return {
      token,
      values: {
        userId,
        kind,
        name,
        readOnly,
        tokenDigest: this.d.box.tokenDigest(token),
        createdAt: this.d.clock.now(),
        expiresAt,
      },
    };
  }

  /**
   * A token for a user without a password check, inside the caller's unit of work (an account's
   * first admin token, AccountsService.create): answered only if that unit of work commits.
   */
  async issueTokenIn(
    r: Pick<Repos, 'auth'>,
    userId: number,
    kind: 'session' | 'personal',
    name: string,
    given?: string,
  ): Promise<string> {
    const { token, values } = this.newToken(userId, kind, name, false, null, given);
    await r.auth.insertToken(values);
    return token;
  }

  /**
   * Issues a token for a user without a password check, in a unit of work of its own: the local
   * desktop, fixtures and benches (the server bootstrap uses issueTokenIn, with its audit entry).
   */
  async issueToken(
    userId: number,
    kind: 'session' | 'personal',
    name: string,
    given?: string,
  ): Promise<string> {
    return this.d.uow.write((r) => this.issueTokenIn(r, userId, kind, name, given));
  }

  async login(
    raw: z.input<typeof loginInput>,
    from: SignInClient = {},
  ): Promise<LoginResult | MfaRequired> {
    const input = loginInput.parse(raw);
    const address = from.address ?? 'unknown';
    const now = this.d.clock.now();
    const emailKeyName = `email:${emailKey(input.email)}`;
    const keys = [emailKeyName, `addr:${address}`];
    // Reserve the attempt before the (slow, asynchronous) password check, in a short write of its
    // own (SCALE-2: in the database, so every replica sees it): attempts arriving together each
    // take a place, so no more than the free ones are ever evaluated.
    const reservation = await this.throttle.reserve(keys, now);
    if (!reservation.ok) {
      const seconds = Math.max(1, Math.ceil(reservation.retryAfterMs / 1000));
      throw new DomainError(
        'TOO_MANY_REQUESTS',
        `Too many failed sign-ins; try again in ${seconds} s`,
        undefined,
        seconds,
      );
    }
    const { ticket } = reservation;
    let found:
      | {
          user: UserRow;
          accountActive: boolean;
          totpConfirmedAt: number | null;
          passkeyCount: number;
        }
      | undefined;
    let ok = false;
    try {
      found = await this.d.uow.read((r) => r.auth.userByEmailKey(emailKey(input.email)));
      // Verify even when the user is missing, so response time does not reveal which emails exist.
      // Outside any unit of work: scrypt is real I/O.
      ok = await this.verify(input.password, found?.user.passwordHash ?? null);
    } catch (err) {
      await this.throttle.release(ticket, this.d.clock.now());
      throw err;
    }
    const user = found?.user;
    // PLAT-1: the users of a deactivated account are refused like deactivated users.
    if (!user || !ok || !user.isActive || !found?.accountActive) {
      await this.throttle.fail(ticket, this.d.clock.now());
      const reason: SignInFailure | null = !user
        ? null
        : !ok
          ? user.passwordHash === null
            ? 'no_password'
            : 'wrong_password'
          : !user.isActive
            ? 'user_deactivated'
            : 'account_deactivated';
      await this.recordFailure(user, reason, input.email, address);
      throw new DomainError('UNAUTHORIZED', 'Email or password is wrong');
    }
    await this.throttle.succeed(ticket, [emailKeyName], this.d.clock.now());
    const signedIn = user;
    const hasTotp = found?.totpConfirmedAt != null;
    const hasPasskey = (found?.passkeyCount ?? 0) > 0;
    if (hasTotp || hasPasskey) {
      // IDN-1: the password was right; the session waits for the second factor.
      const mfaToken = randomToken(MFA_TOKEN_PREFIX);
      const digest = this.d.box.mfaDigest(mfaToken);
      await this.d.uow.write((r) =>
        r.mfa.insertChallenge({
          userId: signedIn.id,
          tokenDigest: digest,
          address,
          createdAt: now,
          expiresAt: now + MFA_CHALLENGE_TTL_MS,
        }),
      );
      const methods: MfaMethod[] = [];
      if (hasTotp) methods.push('totp', 'recovery_code');
      if (hasPasskey) methods.push('passkey');
      return { mfa_required: true, mfa_token: mfaToken, methods };
    }
    const client = clientLabel(from.userAgent);
    return this.d.uow.write((r) => this.openSession(r, signedIn, address, null, client));
  }

  /** The session of a sign-in, and its audit entry (with the second factor used, if any). */
  private async openSession(
    r: Pick<Repos, 'auth' | 'audit'>,
    user: UserRow,
    address: string,
    secondFactor: MfaMethod | null,
    client: string,
  ): Promise<LoginResult> {
    const now = this.d.clock.now();
    const expiresAt = now + (this.d.sessionTtlMs ?? 12 * 60 * 60 * 1000);
    const { token, values } = this.newToken(
      user.id,
      'session',
      'console sign-in',
      false,
      expiresAt,
    );
    await r.auth.insertToken({
      ...values,
      secondFactorAt: secondFactor ? now : null,
      clientAddress: address,
      client,
    });
    await r.audit.record(this.actorOf(user, false, 'session'), {
      accountId: user.accountId,
      action: 'auth.signed_in',
      targetType: 'user',
      targetId: user.id,
      details: secondFactor ? { address, second_factor: secondFactor } : { address },
    });
    return { token, expires_at: iso(expiresAt) };
  }

  /**
   * IDN-1: the second step of a sign-in: the challenge the password step answered and a code
   * (TOTP or recovery). The challenge and the code are each used by a conditional update in one
   * write with the new session, so a replay of either, or two concurrent uses, pass once.
   */
  async completeMfa(
    raw: z.input<typeof completeMfaInput>,
    from: SignInClient = {},
  ): Promise<LoginResult> {
    const input = completeMfaInput.parse(raw);
    const now = this.d.clock.now();
    const digest = this.d.box.mfaDigest(input.mfa_token);
    const expired = () =>
      new DomainError(
        'UNAUTHORIZED',
        'This sign-in has expired or was already completed: sign in again with email and password',
        'mfa_token',
      );
    const challenge = input.mfa_token.startsWith(MFA_TOKEN_PREFIX)
      ? await this.d.uow.read((r) => r.mfa.challengeByDigest(digest))
      : undefined;
    if (
      !challenge ||
      challenge.usedAt !== null ||
      challenge.expiresAt <= now ||
      challenge.failures >= MAX_CHALLENGE_FAILURES
    ) {
      throw expired();
    }
    type Outcome = LoginResult | 'expired' | 'deactivated';
    const outcome = await throttled<Outcome>(this.mfaThrottle, challenge.userId, now, () =>
      this.d.uow.write(async (r) => {
        const found = await r.auth.userById(challenge.userId);
        if (!found || !found.user.isActive || !found.accountActive) return 'deactivated';
        const method = await this.factors.accept(r, challenge.userId, input.code);
        if (!method) {
          await r.mfa.failChallenge(challenge.id);
          return null;
        }
        if (!(await r.mfa.consumeChallenge(challenge.id, now, MAX_CHALLENGE_FAILURES))) {
          // Someone completed it first: this write's claim of the code rolls back with it.
          throw expired();
        }
        return this.openSession(
          r,
          found.user,
          challenge.address,
          method,
          clientLabel(from.userAgent),
        );
      }),
    );
    if (outcome === null) {
      throw new DomainError(
        'UNAUTHORIZED',
        'code is wrong or was already used: enter the current code from your authenticator app (each code works once), or an unused recovery code',
        'code',
      );
    }
    if (outcome === 'deactivated' || outcome === 'expired') throw expired();
    return outcome;
  }

  /**
   * IDN-2: the second step of a sign-in with a passkey: the assertion answers the challenge that
   * POST /auth/mfa/passkey/options bound to this mfa_token. Verified between a read and the
   * write; the write uses the sign-in challenge, the WebAuthn challenge and the signature counter
   * by conditional updates, so a replayed assertion (or two concurrent ones) opens one session.
   */
  async completeMfaWithPasskey(
    raw: z.input<typeof completeMfaPasskeyInput>,
    serverUrl: string,
    from: SignInClient = {},
  ): Promise<LoginResult> {
    const input = completeMfaPasskeyInput.parse(raw);
    const passkeys = this.d.passkeys;
    if (!passkeys) throw new DomainError('BAD_REQUEST', 'Passkeys are not available here');
    const now = this.d.clock.now();
    const digest = this.d.box.mfaDigest(input.mfa_token);
    const challenge = input.mfa_token.startsWith(MFA_TOKEN_PREFIX)
      ? await this.d.uow.read((r) => r.mfa.challengeByDigest(digest))
      : undefined;
    if (
      !challenge ||
      challenge.usedAt !== null ||
      challenge.expiresAt <= now ||
      challenge.failures >= MAX_CHALLENGE_FAILURES
    ) {
      throw signInExpired();
    }
    const refused = () => new DomainError('UNAUTHORIZED', PASSKEY_REFUSED, 'response');
    const assertion = await passkeys.verify(
      input.response,
      'sign_in',
      serverUrl,
      (c) => c.mfaChallengeId === challenge.id && c.userId === challenge.userId,
    );
    if (!assertion) throw refused();
    return this.d.uow.write(async (r) => {
      const found = await r.auth.userById(challenge.userId);
      if (!found || !found.user.isActive || !found.accountActive) throw signInExpired();
      if (!(await passkeys.claim(r, assertion))) throw refused();
      if (!(await r.mfa.consumeChallenge(challenge.id, now, MAX_CHALLENGE_FAILURES))) {
        throw signInExpired();
      }
      return this.openSession(
        r,
        found.user,
        challenge.address,
        'passkey',
        clientLabel(from.userAgent),
      );
    });
  }

  /**
   * IDN-4: a console session for a user whose identity another step proved (single sign-on),
   * inside the caller's unit of work, audited like a password sign-in with the method named.
   */
  async sessionIn(
    r: Pick<Repos, 'auth' | 'audit'>,
    user: UserRow,
    method: 'sso',
    address: string,
  ): Promise<LoginResult> {
    const expiresAt = this.d.clock.now() + (this.d.sessionTtlMs ?? 12 * 60 * 60 * 1000);
    const { token, values } = this.newToken(
      user.id,
      'session',
      `${method} sign-in`,
      false,
      expiresAt,
    );
    await r.auth.insertToken(values);
    await r.audit.record(this.actorOf(user, false, 'session'), {
      accountId: user.accountId,
      action: 'auth.signed_in',
      targetType: 'user',
      targetId: user.id,
      details: { address, method },
    });
    return { token, expires_at: iso(expiresAt) };
  }

  /**
   * IDN-5: a failed sign-in for a user goes to the trail of that user's account (the email as
   * typed, the address, why), never the password. One for an email no account holds goes to no
   * trail: which account would it be, and an account's admins are not to read strangers' guesses
   * (often a password typed into the email field). The server log gets a line with the address
   * only. Either way the caller hears the same words; a failure to record is logged, never
   * answered, so it cannot tell known emails from unknown ones either.
   */
  private async recordFailure(
    user: UserRow | undefined,
    reason: SignInFailure | null,
    email: string,
    address: string,
  ): Promise<void> {
    if (!user || !reason) {
      this.d.log?.(`Orgdesk: sign-in failed for an email no account holds, from ${address}`);
      return;
    }
    try {
      await this.d.uow.write((r) =>
        r.audit.record(
          { ...systemActor(user.accountId), label: `sign-in attempt from ${address}` },
          {
            accountId: user.accountId,
            action: 'auth.sign_in_failed',
            targetType: 'user',
            targetId: user.id,
            details: { email, address, reason },
          },
        ),
      );
    } catch (err) {
      this.d.log?.(`Orgdesk: could not audit a failed sign-in: ${(err as Error).message}`);
    }
  }

  private actorOf(user: UserRow, readOnly: boolean, via: Actor['via']): Actor {
    return {
      userId: user.id,
      accountId: user.accountId,
      label: user.email,
      isSupportEngineer: user.isSupportEngineer,
      isPlatformOperator: user.isPlatformOperator,
      readOnly,
      via,
    };
  }

  /**
   * The actor behind a bearer token, or null when it is unknown, expired, revoked, or its user or
   * the user's account inactive (read on every request: reactivation makes it work again).
   */
  async authenticate(token: string): Promise<Actor | null> {
    if (!token.startsWith(SESSION_TOKEN_PREFIX) && !token.startsWith(PERSONAL_TOKEN_PREFIX))
      return null;
    const now = this.d.clock.now();
    const digest = this.d.box.tokenDigest(token);
    return this.d.uow.read(async (r) => {
      const row = await r.auth.tokenByDigest(digest);
      if (!row || row.token.revokedAt !== null || !row.user.isActive || !row.accountActive) {
        return null;
      }
      if (row.token.expiresAt !== null && row.token.expiresAt <= now) return null;
      this.recordUse(r, row.token, now);
      return {
        ...this.actorOf(
          row.user,
          row.token.readOnly,
          row.token.kind === 'session' ? 'session' : 'token',
        ),
        secondFactor: secondFactorFacts(row, now),
      };
    });
  }

  /**
   * IDN-5: stamps `last_used_at`, at most once a minute per token. The row just read decides, so
   * most requests write nothing and authenticate stays a read. A stale one schedules the stamp
   * as a write of its own once the read has ended (afterCommit): the read's answer never waits
   * for the write lock, and the request's own units of work queue behind the stamp, so it has
   * landed when they run (on SQLite, one lock). One stamp per token is in flight at a time; the
   * UPDATE repeats the condition so that two processes (or replicas) on one database write once.
   * A stamp that fails is logged, never answered: the request it records was allowed already.
   */
  private recordUse(r: Pick<Repos, 'afterCommit'>, token: TokenRow, now: number): void {
    const stale = now - LAST_USED_RESOLUTION_MS;
    if (token.lastUsedAt !== null && token.lastUsedAt > stale) return;
    r.afterCommit(() => {
      if (this.touching.has(token.id)) return;
      this.touching.add(token.id);
      this.d.uow
        .write((w) => w.auth.touchToken(token.id, now, stale))
        .catch((err: unknown) => {
          this.d.log?.(`Orgdesk: could not record a token's last use: ${(err as Error).message}`);
        })
        .finally(() => this.touching.delete(token.id));
    });
  }

  /** The caller's user record for a token (local desktop uses this to find its operator). */
  async actorForUser(userId: number): Promise<Actor | null> {
    const row = await this.d.uow.read((r) => r.auth.userById(userId));
    return row && row.user.isActive && row.accountActive
      ? this.actorOf(row.user, false, 'local')
      : null;
  }

  async logout(actor: Actor, token: string): Promise<void> {
    const now = this.d.clock.now();
    const digest = this.d.box.tokenDigest(token);
    await this.d.uow.write((r) => r.auth.revokeOwnByDigest(digest, actor.userId, now));
  }

  /**
   * TEN-6: a personal token is the owner's own rights (or fewer), evaluated live at each call.
   * IDN-5: it expires (90 days unless chosen, a year at most), and one minted by another personal
   * token never outlives that one: a leaked token cannot renew itself into a year-long key.
   */
  async createPersonalToken(
    actor: Actor,
    raw: z.input<typeof createTokenInput>,
    callerToken?: string,
  ): Promise<CreatedToken> {
    const input = createTokenInput.parse(raw);
    if (actor.readOnly && !input.read_only) {
      throw forbidden('A read-only token can only create read-only tokens');
    }
    const requested = this.d.clock.now() + input.expires_in_days * DAY;
    const callerDigest = this.digestOf(callerToken);
    return this.d.uow.write(async (r) => {
      const minter = callerDigest === null ? undefined : await r.auth.byDigest(callerDigest);
      const ceiling =
        minter?.kind === 'personal' && minter.expiresAt !== null ? minter.expiresAt : Infinity;
      const expiresAt = Math.min(requested, ceiling);
      const { token, values } = this.newToken(
        actor.userId,
        'personal',
        input.name,
        input.read_only,
        expiresAt,
      );
      const row = await r.auth.insertToken(values);
      await r.audit.record(actor, {
        accountId: actor.accountId,
        action: 'token.created',
        targetType: 'api_token',
        targetId: row.id,
        details: {
          name: input.name,
          read_only: input.read_only,
          expires_at: iso(expiresAt),
        },
      });
      return { ...toApiToken(row), token };
    });
  }

  async listTokens(actor: Actor): Promise<ApiToken[]> {
    const rows = await this.d.uow.read((r) => r.auth.personalTokensOf(actor.userId));
    return rows.map(toApiToken);
  }

  /** One unit of work: the revocation and its audit entry land together or not at all. */
  async revokeToken(actor: Actor, id: number): Promise<ApiToken> {
    // A read-only token writes nothing, not even to its owner's other tokens (TEN-6).
    if (actor.readOnly) throw forbidden('A read-only token cannot revoke tokens; use a full token');
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const row = await r.auth.revokeOwn(id, actor.userId, now);
      if (!row) throw notFound('Token', id);
      await r.audit.record(actor, {
        accountId: actor.accountId,
        action: 'token.revoked',
        targetType: 'api_token',
        targetId: id,
      });
      return toApiToken(row);
    });
  }

  private toSession(t: TokenRow, currentDigest: string | null): Session {
    return {
      id: t.id,
      created_at: iso(t.createdAt),
      last_used_at: isoOrNull(t.lastUsedAt),
      expires_at: isoOrNull(t.expiresAt),
      client_address: t.clientAddress,
      client: t.client ?? 'Unknown client',
      current: currentDigest !== null && t.tokenDigest === currentDigest,
    };
  }

  private digestOf(token: string | undefined): string | null {
    return token ? this.d.box.tokenDigest(token) : null;
  }

  /** IDN-5: the caller's sessions still in force, the one making this call marked `current`. */
  async sessions(actor: Actor, currentToken?: string): Promise<Session[]> {
    const now = this.d.clock.now();
    const current = this.digestOf(currentToken);
    const rows = await this.d.uow.read((r) => r.auth.liveSessionsOf(actor.userId, now));
    return rows.map((t) => this.toSession(t, current));
  }

  /**
   * Ends one of the caller's sessions (the current one too: that is signing out). Another user's
   * session id answers like an absent one. authenticate reads the row on every request, so the
   * session's next request is refused.
   */
  async revokeSession(actor: Actor, id: number, currentToken?: string): Promise<Session> {
    if (actor.readOnly) {
      throw forbidden('A read-only token cannot end sessions; use a full token or the console');
    }
    const now = this.d.clock.now();
    const current = this.digestOf(currentToken);
    return this.d.uow.write(async (r) => {
      const row = await r.auth.revokeOwnSession(id, actor.userId, now);
      if (!row) throw notFound('Session', id);
      await r.audit.record(actor, {
        accountId: actor.accountId,
        action: 'session.revoked',
        targetType: 'user',
        targetId: actor.userId,
        details: { session_id: id },
      });
      return this.toSession(row, current);
    });
  }

  /** Ends every session of the caller's except the one making the call. */
  async revokeOtherSessions(actor: Actor, currentToken?: string): Promise<RevokedSessions> {
    if (actor.readOnly) {
      throw forbidden('A read-only token cannot end sessions; use a full token or the console');
    }
    const current = this.digestOf(currentToken);
    if (current === null) {
      throw new DomainError(
        'BAD_REQUEST',
        'This connection has no session of its own; end sessions one by one (DELETE /api/v1/me/sessions/{id})',
      );
    }
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const revoked = await r.auth.revokeSessionsExcept(actor.userId, current, now);
      await r.audit.record(actor, {
        accountId: actor.accountId,
        action: 'session.revoked_others',
        targetType: 'user',
        targetId: actor.userId,
        details: { revoked },
      });
      return { revoked };
    });
  }
}
