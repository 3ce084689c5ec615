import { and, eq, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type {
  AgentHostValues,
  AgentsRepo,
  HostWithTenant,
} from '../../../features/agents/agents.repo';
import type { HostRow } from '../../../domain/rows';
import { accounts, hosts, organizations } from '../schema';
import type { PgTx } from '../uow';
import { int8 } from './sql-helpers';

/**
 * Hosts with their tenant's state (HostWithTenant) where `where` holds: one host in a unit of
 * work, or a batch of them for the coalesced heartbeats (heartbeat-batcher.ts).
 */
export function hostsWithTenant(db: NodePgDatabase<Record<string, unknown>>, where: SQL) {
  return db
    .select({
      host: hosts,
      orgActive: organizations.isActive,
      accountActive: accounts.isActive,
    })
    .from(hosts)
    .innerJoin(organizations, eq(organizations.id, hosts.organizationId))
    .innerJoin(accounts, eq(accounts.id, organizations.accountId))
    .where(where);
}

/**
 * AGT-1 and AGT-2 on PostgreSQL: the SQLite adapter's statements. Registration's insert is INSERT … ON CONFLICT DO NOTHING on the unique folded key, so
 * two replicas registering one hostname insert one host; every heartbeat write is one
 * conditional UPDATE (`last_signed_at < $signedAt`), so a replayed signed heartbeat, on this
 * replica or another, changes nothing and answers false.
 */
export class PgAgentsRepo implements AgentsRepo {
  constructor(private readonly tx: PgTx) {}

  async hostByHostname(orgId: number, hostname: string): Promise<HostRow | undefined> {
    const [row] = await this.tx.db
      .select()
      .from(hosts)
      .where(
        and(
          eq(hosts.organizationId, orgId),
          // The unique folded key's own expression and predicate, so its index answers. lower()
          // folds ASCII only, as SQLite's does, under "C" alone: a bare parameter takes the
          // database's collation (C.UTF-8 folds É to é), hence its COLLATE "C".
          sql`lower(${hosts.hostname}) = lower(${hostname}::text COLLATE "C")`,
          isNull(hosts.duplicateOf),
        ),
      );
    return row;
  }

  async hostById(hostId: number): Promise<HostRow | undefined> {
    const [row] = await this.tx.db.select().from(hosts).where(eq(hosts.id, hostId));
    return row;
  }

  async hostWithTenant(hostId: number): Promise<HostWithTenant | undefined> {
    const [row] = await hostsWithTenant(this.tx.db, eq(hosts.id, hostId));
    return row;
  }

  async hostInOrg(hostId: number, orgId: number): Promise<HostRow | undefined> {
    const [row] = await this.tx.db
      .select()
      .from(hosts)
      .where(and(eq(hosts.id, hostId), eq(hosts.organizationId, orgId)));
    return row;
  }

  async insertHostIfAbsent(
    values: AgentHostValues & { organizationId: number; locationId: number },
  ): Promise<HostRow | undefined> {
    // Raw: the conflict target is the unique index's expression and predicate, which pg-core's
    // onConflictDoNothing cannot spell (it takes columns). The row is then read by its id.
    const { rows } = await this.tx.query<{ id: string | number }>(
      `INSERT INTO hosts (organization_id, location_id, hostname, ip, ip_key, agent_type,
                          public_key, registered_at, last_seen_at, secret_generation)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)
       ON CONFLICT (organization_id, lower(hostname)) WHERE duplicate_of IS NULL DO NOTHING
       RETURNING id`,
      [
        values.organizationId,
        values.locationId,
        values.hostname,
        values.ip,
        values.ipKey,
        values.agentType,
        values.publicKey,
        values.now,
        values.secretGeneration,
      ],
    );
    if (rows.length === 0) return undefined;
    return this.hostById(int8(rows[0]!.id));
  }

  async reregisterHost(
    id: number,
    values: AgentHostValues & { locationId: number },
  ): Promise<HostRow> {
    const [row] = await this.tx.db
      .update(hosts)
      .set({
        hostname: values.hostname,
        ip: values.ip,
        ipKey: values.ipKey,
        agentType: values.agentType,
        publicKey: values.publicKey,
        locationId: values.locationId,
        lastSeenAt: values.now,
        secretGeneration: values.secretGeneration,
      })
      .where(eq(hosts.id, id))
      .returning();
    return row!;
  }

  private later(signedAt: number) {
    return or(isNull(hosts.lastSignedAt), lt(hosts.lastSignedAt, signedAt));
  }

  async useSignedSecond(hostId: number, signedAt: number): Promise<boolean> {
    const rows = await this.tx.db
      .update(hosts)
      .set({ lastSignedAt: signedAt })
      .where(and(eq(hosts.id, hostId), this.later(signedAt)))
      .returning({ id: hosts.id });
    return rows.length > 0;
  }

  async seenLegacy(hostId: number, now: number, secretGeneration: number | null): Promise<void> {
    await this.tx.db
      .update(hosts)
      .set({ lastSeenAt: now, secretGeneration })
      .where(eq(hosts.id, hostId));
  }

  async seenLegacyMoved(
    hostId: number,
    set: {
      now: number;
      ip: string;
      ipKey: string | null;
      locationId: number;
      secretGeneration: number | null;
    },
  ): Promise<void> {
    await this.tx.db
      .update(hosts)
      .set({
        lastSeenAt: set.now,
        ip: set.ip,
        ipKey: set.ipKey,
        locationId: set.locationId,
        secretGeneration: set.secretGeneration,
      })
      .where(eq(hosts.id, hostId));
  }

  // AGT-2 replay protection: the check and the write are one statement, so two heartbeats with
  // the same timestamp cannot both pass, whatever replica or transaction they arrive in.
  async seenSigned(hostId: number, set: { now: number; signedAt: number }): Promise<boolean> {
    const rows = await this.tx.db
      .update(hosts)
      .set({ lastSeenAt: set.now, lastSignedAt: set.signedAt })
      .where(and(eq(hosts.id, hostId), this.later(set.signedAt)))
      .returning({ id: hosts.id });
    return rows.length > 0;
  }

  async seenSignedSteady(
    hostId: number,
    set: { now: number; signedAt: number; publicKey: string; ip: string | null },
  ): Promise<{ locationId: number } | undefined> {
    const rows = await this.tx.db
      .update(hosts)
      .set({ lastSeenAt: set.now, lastSignedAt: set.signedAt })
      .where(
        and(
          eq(hosts.id, hostId),
          eq(hosts.agentType, 'go'),
          eq(hosts.publicKey, set.publicKey),
          this.later(set.signedAt),
          set.ip === null ? undefined : eq(hosts.ip, set.ip),
          sql`EXISTS (SELECT 1 FROM ${organizations} o JOIN ${accounts} a ON a.id = o.account_id
                      WHERE o.id = ${hosts.organizationId} AND o.is_active AND a.is_active)`,
        ),
      )
      .returning({ locationId: hosts.locationId });
    return rows[0];
  }

  async seenSignedMoved(
    hostId: number,
    set: { now: number; signedAt: number; ip: string; ipKey: string | null; locationId: number },
  ): Promise<boolean> {
    const rows = await this.tx.db
      .update(hosts)
      .set({
        lastSeenAt: set.now,
        lastSignedAt: set.signedAt,
        ip: set.ip,
        ipKey: set.ipKey,
        locationId: set.locationId,
      })
      .where(and(eq(hosts.id, hostId), this.later(set.signedAt)))
      .returning({ id: hosts.id });
    return rows.length > 0;
  }

  async accountOfOrg(orgId: number): Promise<number> {
    const [row] = await this.tx.db
      .select({ accountId: organizations.accountId })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    return row!.accountId;
  }

  async locationRevision(orgId: number): Promise<number> {
    const [row] = await this.tx.db
      .select({ revision: organizations.locationRevision })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    return row?.revision ?? 0;
  }
}
