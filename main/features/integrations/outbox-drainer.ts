// INT-1/INT-2: the one worker that drains the outbox. SCALE-2: a lease row in the database makes
// it one across replicas; no network I/O runs inside a transaction: claim a batch and commit, send,
// then record the outcome in a second transaction.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock';
import type { SecretBox } from '../../core/crypto';
import { noticeFor } from '../../core/notification-policy';
import type { IntegrationDestinationRow } from '../../domain/rows';
import type { TxHooks } from '../../core/uow';
import type { Uow } from '../../repos';
import {
  DEAD_LETTER_AFTER_MS,
  retryDelayMs,
  WEBHOOK_DISABLE_AFTER_FAILURES,
  type DestinationKind,
} from '../../../shared/integrations';
import { parseDestinationUrl } from './destination-url';
import type { OutboundEntry } from './integrations.repo';
import { sendSyslog, syslogMessage } from './syslog';
import { DeliveryError, sendWebhook, webhookBody } from './webhook';

export const OUTBOX_LEASE = 'outbox-drain';
/** Long enough for one pass (every send times out within 10 s); renewed by each pass. */
const LEASE_MS = 60_000;
/** Destinations per pass, and entries per destination per pass. */
const DESTINATIONS_PER_PASS = 20;
/**
 * A syslog batch goes over one connection (one TLS handshake) or as one burst of datagrams, and
 * each pass pays its idle check, claim and record transactions whatever it carries: under
 * registration load the bench's passes carried 28-38 entries each. 500 keeps a claim and its
 * record a few milliseconds of the writer's time, and a collector that drops mid-batch re-sends
 * at most that many (at least once).
 */
const BATCH = 500;
const WEBHOOK_BATCH = 25;
/**
 * How often a pass looks for dead letters. The expiry reads every pending row (their age is in
 * no index) inside the claim's write transaction; run by each pass it made a backlog dearer for
 * registrations several times a second. A dead letter is due after 24 h: it is marked within
 * the minute after, and a pass in that minute may still deliver it (sent late, not lost: only
 * the retrying stops at a dead letter).
 */
const EXPIRE_EVERY_MS = 60_000;

export interface DrainerDeps {
  uow: Uow;
  clock: Clock;
  box: SecretBox;
  /** ORGDESK_WEBHOOK_ALLOW_PRIVATE=1: http:// and private, loopback, link-local webhooks. */
  allowPrivate: boolean;
  /** This process's name on the lease (random unless given: tests name two drainers). */
  holder?: string;
}

/** What one attempt at a destination came to. */
export interface SendOutcome {
  /** Outbox ids delivered, in order. */
  delivered: number[];
  /** The first one that failed (the rest of the batch waits behind it), with why. */
  failed?: { outboxId: number | null; error: string; responseStatus: number | null };
  responseStatus: number | null;
}

/**
 * What one pass cost (bench/outbox-bench.ts reads it, ORGDESK_OUTBOX_TRACE=1): the time in the
 * claiming and recording transactions is time the single writer and the event loop were the
 * drain's; the send is the network's (the event loop is free meanwhile but for its callbacks).
 */
export interface PassTrace {
  /** Entries claimed, and delivered, in this pass. */
  claimed: number;
  delivered: number;
  /** Write transactions this pass ran (claim, and one record per destination). */
  writes: number;
  /**
   * Milliseconds. `*HeldMs`: from the transaction's first statement to the end of its commit
   * (the writer and the event loop are the drain's); `*WaitMs`: before that, queued behind other
   * work for the lock. The claim's figures include the idle check's read.
   */
  claimWaitMs: number;
  claimHeldMs: number;
  sendMs: number;
  recordWaitMs: number;
  recordHeldMs: number;
  totalMs: number;
}

/** The webhook secret's AAD: bound to its destination, so a sealed secret cannot be moved. */
export const webhookSecretAad = (accountId: number, destinationId: number): string =>
  `orgdesk/webhook-secret/${accountId}/${destinationId}`;

