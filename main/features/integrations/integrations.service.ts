import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { iso, isoOrNull, type Clock } from '../../core/clock';
import { randomToken, type SecretBox } from '../../core/crypto';
import { badRequest, notFound } from '../../core/errors';
import type { IntegrationDestinationRow } from '../../domain/rows';
import type { Repos, Uow } from '../../repos';
import type { DestinationKind } from '../../../shared/integrations';
import {
  createDestinationInput,
  deliveriesInput,
  destinationIdInput,
  redeliverInput,
  updateDestinationInput,
  type CreateDestinationInput,
  type CreatedDestination,
  type DeliveriesInput,
  type Delivery,
  type Destination,
  type TestResult,
  type UpdateDestinationInput,
} from '../../../shared/schemas/integrations.schema';
import type { Page } from '../../../shared/schemas/common.schema';
import { parseDestinationUrl } from './destination-url';
import type { DestinationCounts, DestinationPatch, DeliveryRow } from './integrations.repo';
import { webhookSecretAad, type OutboxDrainer } from './outbox-drainer';

export interface IntegrationsDeps {
  uow: Uow;
  clock: Clock;
  access: AccessService;
  box: SecretBox;
  drainer: OutboxDrainer;
  allowPrivate: boolean;
}

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

const toDestination = (d: IntegrationDestinationRow, c: DestinationCounts): Destination => ({
  id: d.id,
  kind: d.kind as DestinationKind,
  name: d.name,
  url: d.url,
  events: d.events === null ? null : (JSON.parse(d.events) as string[]),
  ca_pem: d.caPem,
  has_secret: d.secretCiphertext !== null,
  enabled: d.enabled,
  disabled_reason: d.disabledReason,
  status: {
    last_delivered_at: isoOrNull(d.lastDeliveredAt),
    backlog: c.backlog,
    dead: c.dead,
    last_error: d.lastError,
    last_error_at: isoOrNull(d.lastErrorAt),
    failures: d.failures,
    next_attempt_at: d.failures > 0 ? iso(d.nextAttemptAt) : null,
  },
  created_at: iso(d.createdAt),
  updated_at: iso(d.updatedAt),
});

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  destination_id: r.destinationId,
  audit_entry_id: r.auditEntryId,
  event: r.action,
  sequence: r.seq,
  status: r.status as Delivery['status'],
  attempts: r.attempts,
  created_at: iso(r.createdAt),
  last_attempt_at: isoOrNull(r.lastAttemptAt),
  delivered_at: isoOrNull(r.deliveredAt),
  last_error: r.lastError,
  response_status: r.responseStatus,
});

/**
 * What an audit entry says about a destination: its kind and where it points, never the URL's
 * path or query (a receiver's token often lives there) and never the secret.
 */
const described = (kind: string, url: string) => {
  try {
    const u = new URL(url);
    return { kind, endpoint: `${u.protocol}//${u.host}` };
  } catch {
    return { kind };
  }
};

/**
 * INT-1/INT-2: an account's forwarding destinations. Account admins only (settings.manage): a
 * destination receives the whole account's audit trail. Each use case is one unit of work; the
 * test send runs after its read committed.
 */
export class IntegrationsService {
  constructor(private readonly d: IntegrationsDeps) {}

  /**
   * The actor's destination, locked in a write (each write here changes it or its deliveries).
   * In a read the unit of work itself says not to lock (PgTx.readOnly, repos/sql-helpers.ts
   * lockRow: PostgreSQL refuses FOR UPDATE in a READ ONLY transaction), so callers pass no flag.
   */
  private async mine(r: Repos, actor: Actor, id: number) {
    const accountId = await this.d.access.requireAccount(r, actor, 'settings.manage');
    const dest = await r.integrations.get(accountId, id, { forUpdate: true });
    if (!dest) throw notFound('Destination', id);
    return dest;
  }

  private async answer(r: Repos, d: IntegrationDestinationRow): Promise<Destination> {
    const counts = await r.integrations.counts([d.id]);
    return toDestination(d, counts.get(d.id)!);
  }

  /** The kind's URL and CA rules, with errors naming the field. */
  private checkTarget(kind: DestinationKind, url: string, caPem: string | null): void {
    const target = parseDestinationUrl(kind, url, this.d.allowPrivate);
    if (caPem !== null && target.transport !== 'tls') {
      throw badRequest('ca_pem is only for syslog over TLS (a tls:// url): leave it out', 'ca_pem');
    }
  }

  async list(actor: Actor): Promise<Destination[]> {
    return this.d.uow.read(async (r) => {
      const accountId = await this.d.access.requireAccount(r, actor, 'settings.manage');
      const rows = await r.integrations.ofAccount(accountId);
      const counts = await r.integrations.counts(rows.map((d) => d.id));
      return rows.map((d) => toDestination(d, counts.get(d.id)!));
    });
  }

