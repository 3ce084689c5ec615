import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type {
  AgentHostValues,
  AgentsRepo,
  HostWithTenant,
} from '../../../features/agents/agents.repo';
import type { HostRow } from '../../../domain/rows';
import type { Db } from '../../database';
import { accounts, hosts, organizations } from '../../schema';

/**
 * AGT-1 and AGT-2 on SQLite. Every registration and heartbeat runs these: built and prepared
 * once, not per request. Async to fit the port, answering
 * with settled promises (see agents.repo.ts: they run inside agentBatch jobs).
 */
export class SqliteAgentsRepo implements AgentsRepo {
  private readonly q;
  private readonly steady;

  constructor(db: Db) {
    // better-sqlite3 directly: the highest-rate statement of the server, one row, no mapping.
    // The tenant's state is checked in the statement (two primary-key lookups), so the steady
    // state reads nothing else inside the batch; the trigger keeps the host counts exact.
    this.steady = db.$client.prepare<
      { id: number; now: number; signedAt: number; publicKey: string; ip: string | null },
      { location_id: number }
    >(
      `UPDATE hosts SET last_seen_at = :now, last_signed_at = :signedAt
       WHERE id = :id AND agent_type = 'go' AND public_key = :publicKey
         AND (last_signed_at IS NULL OR last_signed_at < :signedAt)
         AND (:ip IS NULL OR ip = :ip)
         AND EXISTS (SELECT 1 FROM organizations o JOIN accounts a ON a.id = o.account_id
                     WHERE o.id = hosts.organization_id AND o.is_active AND a.is_active)
       RETURNING location_id`,
    );
    const p = (name: string) => sql.placeholder(name);
    this.q = {
      byHostname: db
        .select()
        .from(hosts)
        .where(
          and(
            eq(hosts.organizationId, p('orgId')),
            // The unique folded key's own expression and predicate, so its index answers.
            sql`lower(${hosts.hostname}) = lower(${p('hostname')})`,
            isNull(hosts.duplicateOf),
          ),
        )
        .prepare(),
      byId: db
        .select()
        .from(hosts)
        .where(eq(hosts.id, p('id')))
        .prepare(),
      byIdWithTenant: db
        .select({
          host: hosts,
          orgActive: organizations.isActive,
          accountActive: accounts.isActive,
        })
        .from(hosts)
        .innerJoin(organizations, eq(organizations.id, hosts.organizationId))
        .innerJoin(accounts, eq(accounts.id, organizations.accountId))
        .where(eq(hosts.id, p('id')))
        .prepare(),
      byIdInOrg: db
        .select()
        .from(hosts)
        .where(and(eq(hosts.id, p('id')), eq(hosts.organizationId, p('orgId'))))
        .prepare(),
      insert: db
        .insert(hosts)
        .values({
          organizationId: p('organizationId'),
          locationId: p('locationId'),
          hostname: p('hostname'),
          ip: p('ip'),
          ipKey: p('ipKey'),
          agentType: p('agentType'),
          publicKey: p('publicKey'),
          registeredAt: p('now'),
          lastSeenAt: p('now'),
          secretGeneration: p('secretGeneration'),
        })
        // ON CONFLICT names the unique folded key by its columns and predicate. drizzle wraps a
        // single target in parentheses and has no WHERE for it in SQLite, hence the one SQL
        // chunk that closes and reopens them: `(organization_id, lower(hostname)) WHERE (…)`.
        .onConflictDoNothing({
          target: sql`organization_id, lower(hostname)) WHERE (duplicate_of IS NULL` as never,
        })
        .returning()
        .prepare(),
      // .set() takes SQL, not bare placeholders: hence sql`${p(...)}` below.
      reregister: db
        .update(hosts)
        .set({
          hostname: sql`${p('hostname')}`,
          ip: sql`${p('ip')}`,
          ipKey: sql`${p('ipKey')}`,
          agentType: sql`${p('agentType')}`,
          publicKey: sql`${p('publicKey')}`,
          locationId: sql`${p('locationId')}`,
          lastSeenAt: sql`${p('now')}`,
          secretGeneration: sql`${p('secretGeneration')}`,
        })
        .where(eq(hosts.id, p('id')))
        .returning()
        .prepare(),
      // A registration proof uses up its signed second like a heartbeat does.
      signedSecond: db
        .update(hosts)
        .set({ lastSignedAt: sql`${p('signedAt')}` })
        .where(
          and(
            eq(hosts.id, p('id')),
            or(isNull(hosts.lastSignedAt), lt(hosts.lastSignedAt, p('signedAt'))),
          ),
        )
        .prepare(),
      // A legacy heartbeat: last-seen and which secret generation it sent (SEC-3), one UPDATE.
      seen: db
        .update(hosts)
        .set({
          lastSeenAt: sql`${p('now')}`,
          secretGeneration: sql`${p('secretGeneration')}`,
        })
        .where(eq(hosts.id, p('id')))
        .prepare(),
      seenMoved: db
        .update(hosts)
        .set({
          lastSeenAt: sql`${p('now')}`,
          ip: sql`${p('ip')}`,
          ipKey: sql`${p('ipKey')}`,
          locationId: sql`${p('locationId')}`,
          secretGeneration: sql`${p('secretGeneration')}`,
        })
        .where(eq(hosts.id, p('id')))
        .prepare(),
      // AGT-2 replay protection: the check and the write are one statement, so two heartbeats
      // with the same timestamp cannot both pass, whatever instance or batch they arrive in.
      // Only the columns that change: SQLite rewrites the index entries of every column an
      // UPDATE sets, changed or not (ip_key and location_id have one each).
      seenSigned: db
        .update(hosts)
        .set({
          lastSeenAt: sql`${p('now')}`,
          lastSignedAt: sql`${p('signedAt')}`,
        })
        .where(
          and(
            eq(hosts.id, p('id')),
            or(isNull(hosts.lastSignedAt), lt(hosts.lastSignedAt, p('signedAt'))),
          ),
        )
        .prepare(),
      seenSignedMoved: db
        .update(hosts)
        .set({
          lastSeenAt: sql`${p('now')}`,
          lastSignedAt: sql`${p('signedAt')}`,
          ip: sql`${p('ip')}`,
          ipKey: sql`${p('ipKey')}`,
          locationId: sql`${p('locationId')}`,
        })
        .where(
          and(
            eq(hosts.id, p('id')),
            or(isNull(hosts.lastSignedAt), lt(hosts.lastSignedAt, p('signedAt'))),
          ),
        )
        .prepare(),
      accountOfOrg: db
        .select({ accountId: organizations.accountId })
        .from(organizations)
        .where(eq(organizations.id, p('orgId')))
        .prepare(),
      locationRevision: db
        .select({ revision: organizations.locationRevision })
        .from(organizations)
        .where(eq(organizations.id, p('orgId')))
        .prepare(),
    };
  }

