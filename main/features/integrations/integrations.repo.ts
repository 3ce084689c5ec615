// Port (issue 18): INT-1/INT-2 destinations, the outbox the audit append fills, and the lease of
// the one drain worker (SCALE-2). SQLite: main/db/sqlite/repos/integrations.ts.
import type { IntegrationDestinationRow, OutboxRow } from '../../domain/rows';

export interface NewDestination {
  accountId: number;
  kind: string;
  name: string;
  url: string;
  events: string | null;
  caPem: string | null;
  secretCiphertext: string | null;
  now: number;
}

export interface DestinationPatch {
  name?: string;
  url?: string;
  events?: string | null;
  caPem?: string | null;
  secretCiphertext?: string | null;
  enabled?: boolean;
  disabledReason?: string | null;
  failures?: number;
  nextAttemptAt?: number;
}

export interface DestinationCounts {
  backlog: number;
  dead: number;
}

/** One outbox row with the audit entry it carries: what a sender needs to build its message. */
export interface OutboundEntry {
  outboxId: number;
  auditEntryId: number;
  accountId: number;
  organizationId: number | null;
  at: number;
  actorUserId: number | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  seq: number;
  hash: string;
}

export type DeliveryRow = OutboxRow & { action: string; seq: number };

export interface DestinationOutcome {
  failures: number;
  nextAttemptAt: number;
  lastDeliveredAt?: number;
  lastError?: string | null;
  lastErrorAt?: number;
  enabled?: boolean;
  disabledReason?: string | null;
}

export interface IntegrationsRepo {
  ofAccount(accountId: number): Promise<IntegrationDestinationRow[]>;
  /** The account's destination; undefined for another account's (a foreign id reads as absent). */
  get(
    accountId: number,
    id: number,
    opts?: { forUpdate?: boolean },
  ): Promise<IntegrationDestinationRow | undefined>;
  counts(destinationIds: number[]): Promise<Map<number, DestinationCounts>>;
  insert(d: NewDestination): Promise<IntegrationDestinationRow>;
  update(id: number, patch: DestinationPatch, now: number): Promise<IntegrationDestinationRow>;
  remove(id: number): Promise<void>;
  deliveries(
    destinationId: number,
    status: string | undefined,
    skip: number,
    limit: number,
  ): Promise<{ items: DeliveryRow[]; total: number }>;
  /** Puts one delivery back in the queue; false when it is not this destination's. */
  redeliver(destinationId: number, deliveryId: number, now: number): Promise<boolean>;

  // ---- the drain (OutboxDrainer; its lease is the jobs' one, LeaseRepo, in the same unit of work)
  /** Marks pending rows queued before `cutoff` as dead letters; how many. */
  expire(cutoff: number, now: number): Promise<number>;
  /** Enabled destinations whose backoff has passed and that have pending rows (oldest first). */
  due(now: number, limit: number): Promise<IntegrationDestinationRow[]>;
  /**
   * The destination's next pending rows in sequence order. Read under the drain's lease, which
   * is what makes them this drainer's; an attempt is counted when its outcome is recorded.
   */
  claim(destinationId: number, limit: number): Promise<OutboundEntry[]>;
  /** Rows sent: delivered, one more attempt each. */
  delivered(outboxIds: number[], now: number, responseStatus: number | null): Promise<void>;
  /** The row whose send failed: one more attempt, and why. */
  failed(
    outboxId: number,
    error: string,
    responseStatus: number | null,
    now: number,
  ): Promise<void>;
  outcome(destinationId: number, o: DestinationOutcome): Promise<void>;
}
