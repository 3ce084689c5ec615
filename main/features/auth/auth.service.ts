import { and, desc, eq, isNull, lte, or } from 'drizzle-orm';
import type { z } from 'zod';
import type { SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso, isoOrNull, type Clock } from '../../core/clock';
import {
  PERSONAL_TOKEN_PREFIX,
  SESSION_TOKEN_PREFIX,
  randomToken,
  verifyPassword,
  type SecretBox,
} from '../../core/crypto';
import { DomainError, forbidden, notFound } from '../../core/errors';
import type { Db } from '../../db/database';
import { accounts, apiTokens, users } from '../../db/schema';
import {
  createTokenInput,
  loginInput,
  type ApiToken,
  type CreatedToken,
  type LoginResult,
} from '../../../shared/schemas/users.schema';
import type { Repos } from '../../repos';
import { emailKey } from '../users/users.service';
import { SignInThrottle } from './throttle';

export interface AuthDeps {
  db: Db;
  clock: Clock;
  box: SecretBox;
  access: SyncAccess;
  audit: AuditLog;
  sessionTtlMs?: number;
  throttle?: SignInThrottle;
  /** Checks a password against a stored hash (core/crypto's scrypt unless given: tests count calls). */
  verifyPassword?: PasswordVerifier;
}

export type PasswordVerifier = (password: string, stored: string | null) => Promise<boolean>;

const DAY = 24 * 60 * 60 * 1000;
/** IDN-5: `last_used_at` is kept to the minute, so a token's reads write at most once a minute. */
const LAST_USED_RESOLUTION_MS = 60 * 1000;
type TokenRow = typeof apiTokens.$inferSelect;

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

/** Sessions and personal tokens: random, shown once, stored as a keyed digest only. */
export class AuthService {
  private readonly throttle: SignInThrottle;
  private readonly verify: PasswordVerifier;
  constructor(private readonly d: AuthDeps) {
    this.throttle = d.throttle ?? new SignInThrottle();
    this.verify = d.verifyPassword ?? verifyPassword;
  }

  private issue(
    userId: number,
    kind: 'session' | 'personal',
    name: string,
    readOnly: boolean,
    expiresAt: number | null,
  ) {
    const token = randomToken(kind === 'session' ? SESSION_TOKEN_PREFIX : PERSONAL_TOKEN_PREFIX);
    const row = this.d.db
      .insert(apiTokens)
      .values({
        userId,
        kind,
        name,
        readOnly,
        tokenDigest: this.d.box.tokenDigest(token),
        createdAt: this.d.clock.now(),
        expiresAt,
      })
      .returning()
      .get();
    return { token, row };
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
  ): Promise<string> {
    const token = randomToken(kind === 'session' ? SESSION_TOKEN_PREFIX : PERSONAL_TOKEN_PREFIX);
    await r.auth.insertToken({
      userId,
      kind,
      name,
      readOnly: false,
      tokenDigest: this.d.box.tokenDigest(token),
      createdAt: this.d.clock.now(),
      expiresAt: null,
    });
    return token;
  }

  /** Issues a token for a user without a password check: bootstrap and the local desktop only. */
  issueToken(userId: number, kind: 'session' | 'personal', name: string, token?: string): string {
    if (!token) return this.issue(userId, kind, name, false, null).token;
    this.d.db
      .insert(apiTokens)
      .values({
        userId,
        kind,
        name,
        readOnly: false,
        tokenDigest: this.d.box.tokenDigest(token),
        createdAt: this.d.clock.now(),
      })
      .run();
    return token;
  }

  async login(raw: z.input<typeof loginInput>, address = 'unknown'): Promise<LoginResult> {
    const input = loginInput.parse(raw);
    const now = this.d.clock.now();
    const emailKeyName = `email:${emailKey(input.email)}`;
    const keys = [emailKeyName, `addr:${address}`];
    // Reserve the attempt before the (slow, asynchronous) password check: attempts arriving
    // together each take a place, so no more than the free ones are ever evaluated.
    const reservation = this.throttle.reserve(keys, now);
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
    let found: { user: typeof users.$inferSelect; accountActive: boolean } | undefined;
    let ok = false;
    try {
      found = this.d.db
        .select({ user: users, accountActive: accounts.isActive })
        .from(users)
        .innerJoin(accounts, eq(accounts.id, users.accountId))
        .where(eq(users.emailKey, emailKey(input.email)))
        .get();
      // Verify even when the user is missing, so response time does not reveal which emails exist.
      ok = await this.verify(input.password, found?.user.passwordHash ?? null);
    } catch (err) {
      this.throttle.release(ticket);
      throw err;
    }
    const user = found?.user;
    // PLAT-1: the users of a deactivated account are refused like deactivated users.
    if (!user || !ok || !user.isActive || !found?.accountActive) {
      this.throttle.fail(ticket, this.d.clock.now());
      throw new DomainError('UNAUTHORIZED', 'Email or password is wrong');
    }
    this.throttle.succeed(ticket, [emailKeyName]);
    const signedIn = user;
    const expiresAt = now + (this.d.sessionTtlMs ?? 12 * 60 * 60 * 1000);
    return this.d.db.transaction(() => {
      const { token } = this.issue(signedIn.id, 'session', 'console sign-in', false, expiresAt);
      this.d.audit.record(this.actorOf(signedIn, false, 'session'), {
        accountId: signedIn.accountId,
        action: 'auth.signed_in',
        targetType: 'user',
        targetId: signedIn.id,
        details: { address },
      });
      return { token, expires_at: iso(expiresAt) };
    });
  }

