import { and, asc, count, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type {
  HostOnOldSecret,
  SecretGeneration,
  SecretMatchRow,
  SecretsRepo,
} from '../../../features/organizations/secrets.repo';
import { accounts, hosts, organizations } from '../schema';
import { lockRow } from './sql-helpers';

const matchColumns = {
  id: organizations.id,
  accountId: organizations.accountId,
  isActive: organizations.isActive,
  accountActive: accounts.isActive,
  digest: organizations.secretDigest,
  previous: organizations.previousSecretDigest,
  generation: organizations.secretGeneration,
  locationRevision: organizations.locationRevision,
};

/** SEC-1..4 on PostgreSQL: the SQLite adapter's queries, async. */
export class PgSecretsRepo implements SecretsRepo {
  constructor(
    private readonly db: NodePgDatabase,
    /** A read's (PgTx.readOnly): `{ forUpdate }` then takes no lock (lockRow). */
    private readonly readOnly = false,
  ) {}

  async ciphertextOf(orgId: number): Promise<Buffer> {
    const [row] = await this.db
      .select({ box: organizations.secretCiphertext })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    return row!.box;
  }

  async currentDigest(orgId: number, opts?: { forUpdate?: boolean }): Promise<string> {
    const q = this.db
      .select({ digest: organizations.secretDigest })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    const [row] = lockRow(this.readOnly, opts) ? await q.for('update') : await q;
    return row!.digest;
  }

  async replaceSecret(
    orgId: number,
    next: { ciphertext: Buffer; digest: string },
    previous: { digest: string; expiresAt: number } | null,
    now: number,
  ): Promise<void> {
    await this.db
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
      .where(eq(organizations.id, orgId));
  }

  async generationOf(orgId: number): Promise<SecretGeneration> {
    const [row] = await this.db
      .select({
        generation: organizations.secretGeneration,
        graceUntil: organizations.previousSecretExpiresAt,
      })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    return row!;
  }

  private legacy(orgId: number) {
    return and(eq(hosts.organizationId, orgId), eq(hosts.agentType, 'legacy'));
  }

  async legacyHostsOn(orgId: number, generation: number): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(hosts)
      .where(and(this.legacy(orgId), eq(hosts.secretGeneration, generation)));
    return row!.n;
  }

  async legacyHostsBefore(
    orgId: number,
    generation: number,
    limit: number,
  ): Promise<{ total: number; hosts: HostOnOldSecret[] }> {
    const stillOld = and(
      this.legacy(orgId),
      or(isNull(hosts.secretGeneration), lt(hosts.secretGeneration, generation)),
    );
    const [counted] = await this.db.select({ n: count() }).from(hosts).where(stillOld);
    const rows = await this.db
      .select({
        id: hosts.id,
        hostname: hosts.hostname,
        ip: hosts.ip,
        lastSeenAt: hosts.lastSeenAt,
      })
      .from(hosts)
      .where(stillOld)
      // SQLite's `hostname COLLATE NOCASE`: ASCII folding, as lower() under "C".
      .orderBy(sql`lower(${hosts.hostname})`, asc(hosts.id))
      .limit(limit);
    return { total: counted!.n, hosts: rows };
  }

  async matchSecretDigest(digest: string, now: number): Promise<SecretMatchRow | undefined> {
    const base = () =>
      this.db
        .select(matchColumns)
        .from(organizations)
        .innerJoin(accounts, eq(accounts.id, organizations.accountId));
    const [current] = await base().where(eq(organizations.secretDigest, digest)).limit(1);
    if (current) return current;
    const [previous] = await base()
      .where(
        and(
          eq(organizations.previousSecretDigest, digest),
          gt(organizations.previousSecretExpiresAt, now),
        ),
      )
      .orderBy(asc(organizations.id))
      .limit(1);
    return previous;
  }
}
