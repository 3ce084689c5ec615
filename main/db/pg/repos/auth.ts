import { and, desc, eq, gt, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { ApiTokenRow } from '../../../domain/rows';
import type {
  AuthRepo,
  NewToken,
  TokenWithUser,
  UserWithAccount,
} from '../../../features/auth/auth.repo';
import { accounts, apiTokens, passkeys, users, userTotp } from '../schema';
import type { PgTx } from '../uow';
import { int8 } from './sql-helpers';

/** The user's columns with what their account and second factor say (IDN-1). */
const withAccount = {
  accountActive: accounts.isActive,
  requireMfa: accounts.requireMfa,
  totpConfirmedAt: userTotp.confirmedAt,
  // count(*) is an int8: through drizzle's session it would arrive as a string (sql-helpers).
  passkeyCount:
    sql<number>`(SELECT count(*) FROM ${passkeys} WHERE ${passkeys.userId} = ${users.id})`.mapWith(
      int8,
    ),
};

/** Sign-in, sessions and tokens on PostgreSQL: the SQLite adapter's statements. */
export class PgAuthRepo implements AuthRepo {
  constructor(private readonly tx: PgTx) {}

  private userQuery() {
    return this.tx.db
      .select({ user: users, ...withAccount })
      .from(users)
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .leftJoin(userTotp, eq(userTotp.userId, users.id));
  }

  async userById(id: number): Promise<UserWithAccount | undefined> {
    const [row] = await this.userQuery().where(eq(users.id, id));
    return row;
  }

  async userByEmailKey(emailKey: string): Promise<UserWithAccount | undefined> {
    const [row] = await this.userQuery().where(eq(users.emailKey, emailKey));
    return row;
  }

  /** The token with its user and what their account says (the per-request path). */
  async tokenByDigest(digest: string): Promise<TokenWithUser | undefined> {
    const [row] = await this.tx.db
      .select({ token: apiTokens, user: users, ...withAccount })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .leftJoin(userTotp, eq(userTotp.userId, users.id))
      .where(eq(apiTokens.tokenDigest, digest));
    return row;
  }

  /**
   * IDN-5: stamps last use unless it was stamped after `notAfter`,
   * one conditional update, so replicas touching one token at once write it at most once per
   * window.
   */
  async touchToken(id: number, now: number, notAfter: number): Promise<void> {
    await this.tx.db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(
        and(
          eq(apiTokens.id, id),
          or(isNull(apiTokens.lastUsedAt), lte(apiTokens.lastUsedAt, notAfter)),
        ),
      );
  }

  async insertToken(values: NewToken): Promise<ApiTokenRow> {
    const [row] = await this.tx.db.insert(apiTokens).values(values).returning();
    return row!;
  }

  async revokeOwnByDigest(digest: string, userId: number, now: number): Promise<void> {
    await this.tx.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.tokenDigest, digest), eq(apiTokens.userId, userId)));
  }

  async personalTokensOf(userId: number): Promise<ApiTokenRow[]> {
    return this.tx.db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, userId), eq(apiTokens.kind, 'personal')))
      .orderBy(desc(apiTokens.id));
  }

  async revokeOwn(id: number, userId: number, now: number): Promise<ApiTokenRow | undefined> {
    const [row] = await this.tx.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .returning();
    return row;
  }

  async byDigest(digest: string): Promise<ApiTokenRow | undefined> {
    const [row] = await this.tx.db
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.tokenDigest, digest));
    return row;
  }

  private liveSession(userId: number, now: number) {
    return and(
      eq(apiTokens.userId, userId),
      eq(apiTokens.kind, 'session'),
      isNull(apiTokens.revokedAt),
      or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
    );
  }

  async liveSessionsOf(userId: number, now: number): Promise<ApiTokenRow[]> {
    return this.tx.db
      .select()
      .from(apiTokens)
      .where(this.liveSession(userId, now))
      .orderBy(desc(apiTokens.id));
  }

  async revokeOwnSession(
    id: number,
    userId: number,
    now: number,
  ): Promise<ApiTokenRow | undefined> {
    const [row] = await this.tx.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.id, id), this.liveSession(userId, now)))
      .returning();
    return row;
  }

  async revokeSessionsExcept(
    userId: number,
    keepDigest: string | null,
    now: number,
  ): Promise<number> {
    const rows = await this.tx.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(
        and(
          this.liveSession(userId, now),
          ...(keepDigest === null ? [] : [ne(apiTokens.tokenDigest, keepDigest)]),
        ),
      )
      .returning({ id: apiTokens.id });
    return rows.length;
  }
}
