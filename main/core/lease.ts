// SCALE-2: one process at a time runs each scheduled job (retention cleanup, support expiry,
// fleet snapshots, host counts refresh), under a named lease row in `worker_leases`. Every replica
// runs the same schedulers; at each tick a scheduler takes or renews its job's lease and runs the
// pass only while it holds it. The holder renews at every tick, so it keeps the job; a killed
// holder stops renewing, its lease runs out after `ttlMs`, and the next tick of another replica
// takes it over. Job steps stay idempotent anyway (claims, per-hour keys), so the brief overlap
// of a holder whose pass outlived its lease is harmless.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from './clock';
import type { LeaseRepo } from './lease.repo';
import type { UnitOfWork } from './uow';

/** This process's name on its leases: readable in the table, unique per start. */
export const defaultLeaseHolder = (): string =>
  `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export interface JobLeaseDeps {
  uow: UnitOfWork<{ leases: LeaseRepo }>;
  clock: Clock;
  /** The job's name, the same in every replica (`retention-cleanup`, …). */
  name: string;
  holder: string;
  /**
   * How long a taken lease lasts without renewal: longer than the job's interval (the holder
   * renews it at every tick), and the time a killed holder's job waits before another takes it.
   */
  ttlMs: number;
}

export class JobLease {
  constructor(private readonly d: JobLeaseDeps) {
    if (!Number.isFinite(d.ttlMs) || d.ttlMs <= 0) {
      throw new RangeError('ttlMs must be a positive number of milliseconds');
    }
  }

  get name(): string {
    return this.d.name;
  }

  get holder(): string {
    return this.d.holder;
  }

  /** Takes or renews the lease; false while another process holds it. One short write. */
  take(): Promise<boolean> {
    const now = this.d.clock.now();
    return this.d.uow.write((r) =>
      r.leases.acquire(this.d.name, this.d.holder, now, now + this.d.ttlMs),
    );
  }

  /** Gives it up (a clean shutdown), so another replica takes the job at its next tick. */
  async release(): Promise<void> {
    await this.d.uow.write((r) => r.leases.release(this.d.name, this.d.holder));
  }
}

/** The lease of a job with this interval: a tick and a half, so one late tick does not lose it. */
export const leaseTtlFor = (intervalMs: number): number => Math.ceil(intervalMs * 1.5);