/** Errors as the admin reads them in the status: one line, bounded, no stack. */
export const errorText = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 500);

export class OutboxDrainer {
  readonly holder: string;
  private running: Promise<number> | null = null;
  private onPass: ((t: PassTrace) => void) | null = null;
  private full = false;
  /** When this process last looked for dead letters (committed); a new holder looks at once. */
  private expiredAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly d: DrainerDeps) {
    this.holder = d.holder ?? `drainer-${randomUUID()}`;
  }

  /** One pass; a pass already running in this process is awaited and then one more is run. */
  async drainOnce(): Promise<number> {
    while (this.running) await this.running.catch(() => 0);
    this.running = this.pass();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  /** Whether the last pass claimed a full batch somewhere: more may be waiting behind it. */
  hadFullBatch(): boolean {
    return this.full;
  }

  /** Calls `fn` after each pass that had work, with what it cost (the bench's trace). */
  observe(fn: ((t: PassTrace) => void) | null): void {
    this.onPass = fn;
  }

  /** Gives the lease up (at shutdown), so another replica takes over at once. */
  async release(): Promise<void> {
    while (this.running) await this.running.catch(() => 0);
    await this.d.uow.write((r) => r.leases.release(OUTBOX_LEASE, this.holder));
  }

  /** How many entries this pass delivered. */
  private async pass(): Promise<number> {
    this.full = false;
    const t = { claimWaitMs: 0, claimHeldMs: 0, recordWaitMs: 0, recordHeldMs: 0, sendMs: 0 };
    const t0 = performance.now();
    const now = this.d.clock.now();
    // Most passes find nothing to do: a read, so an idle server writes nothing.
    const idle = await this.timed(t, 'claim', (held) =>
      this.d.uow.read(async (r) => {
        held(r);
        return (await r.integrations.due(now, 1)).length === 0;
      }),
    );
    // Dead letters are marked by a pass that has work (at most once a minute: EXPIRE_EVERY_MS).
    if (idle) return 0;
    const claimed = await this.timed(t, 'claim', (held) =>
      this.d.uow.write(async (r) => {
        held(r);
        if (!(await r.leases.acquire(OUTBOX_LEASE, this.holder, now, now + LEASE_MS))) {
          return null;
        }
        if (now - this.expiredAt >= EXPIRE_EVERY_MS) {
          await r.integrations.expire(now - DEAD_LETTER_AFTER_MS, now);
          r.afterCommit(() => (this.expiredAt = now));
        }
        const out: { dest: IntegrationDestinationRow; entries: OutboundEntry[] }[] = [];
        for (const dest of await r.integrations.due(now, DESTINATIONS_PER_PASS)) {
          const limit = dest.kind === 'webhook' ? WEBHOOK_BATCH : BATCH;
          out.push({ dest, entries: await r.integrations.claim(dest.id, limit) });
        }
        return out;
      }),
    );
    if (!claimed) return 0;
    this.full = claimed.some(
      ({ dest, entries }) => entries.length >= (dest.kind === 'webhook' ? WEBHOOK_BATCH : BATCH),
    );
    let delivered = 0;
    // Destinations are independent: one slow collector does not hold up the others.
    await Promise.all(
      claimed.map(async ({ dest, entries }) => {
        const s0 = performance.now();
        const outcome = await this.send(dest, entries);
        t.sendMs += performance.now() - s0;
        delivered += outcome.delivered.length;
        await this.timed(t, 'record', (held) => this.record(dest, outcome, held));
      }),
    );
    this.onPass?.({
      claimed: claimed.reduce((n, c) => n + c.entries.length, 0),
      delivered,
      writes: 1 + claimed.length,
      ...t,
      totalMs: performance.now() - t0,
    });
    return delivered;
  }

  /**
   * Runs a transaction for the trace: `held(r)` is called as its work begins; until then it
   * waited for the lock, from then until its commit it held it. (The commit's hooks run at once;
   * the lock's next holder runs later, in a microtask, and is not counted.)
   */
  private async timed<T>(
    t: Record<'claimWaitMs' | 'claimHeldMs' | 'recordWaitMs' | 'recordHeldMs', number>,
    step: 'claim' | 'record',
    fn: (held: (r: TxHooks) => void) => Promise<T>,
  ): Promise<T> {
    const start = performance.now();
    let began = start;
    let ended: number | null = null;
    try {
      return await fn((r) => {
        began = performance.now();
        r.afterCommit(() => (ended = performance.now()));
      });
    } finally {
      t[`${step}WaitMs`] += began - start;
      t[`${step}HeldMs`] += (ended ?? performance.now()) - began;
    }
  }

  /** Sends a destination's claimed entries, outside any transaction. */
  async send(dest: IntegrationDestinationRow, entries: OutboundEntry[]): Promise<SendOutcome> {
    const kind = dest.kind as DestinationKind;
    try {
      const target = parseDestinationUrl(kind, dest.url, this.d.allowPrivate);
      if (kind === 'syslog') {
        await sendSyslog(
          target,
          entries.map((e) => syslogMessage(e)),
          { caPem: dest.caPem },
        );
        return { delivered: entries.map((e) => e.outboxId), responseStatus: null };
      }
      const secret = this.secretOf(dest);
      const delivered: number[] = [];
      let status: number | null = null;
      for (const e of entries) {
        try {
          const res = await sendWebhook({
            target,
            secret,
            body: webhookBody(e),
            timestamp: Math.floor(this.d.clock.now() / 1000),
            allowPrivate: this.d.allowPrivate,
          });
          status = res.status;
          delivered.push(e.outboxId);
        } catch (err) {
          return {
            delivered,
            responseStatus: status,
            failed: {
              outboxId: e.outboxId,
              error: errorText(err),
              responseStatus: err instanceof DeliveryError ? err.responseStatus : null,
            },
          };
        }
      }
      return { delivered, responseStatus: status };
    } catch (err) {
      return {
        delivered: [],
        responseStatus: null,
        failed: {
          outboxId: entries[0]?.outboxId ?? null,
          error: errorText(err),
          responseStatus: null,
        },
      };
    }
  }

  secretOf(dest: IntegrationDestinationRow): string {
    if (!dest.secretCiphertext) throw new Error('the webhook has no signing secret');
    return this.d.box.decrypt(
      Buffer.from(dest.secretCiphertext, 'base64'),
      webhookSecretAad(dest.accountId, dest.id),
    );
  }

  /**
   * Records what a send came to: delivered rows, the failure on the first undelivered one, and the
   * destination's backoff (10 s, doubling, at most 10 min) or, for a webhook failing too often in
   * a row, its automatic disable with the reason the admin reads in its status.
   */
  private async record(
    dest: IntegrationDestinationRow,
    o: SendOutcome,
    held: (r: TxHooks) => void = () => {},
  ): Promise<void> {
    const now = this.d.clock.now();
    await this.d.uow.write(async (r) => {
      held(r);
      // Each outcome renews the lease: a long pass (slow receivers) keeps it while it works.
      await r.leases.acquire(OUTBOX_LEASE, this.holder, now, now + LEASE_MS);
      await r.integrations.delivered(o.delivered, now, o.responseStatus);
      if (!o.failed) {
        await r.integrations.outcome(dest.id, {
          failures: 0,
          nextAttemptAt: 0,
          ...(o.delivered.length > 0 ? { lastDeliveredAt: now } : {}),
        });
        return;
      }
      if (o.failed.outboxId !== null) {
        await r.integrations.failed(
          o.failed.outboxId,
          o.failed.error,
          o.failed.responseStatus,
          now,
        );
      }
      // A partial success still counts as progress: the failures in a row start again.
      const current = await r.integrations.get(dest.accountId, dest.id, { forUpdate: true });
      if (!current) return;
      const failures = (o.delivered.length > 0 ? 0 : current.failures) + 1;
      const disable = dest.kind === 'webhook' && failures >= WEBHOOK_DISABLE_AFTER_FAILURES;
      await r.integrations.outcome(dest.id, {
        failures,
        nextAttemptAt: now + retryDelayMs(failures),
        ...(o.delivered.length > 0 ? { lastDeliveredAt: now } : {}),
        lastError: o.failed.error,
        lastErrorAt: now,
        ...(disable
          ? {
              enabled: false,
              disabledReason: `Disabled automatically after ${failures} failed deliveries in a row (last: ${o.failed.error}). Fix the receiver, then enable it again.`,
            }
          : {}),
      });
      // INT-3: the admins are told when a destination starts failing and when it is switched
      // off, not on every retry (which would bury them). A notification, not an audit entry: an
      // entry would itself be queued to the failing destination, growing the backlog it reports.
      if (failures === 1 || disable) {
        const kind = disable ? 'integration.auto_disabled' : 'integration.failing';
        const notice = noticeFor({
          action: kind,
          actorLabel: 'system',
          details: { kind: dest.kind, name: dest.name, failures, error: o.failed.error },
          targetId: String(dest.id),
          engineerLabel: null,
        });
        if (notice) await r.notifications.tellAdmins(dest.accountId, kind, notice, now);
      }
    });
  }
}

