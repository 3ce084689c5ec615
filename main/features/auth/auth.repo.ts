// Draft port (issue 14 step 0): sign-in, sessions and personal tokens (TEN-6, API-1). Not yet
// implemented on SQLite. Password hashing (scrypt) is real I/O: it runs before or after the
// unit of work, never inside it.
import type { ApiTokenRow, UserRow } from '../../domain/rows';

export interface TokenWithUser {
  token: ApiTokenRow;
  user: UserRow;
  accountActive: boolean;
}

export interface AuthRepo {
  userByEmailKey(emailKey: string): Promise<UserRow | undefined>;
  userById(id: number): Promise<UserRow | undefined>;
  insertToken(values: Omit<ApiTokenRow, 'id'>): Promise<ApiTokenRow>;
  /** The live token with this digest and its owner; undefined when unknown, revoked or expired. */
  tokenByDigest(digest: string, now: number): Promise<TokenWithUser | undefined>;
  /** Last use, written at most once per interval (a conditional update). */
  touchToken(id: number, now: number, notBefore: number): Promise<void>;
  revokeToken(id: number, userId: number, now: number): Promise<ApiTokenRow | undefined>;
  revokeByDigest(digest: string, now: number): Promise<void>;
  tokensOf(userId: number): Promise<ApiTokenRow[]>;
}