  async hostByHostname(orgId: number, hostname: string): Promise<HostRow | undefined> {
    return this.q.byHostname.get({ orgId, hostname });
  }

  async hostById(hostId: number): Promise<HostRow | undefined> {
    return this.q.byId.get({ id: hostId });
  }

  async hostWithTenant(hostId: number): Promise<HostWithTenant | undefined> {
    return this.q.byIdWithTenant.get({ id: hostId });
  }

  async hostInOrg(hostId: number, orgId: number): Promise<HostRow | undefined> {
    return this.q.byIdInOrg.get({ id: hostId, orgId });
  }

  async insertHostIfAbsent(
    values: AgentHostValues & { organizationId: number; locationId: number },
  ): Promise<HostRow | undefined> {
    return this.q.insert.get({ ...values });
  }

  async reregisterHost(
    id: number,
    values: AgentHostValues & { locationId: number },
  ): Promise<HostRow> {
    return this.q.reregister.get({ ...values, id })!;
  }

  async useSignedSecond(hostId: number, signedAt: number): Promise<boolean> {
    return this.q.signedSecond.run({ id: hostId, signedAt }).changes > 0;
  }

  async seenLegacy(hostId: number, now: number, secretGeneration: number | null): Promise<void> {
    this.q.seen.run({ id: hostId, now, secretGeneration });
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
    this.q.seenMoved.run({ ...set, id: hostId });
  }

  async seenSigned(hostId: number, set: { now: number; signedAt: number }): Promise<boolean> {
    return this.q.seenSigned.run({ now: set.now, signedAt: set.signedAt, id: hostId }).changes > 0;
  }

  async seenSignedSteady(
    hostId: number,
    set: { now: number; signedAt: number; publicKey: string; ip: string | null },
  ): Promise<{ locationId: number } | undefined> {
    const row = this.steady.get({ ...set, id: hostId });
    return row ? { locationId: row.location_id } : undefined;
  }

  async seenSignedMoved(
    hostId: number,
    set: { now: number; signedAt: number; ip: string; ipKey: string | null; locationId: number },
  ): Promise<boolean> {
    return this.q.seenSignedMoved.run({ ...set, id: hostId }).changes > 0;
  }

  async accountOfOrg(orgId: number): Promise<number> {
    return this.q.accountOfOrg.get({ orgId })!.accountId;
  }

  async locationRevision(orgId: number): Promise<number> {
    return this.q.locationRevision.get({ orgId })?.revision ?? 0;
  }
}
