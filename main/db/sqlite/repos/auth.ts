import { and, desc, eq, gt, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { ApiTokenRow } from '../../../domain/rows';
import type {
  AuthRepo,
  NewToken,
  TokenWithUser,
  UserWithAccount,
} from '../../../features/auth/auth.repo';
import type { Db } from '../../database';
import { accounts, apiTokens, passkeys, users, userTotp } from '../../schema';

const p = (name: string) => sql.placeholder(name);

/** The user's columns with what their account and second factor say (IDN-1). */
const withAccount = {
  accountActive: accounts.isActive,
  requireMfa: accounts.requireMfa,
  totpConfirmedAt: userTotp.confirmedAt,
  // IDN-2: a passkey is a second factor as much as a confirmed TOTP secret is.
  passkeyCount: sql<number>`(SELECT count(*) FROM ${passkeys} WHERE ${passkeys.userId} = ${users.id})`,
};

/**
 * Sign-in, sessions and tokens on SQLite: the SQL AuthService ran before issue 14, unchanged.
 * The per-request path's statements (a token with its user, the last-use touch, a user by id)
 * run on every request: prepared once per connection.
 */
export class SqliteAuthRepo implements AuthRepo {
  private readonly byEmailStmt;
  private readonly personalStmt;
  private readonly tokenStmt;
  private readonly touchStmt;
  private readonly userStmt;

  constructor(private readonly db: Db) {
    this.byEmailStmt = db
      .select({ user: users, ...withAccount })
      .from(users)
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .leftJoin(userTotp, eq(userTotp.userId, users.id))
      .where(eq(users.emailKey, p('emailKey')))
      .prepare();
    this.personalStmt = db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, p('userId')), eq(apiTokens.kind, 'personal')))
      .orderBy(desc(apiTokens.id))
      .prepare();
    this.tokenStmt = db
      .select({ token: apiTokens, user: users, ...withAccount })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .leftJoin(userTotp, eq(userTotp.userId, users.id))
      .where(eq(apiTokens.tokenDigest, p('digest')))
      .prepare();
    this.touchStmt = db
      .update(apiTokens)
      .set({ lastUsedAt: sql`${p('now')}` })
      .where(
        and(
          eq(apiTokens.id, p('id')),
          or(isNull(apiTokens.lastUsedAt), lte(apiTokens.lastUsedAt, p('notAfter'))),
        ),
      )
      .prepare();
    this.userStmt = db
      .select({ user: users, ...withAccount })
      .from(users)
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .leftJoin(userTotp, eq(userTotp.userId, users.id))
      .where(eq(users.id, p('id')))
      .prepare();
  }

  async tokenByDigest(digest: string): Promise<TokenWithUser | undefined> {
    return this.tokenStmt.get({ digest });
  }

  async touchToken(id: number, now: number, notAfter: number): Promise<void> {
    this.touchStmt.run({ id, now, notAfter });
  }

  async userById(id: number): Promise<UserWithAccount | undefined> {
    return this.userStmt.get({ id });
  }

  async userByEmailKey(emailKey: string): Promise<UserWithAccount | undefined> {
    return this.byEmailStmt.get({ emailKey });
  }

  async insertToken(values: NewToken): Promise<ApiTokenRow> {
    return this.db.insert(apiTokens).values(values).returning().get();
  }

  async revokeOwnByDigest(digest: string, userId: number, now: number): Promise<void> {
    this.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.tokenDigest, digest), eq(apiTokens.userId, userId)))
      .run();
  }

  async personalTokensOf(userId: number): Promise<ApiTokenRow[]> {
    return this.personalStmt.all({ userId });
  }

  async revokeOwn(id: number, userId: number, now: number): Promise<ApiTokenRow | undefined> {
    return this.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .returning()
      .get();
  }

  async byDigest(digest: string): Promise<ApiTokenRow | undefined> {
    return this.db.select().from(apiTokens).where(eq(apiTokens.tokenDigest, digest)).get();
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
    return this.db
      .select()
      .from(apiTokens)
      .where(this.liveSession(userId, now))
      .orderBy(desc(apiTokens.id))
      .all();
  }

  async revokeOwnSession(
    id: number,
    userId: number,
    now: number,
  ): Promise<ApiTokenRow | undefined> {
    return this.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.id, id), this.liveSession(userId, now)))
      .returning()
      .get();
  }

  async revokeSessionsExcept(
    userId: number,
    keepDigest: string | null,
    now: number,
  ): Promise<number> {
    return this.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(
        and(
          this.liveSession(userId, now),
          ...(keepDigest === null ? [] : [ne(apiTokens.tokenDigest, keepDigest)]),
        ),
      )
      .run().changes;
  }
}
