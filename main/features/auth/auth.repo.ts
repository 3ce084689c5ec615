// Port (issue 14): sign-in, sessions and personal tokens (TEN-6, API-1, IDN-5), domain-shaped so
// each engine writes its best SQL behind it. SQLite: main/db/sqlite/repos/auth.ts. Password
// hashing (scrypt) is real I/O: it runs before or after the unit of work, never inside it.
import type { ApiTokenRow, UserRow } from '../../domain/rows';

/** A user with their account's active flag (PLAT-1: a deactivated account deactivates its users). */
export interface UserWithAccount {
  user: UserRow;
  accountActive: boolean;
  /** IDN-1: the account requires a second factor of every user. */
  requireMfa: boolean;
  /** IDN-1: when the user's TOTP factor was confirmed; null: none (or not confirmed yet). */
  totpConfirmedAt: number | null;
  /** IDN-2: how many passkeys the user has registered. */
  passkeyCount: number;
}

export interface TokenWithUser extends UserWithAccount {
  token: ApiTokenRow;
}

export type NewToken = Pick<
  ApiTokenRow,
  'userId' | 'kind' | 'name' | 'readOnly' | 'tokenDigest' | 'createdAt'
> &
  Partial<Pick<ApiTokenRow, 'expiresAt' | 'secondFactorAt' | 'clientAddress' | 'client'>>;

export interface AuthRepo {
  /** Sign-in: the user with this folded email. */
  userByEmailKey(emailKey: string): Promise<UserWithAccount | undefined>;
  /**
   * IDN-1: the second step of a sign-in reads its user again, fresh; the local desktop and a
   * review find their operator by it (AuthService.actorForUser).
   */
  userById(id: number): Promise<UserWithAccount | undefined>;
  /** The per-request path (AuthService.authenticate): the token with this digest and its user. */
  tokenByDigest(digest: string): Promise<TokenWithUser | undefined>;
  /**
   * IDN-5: stamps last use unless it was stamped after `notAfter` (a conditional update, so two
   * processes, or two replicas, racing on one token write it once).
   */
  touchToken(id: number, now: number, notAfter: number): Promise<void>;
  insertToken(values: NewToken): Promise<ApiTokenRow>;
  /** Sign-out: revokes the caller's own token with this digest. */
  revokeOwnByDigest(digest: string, userId: number, now: number): Promise<void>;
  /** The user's personal tokens, newest first. */
  personalTokensOf(userId: number): Promise<ApiTokenRow[]>;
  /** Revokes the user's own unrevoked token; the row after, undefined if none. */
  revokeOwn(id: number, userId: number, now: number): Promise<ApiTokenRow | undefined>;
  /** The token with this digest, whoever's (IDN-5: the token minting another). */
  byDigest(digest: string): Promise<ApiTokenRow | undefined>;
  /** IDN-5: the user's sessions still in force at `now` (unrevoked, unexpired), newest first. */
  liveSessionsOf(userId: number, now: number): Promise<ApiTokenRow[]>;
  /** Revokes one live session of the user's; the row after, undefined if none. */
  revokeOwnSession(id: number, userId: number, now: number): Promise<ApiTokenRow | undefined>;
  /** Revokes the user's live sessions except the one with this digest (null: all); how many. */
  revokeSessionsExcept(userId: number, keepDigest: string | null, now: number): Promise<number>;
}
