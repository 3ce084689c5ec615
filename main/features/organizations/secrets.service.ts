import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import { constantTimeEqual, type SecretBox } from '../../core/crypto';
import type { Repos, Uow } from '../../repos';
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
  uow: Uow;
  clock: Clock;
  box: SecretBox;
  access: AccessService;
}

/** AGT-1: the org a presented secret enrolls into (see SecretsService.matchSecret). */
export interface SecretMatch {
  id: number;
  accountId: number;
  isActive: boolean;
  accountActive: boolean;
  /** SEC-3: the generation of the secret presented (the previous one is one less). */
  secretGeneration: number;
  /** LOC-3: the org's location revision when the secret was matched. */
  locationRevision: number;
}

const HOUR = 60 * 60 * 1000;

/** SEC-1..4: the org secret is revealed, rotated and matched only here. */
export class SecretsService {
  constructor(private readonly d: SecretsDeps) {}

  /** SEC-2: every reveal is audited (without the value). */
  async reveal(actor: Actor, orgId: number): Promise<RevealedSecret> {
    return this.handOut(actor, orgId, 'organization.secret.revealed');
  }

  /**
   * SEC-2: the console's Copy. Its own audit entry, not a reveal's: the secret went to the
   * clipboard without being shown, and the panel promises every copy is recorded.
   */
  async copy(actor: Actor, orgId: number): Promise<RevealedSecret> {
    return this.handOut(actor, orgId, 'organization.secret.copied');
  }

  private async handOut(
    actor: Actor,
    orgId: number,
    action: 'organization.secret.revealed' | 'organization.secret.copied',
  ): Promise<RevealedSecret> {
    // The check, the decryption and the audit entry in one transaction: a secret is handed out
    // only with its entry committed (a failed decryption leaves none).
    return this.d.uow.write(async (r) => {
      const ref = await this.d.access.requireOrg(r, actor, orgId, 'organizations.edit');
      const secret = this.d.box.decrypt(await r.secrets.ciphertextOf(orgId), secretAad(orgId));
      await r.audit.record(actor, {
        accountId: ref.accountId,
        organizationId: orgId,
        action,
        targetType: 'organization',
        targetId: orgId,
      });
      return { secret };
    });
  }

  /** SEC-3: a new secret; the old one keeps working only during the optional grace window. */
  async regenerate(
    actor: Actor,
    raw: z.input<typeof regenerateSecretInput>,
  ): Promise<RegeneratedSecret> {
    const input = regenerateSecretInput.parse(raw);
    const now = this.d.clock.now();
    const secret = this.d.box.newOrgSecret();
    const next = {
      ciphertext: this.d.box.encrypt(secret, secretAad(input.id)),
      digest: this.d.box.secretDigest(secret),
    };
    const graceUntil = input.grace_period_hours > 0 ? now + input.grace_period_hours * HOUR : null;
    await this.d.uow.write(async (r) => {
      const ref = await this.d.access.requireOrg(r, actor, input.id, 'organizations.edit');
      const current = await r.secrets.currentDigest(input.id, { forUpdate: true });
      await r.secrets.replaceSecret(
        input.id,
        next,
        graceUntil ? { digest: current, expiresAt: graceUntil } : null,
        now,
      );
      await r.audit.record(actor, {
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
   * Only legacy agents count: Go agents sign with their own key after enrolling. One read: the
   * counts and the list agree.
   */
  async usage(actor: Actor, orgId: number): Promise<SecretUsage> {
    const now = this.d.clock.now();
    return this.d.uow.read(async (r) => {
      await this.d.access.requireOrg(r, actor, orgId);
      const org = await r.secrets.generationOf(orgId);
      const current = await r.secrets.legacyHostsOn(orgId, org.generation);
      if (org.graceUntil === null || org.graceUntil <= now) {
        return { legacy_hosts_on_current: current, grace: null };
      }
      const old = await r.secrets.legacyHostsBefore(orgId, org.generation, SECRET_USAGE_HOST_LIMIT);
      return {
        legacy_hosts_on_current: current,
        grace: {
          previous_secret_valid_until: iso(org.graceUntil),
          hosts_on_previous_total: old.total,
          hosts_on_previous: old.hosts.map((h) => ({
            id: h.id,
            hostname: h.hostname,
            ip: h.ip,
            last_seen_at: h.lastSeenAt === null ? null : iso(h.lastSeenAt),
          })),
        },
      };
    });
  }

  /** SEC-4: server URL and secret as a file for installer builds; audited like a reveal. */
  async agentConfig(actor: Actor, orgId: number, serverUrl: string): Promise<AgentConfig> {
    const { ref, secret } = await this.d.uow.write(async (r) => {
      const ref = await this.d.access.requireOrg(r, actor, orgId, 'organizations.edit');
      const secret = this.d.box.decrypt(await r.secrets.ciphertextOf(orgId), secretAad(orgId));
      await r.audit.record(actor, {
        accountId: ref.accountId,
        organizationId: orgId,
        action: 'organization.agent_config.downloaded',
        targetType: 'organization',
        targetId: orgId,
      });
      return { ref, secret };
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
   *
   * Over the caller's `r`: the agents call it inside their `uow.agentBatch` jobs.
   */
  async matchSecret(r: Pick<Repos, 'secrets'>, presented: string): Promise<SecretMatch | null> {
    const digest = this.d.box.secretDigest(presented);
    const row = await r.secrets.matchSecretDigest(digest, this.d.clock.now());
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
      locationRevision: row.locationRevision,
    };
  }

  /** matchSecret in a read of its own (tests, tools). */
  async findOrgBySecret(presented: string): Promise<SecretMatch | null> {
    return this.d.uow.read((r) => this.matchSecret(r, presented));
  }
}
