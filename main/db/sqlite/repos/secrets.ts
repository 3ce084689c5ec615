import { and, asc, count, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type {
  HostOnOldSecret,
  SecretGeneration,
  SecretMatchRow,
  SecretsRepo,
} from '../../../features/organizations/secrets.repo';
import type { Db } from '../../database';
import { accounts, hosts, organizations } from '../../schema';

/** SEC-1..4 on SQLite. */
export class SqliteSecretsRepo implements SecretsRepo {
  // Every agent registration and legacy heartbeat looks an org up by secret: prepared once, and
  // as two single-index lookups (the current secret first) rather than one OR over both indexes.
  private readonly byCurrent;
  private readonly byPrevious;

  constructor(private readonly db: Db) {
    const digest = sql.placeholder('digest');
    const columns = {
      id: organizations.id,
      accountId: organizations.accountId,
      isActive: organizations.isActive,
      accountActive: accounts.isActive,
      digest: organizations.secretDigest,
      previous: organizations.previousSecretDigest,
      generation: organizations.secretGeneration,
      locationRevision: organizations.locationRevision,
    };
    this.byCurrent = db
      .select(columns)
      .from(organizations)
      .innerJoin(accounts, eq(accounts.id, organizations.accountId))
      .where(eq(organizations.secretDigest, digest))
      .limit(1)
      .prepare();
    this.byPrevious = db
      .select(columns)
      .from(organizations)
      .innerJoin(accounts, eq(accounts.id, organizations.accountId))
      .where(
        and(
          eq(organizations.previousSecretDigest, digest),
          gt(organizations.previousSecretExpiresAt, sql.placeholder('now')),
        ),
      )
      .limit(1)
      .prepare();
  }

  async ciphertextOf(orgId: number): Promise<Buffer> {
    return this.db
      .select({ box: organizations.secretCiphertext })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .get()!.box;
  }

  // SQLite's write transaction (BEGIN IMMEDIATE) already excludes every other writer.
  async currentDigest(orgId: number, _opts?: { forUpdate?: boolean }): Promise<string> {
    return this.db
      .select({ digest: organizations.secretDigest })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .get()!.digest;
  }

  async replaceSecret(
    orgId: number,
    next: { ciphertext: Buffer; digest: string },
    previous: { digest: string; expiresAt: number } | null,
    now: number,
  ): Promise<void> {
    this.db
      .update(organizations)
      .set({
        secretCiphertext: next.ciphertext,
        secretDigest: next.digest,
        previousSecretDigest: previous?.digest ?? null,
        previousSecretExpiresAt: previous?.expiresAt ?? null,
        secretRotatedAt: now,
        secretGeneration: sql`${organizations.secretGeneration} + 1`,
        updatedAt: now,
      })
      .where(eq(organizations.id, orgId))
      .run();
  }

  async generationOf(orgId: number): Promise<SecretGeneration> {
    return this.db
      .select({
        generation: organizations.secretGeneration,
        graceUntil: organizations.previousSecretExpiresAt,
      })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .get()!;
  }

  private legacy(orgId: number) {
    return and(eq(hosts.organizationId, orgId), eq(hosts.agentType, 'legacy'));
  }

  async legacyHostsOn(orgId: number, generation: number): Promise<number> {
    return this.db
      .select({ n: count() })
      .from(hosts)
      .where(and(this.legacy(orgId), eq(hosts.secretGeneration, generation)))
      .get()!.n;
  }

  async legacyHostsBefore(
    orgId: number,
    generation: number,
    limit: number,
  ): Promise<{ total: number; hosts: HostOnOldSecret[] }> {
    // Older generations and unknown ones (null) alike: not yet seen with the current secret.
    const stillOld = and(
      this.legacy(orgId),
      or(isNull(hosts.secretGeneration), lt(hosts.secretGeneration, generation)),
    );
    const total = this.db.select({ n: count() }).from(hosts).where(stillOld).get()!.n;
    const rows = this.db
      .select({
        id: hosts.id,
        hostname: hosts.hostname,
        ip: hosts.ip,
        lastSeenAt: hosts.lastSeenAt,
      })
      .from(hosts)
      .where(stillOld)
      .orderBy(sql`${hosts.hostname} COLLATE NOCASE`, asc(hosts.id))
      .limit(limit)
      .all();
    return { total, hosts: rows };
  }

  async matchSecretDigest(digest: string, now: number): Promise<SecretMatchRow | undefined> {
    return this.byCurrent.get({ digest }) ?? this.byPrevious.get({ digest, now });
  }
}