/** What the worker runs: the outbox's drainer, or INT-3's email drainer. */
export interface Drain {
  /** One pass; how many it delivered. */
  drainOnce(): Promise<number>;
  release(): Promise<void>;
  /** Whether the last pass left more than it took; without it, any delivery counts as that. */
  hadFullBatch?(): boolean;
}

/**
 * When the worker runs its next pass, and why (a pure decision; `null`: the pass failed). A pass
 * costs registration the same whatever it carries (its transactions on the one writer and event
 * loop), so under load the drain should run fewer, fuller passes, not one per trickle: at once
 * only while a full batch says a backlog is waiting, otherwise after the interval, in which the
 * next batch gathers (an entry waits at most about that long, as one after an idle spell did).
 */
export function nextPassDelay(
  last: { delivered: number; full: boolean } | null,
  intervalMs: number,
): { delayMs: number; why: string } {
  if (last === null) return { delayMs: intervalMs, why: 'the pass failed: try again later' };
  if (last.full) return { delayMs: 0, why: 'a full batch: a backlog is waiting, catch up' };
  if (last.delivered > 0) {
    return { delayMs: intervalMs, why: 'all caught up: let the next batch gather' };
  }
  return { delayMs: intervalMs, why: 'nothing to send' };
}

/** The drain on a timer, off the request path: the server starts it with itself and stops it. */
export class OutboxWorker {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(
    // INT-3: the email drain runs on the same timer machinery.
    private readonly drainer: Drain,
    private readonly o: { intervalMs: number; onError: (err: unknown) => void },
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule(delay = this.o.intervalMs): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.drainer
        .drainOnce()
        .then((delivered) => {
          const full = this.drainer.hadFullBatch ? this.drainer.hadFullBatch() : delivered > 0;
          this.schedule(nextPassDelay({ delivered, full }, this.o.intervalMs).delayMs);
        })
        .catch((err: unknown) => {
          this.o.onError(err);
          this.schedule(nextPassDelay(null, this.o.intervalMs).delayMs);
        });
    }, delay);
    this.timer.unref();
  }

  /**
   * Stops the timer, lets a pass in flight finish and gives the lease up. `release: false` only
   * stops the timer, at once (the desktop's synchronous quit, which closes the database next;
   * its lease simply runs out).
   */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (opts.release === false) return;
    await this.drainer.release().catch((err: unknown) => this.o.onError(err));
  }
}