  async create(actor: Actor, raw: CreateDestinationInput): Promise<CreatedDestination> {
    const input = createDestinationInput.parse(raw);
    const caPem = input.ca_pem ?? null;
    this.checkTarget(input.kind, input.url, caPem);
    const secret = input.kind === 'webhook' ? randomToken(WEBHOOK_SECRET_PREFIX, 32) : null;
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const accountId = await this.d.access.requireAccount(r, actor, 'settings.manage');
      let row = await r.integrations.insert({
        accountId,
        kind: input.kind,
        name: input.name ?? new URL(input.url).host,
        url: input.url,
        events: input.events ? JSON.stringify(input.events) : null,
        caPem,
        secretCiphertext: null,
        now,
      });
      if (secret !== null) {
        // Sealed under an AAD naming the destination, which needs its id: set right after.
        const sealed = this.d.box.encrypt(secret, webhookSecretAad(accountId, row.id));
        row = await r.integrations.update(
          row.id,
          { secretCiphertext: sealed.toString('base64') },
          now,
        );
      }
      await r.audit.record(actor, {
        accountId,
        action: 'integration.created',
        targetType: 'integration',
        targetId: row.id,
        details: { ...described(row.kind, row.url), events: input.events ?? null },
      });
      return { ...(await this.answer(r, row)), secret };
    });
  }

  async update(actor: Actor, raw: UpdateDestinationInput): Promise<Destination> {
    const input = updateDestinationInput.parse(raw);
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const dest = await this.mine(r, actor, input.id);
      const p = input.patch;
      const url = p.url ?? dest.url;
      const caPem = p.ca_pem === undefined ? dest.caPem : p.ca_pem;
      this.checkTarget(dest.kind as DestinationKind, url, caPem);
      const patch: DestinationPatch = {
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.url !== undefined ? { url: p.url } : {}),
        ...(p.events !== undefined ? { events: p.events ? JSON.stringify(p.events) : null } : {}),
        ...(p.ca_pem !== undefined ? { caPem: p.ca_pem } : {}),
        ...(p.enabled !== undefined ? { enabled: p.enabled, disabledReason: null } : {}),
        // Turned on again (or pointed elsewhere): the backoff of the old failures no longer holds.
        ...(p.enabled === true || p.url !== undefined ? { failures: 0, nextAttemptAt: 0 } : {}),
      };
      const row = await r.integrations.update(dest.id, patch, now);
      await r.audit.record(actor, {
        accountId: dest.accountId,
        action: 'integration.updated',
        targetType: 'integration',
        targetId: dest.id,
        details: {
          ...described(row.kind, row.url),
          changed: Object.keys(p).sort(),
          ...(p.enabled !== undefined ? { enabled: { from: dest.enabled, to: p.enabled } } : {}),
        },
      });
      return this.answer(r, row);
    });
  }

  async remove(actor: Actor, raw: { id: number }): Promise<{ deleted: true }> {
    const input = destinationIdInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const dest = await this.mine(r, actor, input.id);
      await r.integrations.remove(dest.id);
      await r.audit.record(actor, {
        accountId: dest.accountId,
        action: 'integration.deleted',
        targetType: 'integration',
        targetId: dest.id,
        details: described(dest.kind, dest.url),
      });
      return { deleted: true as const };
    });
  }

  /**
   * Sends one test message now (not through the outbox, so the admin sees the answer at once):
   * a synthetic `integration.test` entry, signed like any other. Its outcome is answered, not
   * recorded: the destination's status is about the audit trail's deliveries.
   */
  async test(actor: Actor, raw: { id: number }): Promise<TestResult> {
    const input = destinationIdInput.parse(raw);
    const dest = await this.d.uow.read((r) => this.mine(r, actor, input.id));
    const now = this.d.clock.now();
    const outcome = await this.d.drainer.send(dest, [
      {
        outboxId: 0,
        auditEntryId: 0,
        accountId: dest.accountId,
        organizationId: null,
        at: now,
        actorUserId: actor.via === 'system' ? null : actor.userId,
        actorLabel: actor.label,
        action: 'integration.test',
        targetType: 'integration',
        targetId: String(dest.id),
        seq: 0,
        hash: '0'.repeat(64),
      },
    ]);
    return outcome.failed
      ? { ok: false, error: outcome.failed.error, response_status: outcome.failed.responseStatus }
      : { ok: true, error: null, response_status: outcome.responseStatus };
  }

  async deliveries(actor: Actor, raw: DeliveriesInput): Promise<Page<Delivery>> {
    const input = deliveriesInput.parse(raw);
    return this.d.uow.read(async (r) => {
      const dest = await this.mine(r, actor, input.id);
      const page = await r.integrations.deliveries(dest.id, input.status, input.skip, input.limit);
      return { items: page.items.map(toDelivery), total: page.total };
    });
  }

  /** Queues one delivery again (INT-2): it goes out with the next pass, carrying the same id. */
  async redeliver(actor: Actor, raw: { id: number; delivery_id: number }): Promise<{ ok: true }> {
    const input = redeliverInput.parse(raw);
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const dest = await this.mine(r, actor, input.id);
      if (!(await r.integrations.redeliver(dest.id, input.delivery_id, now))) {
        throw notFound('Delivery', input.delivery_id);
      }
      await r.audit.record(actor, {
        accountId: dest.accountId,
        action: 'integration.redelivered',
        targetType: 'integration',
        targetId: dest.id,
        details: { delivery_id: input.delivery_id },
      });
      return { ok: true as const };
    });
  }
}
