import { and, asc, count, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso, type Clock } from '../../core/clock';
import { constantTimeEqual, type SecretBox } from '../../core/crypto';
import type { Db } from '../../db/database';
import { accounts, hosts, organizations } from '../../db/schema';
import { SECRET_USAGE_HOST_LIMIT } from '../../../shared/constants';
import {
  regenerateSecretInput,
  type AgentConfig,
  type RegeneratedSecret,
  type RevealedSecret,
  type SecretUsage,
} from '../../../shared/schemas/organizations.schema';
import type { z } from 'zod';
import { secretAad } from './organizations.service';

export interface SecretsDeps {
  db: Db;
  clock: Clock;
  box: SecretBox;
  access: SyncAccess;
  audit: AuditLog;
}

const HOUR = 60 * 60 * 1000;

/** SEC-1..4: the org secret is revealed, rotated and matched only here. */
export class SecretsService {
  // Every agent registration and legacy heartbeat looks an org up by secret: prepared once, and
  // as two single-index lookups (the current secret first) rather than one OR over both indexes.
  private readonly byCurrent;
  private readonly byPrevious;

  constructor(private readonly d: SecretsDeps) {
    const digest = sql.placeholder('digest');
    const columns = {
      id: organizations.id,
      accountId: organizations.accountId,
      isActive: organizations.isActive,
      accountActive: accounts.isActive,
      digest: organizations.secretDigest,
      previous: organizations.previousSecretDigest,
      generation: organizations.secretGeneration,
    };
    this.byCurrent = d.db
      .select(columns)
      .from(organizations)
      .innerJoin(accounts, eq(accounts.id, organizations.accountId))
      .where(eq(organizations.secretDigest, digest))
      .limit(1)
      .prepare();
    this.byPrevious = d.db
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

  private decrypt(orgId: number): string {
    const row = this.d.db
      .select({ box: organizations.secretCiphertext })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .get()!;
    return this.d.box.decrypt(row.box, secretAad(orgId));
  }

  /** SEC-2: every reveal is audited (without the value). */
  reveal(actor: Actor, orgId: number): RevealedSecret {
    return this.handOut(actor, orgId, 'organization.secret.revealed');
  }

  /**
   * SEC-2: the console's Copy. Its own audit entry, not a reveal's: the secret went to the
   * clipboard without being shown, and the panel promises every copy is recorded.
   */
  copy(actor: Actor, orgId: number): RevealedSecret {
    return this.handOut(actor, orgId, 'organization.secret.copied');
  }

  private handOut(
    actor: Actor,
    orgId: number,
    action: 'organization.secret.revealed' | 'organization.secret.copied',
  ): RevealedSecret {
    const ref = this.d.access.requireOrg(actor, orgId, 'organizations.edit');
    const secret = this.decrypt(orgId);
    this.d.audit.record(actor, {
      accountId: ref.accountId,
      organizationId: orgId,
      action,
      targetType: 'organization',
      targetId: orgId,
    });
    return { secret };
  }

  /** SEC-3: a new secret; the old one keeps working only during the optional grace window. */
  regenerate(actor: Actor, raw: z.input<typeof regenerateSecretInput>): RegeneratedSecret {
    const input = regenerateSecretInput.parse(raw);
    const ref = this.d.access.requireOrg(actor, input.id, 'organizations.edit');
    const now = this.d.clock.now();
    const secret = this.d.box.newOrgSecret();
    const graceUntil = input.grace_period_hours > 0 ? now + input.grace_period_hours * HOUR : null;
    this.d.db.transaction(() => {
      const current = this.d.db
        .select({ digest: organizations.secretDigest })
        .from(organizations)
        .where(eq(organizations.id, input.id))
        .get()!;
      this.d.db
        .update(organizations)
        .set({
          secretCiphertext: this.d.box.encrypt(secret, secretAad(input.id)),
          secretDigest: this.d.box.secretDigest(secret),
          previousSecretDigest: graceUntil ? current.digest : null,
          previousSecretExpiresAt: graceUntil,
          secretRotatedAt: now,
          secretGeneration: sql`${organizations.secretGeneration} + 1`,
          updatedAt: now,
        })
        .where(eq(organizations.id, input.id))
        .run();
      this.d.audit.record(actor, {
        accountId: ref.accountId,
        organizationId: input.id,
        action: 'organization.secret.regenerated',
        targetType: 'organization',
        targetId: input.id,
        details: { grace_period_hours: input.grace_period_hours },
      });
    });
    return { secret, previous_secret_valid_until: graceUntil === null ? null : iso(graceUntil) };
  }

  /**
   * SEC-3: how many legacy agents use the current secret (what a regeneration cuts off), and
   * while a grace period runs, which legacy hosts have not been seen with the current one yet.
   * Only legacy agents count: Go agents sign with their own key after enrolling.
   */
  usage(actor: Actor, orgId: number): SecretUsage {
    this.d.access.requireOrg(actor, orgId);
    const org = this.d.db
      .select({
        generation: organizations.secretGeneration,
        graceUntil: organizations.previousSecretExpiresAt,
      })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .get()!;
    const legacy = and(eq(hosts.organizationId, orgId), eq(hosts.agentType, 'legacy'));
    const onCurrent = eq(hosts.secretGeneration, org.generation);
    const current = this.d.db
      .select({ n: count() })
      .from(hosts)
      .where(and(legacy, onCurrent))
      .get()!.n;
    const now = this.d.clock.now();
    if (org.graceUntil === null || org.graceUntil <= now) {
      return { legacy_hosts_on_current: current, grace: null };
    }
    // Older generations and unknown ones (null) alike: not yet seen with the current secret.
    const stillOld = and(
      legacy,
      or(isNull(hosts.secretGeneration), lt(hosts.secretGeneration, org.generation)),
    );
    const total = this.d.db.select({ n: count() }).from(hosts).where(stillOld).get()!.n;
    const rows = this.d.db
      .select({
        id: hosts.id,
        hostname: hosts.hostname,
        ip: hosts.ip,
        lastSeenAt: hosts.lastSeenAt,
      })
      .from(hosts)
      .where(stillOld)
      .orderBy(sql`${hosts.hostname} COLLATE NOCASE`, asc(hosts.id))
      .limit(SECRET_USAGE_HOST_LIMIT)
      .all();
    return {
      legacy_hosts_on_current: current,
      grace: {
        previous_secret_valid_until: iso(org.graceUntil),
        hosts_on_previous_total: total,
        hosts_on_previous: rows.map((r) => ({
          id: r.id,
          hostname: r.hostname,
          ip: r.ip,
          last_seen_at: r.lastSeenAt === null ? null : iso(r.lastSeenAt),
        })),
      },
    };
  }

  /** SEC-4: server URL and secret as a file for installer builds; audited like a reveal. */
  agentConfig(actor: Actor, orgId: number, serverUrl: string): AgentConfig {
    const ref = this.d.access.requireOrg(actor, orgId, 'organizations.edit');
    const secret = this.decrypt(orgId);
    this.d.audit.record(actor, {
      accountId: ref.accountId,
      organizationId: orgId,
      action: 'organization.agent_config.downloaded',
      targetType: 'organization',
      targetId: orgId,
    });
    const slug =
      ref.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || `org-${orgId}`;
    return {
      filename: `orgdesk-agent-${slug}.json`,
      content:
        JSON.stringify(
          { server_url: serverUrl, organization_id: orgId, organization_secret: secret },
          null,
          2,
        ) + '\n',
    };
  }

  /**
   * AGT-1: which org this secret enrolls into, or null. Found by keyed digest, then confirmed in
   * constant time; the previous secret counts only inside its grace window. Whether the org and
   * its account are active is the caller's to enforce (AGT-2: their agents are refused).
   */
  findOrgBySecret(presented: string): {
    id: number;
    accountId: number;
    isActive: boolean;
    accountActive: boolean;
    /** SEC-3: the generation of the secret presented (the previous one is one less). */
    secretGeneration: number;
  } | null {
    const digest = this.d.box.secretDigest(presented);
    const row =
      this.byCurrent.get({ digest }) ?? this.byPrevious.get({ digest, now: this.d.clock.now() });
    if (!row) return null;
    const current = constantTimeEqual(row.digest, digest);
    const previous = row.previous !== null && constantTimeEqual(row.previous, digest);
    if (!current && !previous) return null;
    return {
      id: row.id,
      accountId: row.accountId,
      isActive: row.isActive,
      accountActive: row.accountActive,
      secretGeneration: current ? row.generation : row.generation - 1,
    };
  }
}