  private actorOf(user: typeof users.$inferSelect, readOnly: boolean, via: Actor['via']): Actor {
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
  authenticate(token: string): Actor | null {
    if (!token.startsWith(SESSION_TOKEN_PREFIX) && !token.startsWith(PERSONAL_TOKEN_PREFIX))
      return null;
    const now = this.d.clock.now();
    const row = this.d.db
      .select({ token: apiTokens, user: users, accountActive: accounts.isActive })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .where(eq(apiTokens.tokenDigest, this.d.box.tokenDigest(token)))
      .get();
    if (!row || row.token.revokedAt !== null || !row.user.isActive || !row.accountActive) {
      return null;
    }
    if (row.token.expiresAt !== null && row.token.expiresAt <= now) return null;
    this.recordUse(row.token, now);
    return this.actorOf(
      row.user,
      row.token.readOnly,
      row.token.kind === 'session' ? 'session' : 'token',
    );
  }

  /**
   * IDN-5: stamps `last_used_at`, at most once a minute per token. The row just read decides, so
   * most calls write nothing; the UPDATE repeats the condition so that two processes sharing the
   * file still write once.
   */
  private recordUse(token: TokenRow, now: number): void {
    const stale = now - LAST_USED_RESOLUTION_MS;
    if (token.lastUsedAt !== null && token.lastUsedAt > stale) return;
    this.d.db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(apiTokens.id, token.id),
          or(isNull(apiTokens.lastUsedAt), lte(apiTokens.lastUsedAt, stale)),
        ),
      )
      .run();
  }

  /** The caller's user record for a token (local desktop uses this to find its operator). */
  actorForUser(userId: number): Actor | null {
    const row = this.d.db
      .select({ user: users, accountActive: accounts.isActive })
      .from(users)
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .where(eq(users.id, userId))
      .get();
    return row && row.user.isActive && row.accountActive
      ? this.actorOf(row.user, false, 'local')
      : null;
  }

  logout(actor: Actor, token: string): void {
    this.d.db
      .update(apiTokens)
      .set({ revokedAt: this.d.clock.now() })
      .where(
        and(
          eq(apiTokens.tokenDigest, this.d.box.tokenDigest(token)),
          eq(apiTokens.userId, actor.userId),
        ),
      )
      .run();
  }

  /** TEN-6: a personal token is the owner's own rights (or fewer), evaluated live at each call. */
  createPersonalToken(actor: Actor, raw: z.input<typeof createTokenInput>): CreatedToken {
    const input = createTokenInput.parse(raw);
    if (actor.readOnly && !input.read_only) {
      throw forbidden('A read-only token can only create read-only tokens');
    }
    const expiresAt = input.expires_in_days
      ? this.d.clock.now() + input.expires_in_days * DAY
      : null;
    return this.d.db.transaction(() => {
      const { token, row } = this.issue(
        actor.userId,
        'personal',
        input.name,
        input.read_only,
        expiresAt,
      );
      this.d.audit.record(actor, {
        accountId: actor.accountId,
        action: 'token.created',
        targetType: 'api_token',
        targetId: row.id,
        details: { name: input.name, read_only: input.read_only },
      });
      return { ...toApiToken(row), token };
    });
  }

  listTokens(actor: Actor): ApiToken[] {
    return this.d.db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, actor.userId), eq(apiTokens.kind, 'personal')))
      .orderBy(desc(apiTokens.id))
      .all()
      .map(toApiToken);
  }

  revokeToken(actor: Actor, id: number): ApiToken {
    // A read-only token writes nothing, not even to its owner's other tokens (TEN-6).
    if (actor.readOnly) throw forbidden('A read-only token cannot revoke tokens; use a full token');
    const row = this.d.db
      .update(apiTokens)
      .set({ revokedAt: this.d.clock.now() })
      .where(
        and(eq(apiTokens.id, id), eq(apiTokens.userId, actor.userId), isNull(apiTokens.revokedAt)),
      )
      .returning()
      .get();
    if (!row) throw notFound('Token', id);
    this.d.audit.record(actor, {
      accountId: actor.accountId,
      action: 'token.revoked',
      targetType: 'api_token',
      targetId: id,
    });
    return toApiToken(row);
  }
}
