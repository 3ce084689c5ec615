// Signed heartbeats on PostgreSQL, coalesced (issue 15 item 1, scale-out.md §4.7): the steady
// state of a fleet (a Go host heartbeating from its stored address) was two transactions per
// heartbeat on a pool backend — the key read (BEGIN, SELECT, COMMIT) and the job (BEGIN, SELECT,
// UPDATE, COMMIT) — seven round trips and a WAL flush each. Here the heartbeats arriving together
// share ONE key read and ONE conditional write, each a single statement in autocommit.
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type {
  HostWithTenant,
  SignedBeat,
  SignedHeartbeats,
} from '../../features/agents/agents.repo';
import { withoutParameters } from './query-error';
import { hostsWithTenant } from './repos/agents';
import { int8, idArray } from './repos/sql-helpers';
import { hosts } from './schema';
import { isRetryable } from './uow';

export interface PgHeartbeatOptions {
  /** Heartbeats in one statement at most (§4.7 measured 256 a batch at 0 deadlocks). */
  maxBatch?: number;
  /**
   * Statements of one kind in flight at once from this replica: a heartbeat arriving while they
   * run waits for the next one, so batches grow with the load instead of the backends in use.
   * 2 by measurement (bench --only heartbeat --engine pg, 50,000 heartbeats, a loaded machine):
   * PostgreSQL CPU per heartbeat 0.36–0.38 ms at 2; 0.37–0.39 ms at 1, at half the throughput;
   * 0.59–0.64 ms at 4 (smaller batches, more statements).
   */
  maxInFlight?: number;
  /** Attempts of one write statement in all (a deadlock or serialization failure only). */
  maxAttempts?: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Items submitted in one event-loop turn (or while `maxInFlight` batches run) go to `run` as one
 * batch; each promise settles with its own element of the answer, or every one of the batch
 * rejects with its error. With `key`, a batch holds one item per key, and a key is in one batch
 * at a time: a later item of it waits for a batch after that one has settled (in one UPDATE …
 * FROM, two source rows for one target row update it once, and which of them did is not said,
 * so neither could be answered; in two concurrent batches the later second could land first and
 * turn the earlier one into a 409). A host's heartbeats are thus written in their arrival order.
 */
export class Coalescer<I, O> {
  private queue: Waiting<I, O>[] = [];
  private scheduled = false;
  private inFlight = 0;
  /** The keys of the batches in flight. */
  private readonly busy = new Set<unknown>();

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly o: { maxBatch: number; maxInFlight: number; key?: (item: I) => unknown },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.o.maxInFlight) return;
    this.scheduled = true;
    // setImmediate: after this turn's I/O callbacks, so the requests parsed in it batch together.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private take(): Waiting<I, O>[] {
    const { key, maxBatch } = this.o;
    if (!key) return this.queue.splice(0, maxBatch);
    const batch: Waiting<I, O>[] = [];
    const rest: Waiting<I, O>[] = [];
    const keys = new Set<unknown>();
    for (const w of this.queue) {
      const k = key(w.item);
      if (batch.length < maxBatch && !keys.has(k) && !this.busy.has(k)) {
        keys.add(k);
        batch.push(w);
      } else rest.push(w);
    }
    this.queue = rest;
    return batch;
  }

  private flush(): void {
    while (this.inFlight < this.o.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      // What is left waits on the batches in flight (every key of it busy).
      if (batch.length === 0) return;
      const { key } = this.o;
      const keys = key ? batch.map((w) => key(w.item)) : [];
      for (const k of keys) this.busy.add(k);
      this.inFlight++;
      this.run(batch.map((w) => w.item))
        .then(
          (outs) => batch.forEach((w, i) => w.resolve(outs[i]!)),
          (err: unknown) => batch.forEach((w) => w.reject(err)),
        )
        .finally(() => {
          for (const k of keys) this.busy.delete(k);
          this.inFlight--;
          this.schedule();
        });
    }
  }
}

/**
 * The PostgreSQL adapter of SignedHeartbeats (agents.repo.ts). Outside the unit of work on
 * purpose: each call is one statement, its own snapshot and (for the write) its own atomic
 * commit, so BEGIN and COMMIT would add two round trips and change nothing it can see.
 */
export class PgSignedHeartbeats implements SignedHeartbeats {
  private readonly reads: Coalescer<number, HostWithTenant | undefined>;
  private readonly writes: Coalescer<SignedBeat, { locationId: number } | null>;
  private readonly maxAttempts: number;
  /** Built once: drizzle() without the relational schema costs ~5 µs, but this is per batch. */
  private readonly db: ReturnType<typeof drizzle>;

  constructor(
    private readonly pool: pg.Pool,
    o: PgHeartbeatOptions = {},
  ) {
    const maxBatch = o.maxBatch ?? 256;
    const maxInFlight = o.maxInFlight ?? 2;
    this.maxAttempts = Math.max(1, o.maxAttempts ?? 5);
    this.db = drizzle(pool);
    this.reads = new Coalescer((ids) => this.readHosts(ids), { maxBatch, maxInFlight });
    this.writes = new Coalescer((beats) => this.writeBeats(beats), {
      maxBatch,
      maxInFlight,
      key: (b) => b.hostId,
    });
  }

  hostWithTenant(hostId: number): Promise<HostWithTenant | undefined> {
    return this.reads.submit(hostId);
  }

  seenSigned(beat: SignedBeat): Promise<{ locationId: number } | null> {
    return this.writes.submit(beat);
  }

  private async readHosts(ids: number[]): Promise<(HostWithTenant | undefined)[]> {
    const unique = [...new Set(ids)];
    try {
      // Over the pool, not one client: pool.query checks a connection out for one statement.
      const rows = await hostsWithTenant(this.db, sql`${hosts.id} = ANY(${idArray(unique)})`);
      const byId = new Map(rows.map((r) => [r.host.id, r]));
      return ids.map((id) => byId.get(id));
    } catch (err) {
      throw withoutParameters(err);
    }
  }

  /**
   * One conditional UPDATE for the batch. The rows are locked in id order first (a MATERIALIZED
   * CTE … ORDER BY id FOR UPDATE: a plain UPDATE … FROM locks in whatever order its join visits
   * them, and two replicas' overlapping batches then deadlock, §4.7). A beat lands only if, on
   * the row as locked, the host is still a Go host with the key that verified (a key change or
   * identity reset after the read refuses it), its org and account are active, and its second
   * is later than the last accepted one (a replay, here or on another replica, refuses it).
   * Under READ COMMITTED a row another transaction changed meanwhile is re-checked on its newest
   * version before it is written. Ids not returned did not land: the caller's per-job path says
   * why (409, 401, 403).
   */
  private async writeBeats(beats: SignedBeat[]): Promise<({ locationId: number } | null)[]> {
    const sorted = [...beats].sort((a, b) => a.hostId - b.hostId);
    const params = [
      sorted.map((b) => b.hostId),
      sorted.map((b) => b.publicKey),
      sorted.map((b) => b.signedAt),
      sorted.map((b) => b.now),
    ];
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows } = await this.pool.query<{ id: string | number; location_id: unknown }>(
          `WITH v AS (
             SELECT * FROM unnest($1::int8[], $2::text[], $3::int8[], $4::int8[])
               AS v(id, public_key, signed_at, now)
           ), locked AS MATERIALIZED (
             SELECT h.id FROM hosts h WHERE h.id = ANY($1::int8[]) ORDER BY h.id FOR UPDATE
           )
           UPDATE hosts h SET last_seen_at = v.now, last_signed_at = v.signed_at
           FROM v
           WHERE h.id = v.id AND h.id IN (SELECT id FROM locked)
             AND h.agent_type = 'go' AND h.public_key = v.public_key
             AND (h.last_signed_at IS NULL OR h.last_signed_at < v.signed_at)
             AND EXISTS (SELECT 1 FROM organizations o JOIN accounts a ON a.id = o.account_id
                         WHERE o.id = h.organization_id AND o.is_active AND a.is_active)
           RETURNING h.id, h.location_id`,
          params,
        );
        const landed = new Map(rows.map((r) => [int8(r.id), int8(r.location_id)]));
        return beats.map((b) => {
          const locationId = landed.get(b.hostId);
          return locationId === undefined ? null : { locationId };
        });
      } catch (err) {
        // Ordered locks leave no deadlock between these; other writers of hosts may still meet one.
        if (attempt < this.maxAttempts && isRetryable(err)) continue;
        throw withoutParameters(err);
      }
    }
  }
}
