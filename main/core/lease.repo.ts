// Port (SCALE-2): named leases in `worker_leases`, so a scheduled job runs in one process at a
// time across replicas. Its own port (not the integrations one, which has the outbox's copy of
// the same two statements) so every job can take a lease without depending on a feature.
/** A lease row as one attempt left it. */
export type LeaseState =
  /** This holder took or renewed it, until `expiresAt`. */
  | { taken: true; expiresAt: number }
  /**
   * Another holder's lease is in force until `expiresAt` (null: the row was not readable, a
   * race with its first insert on PostgreSQL READ COMMITTED).
   */
  | { taken: false; holder: string | null; expiresAt: number | null };

export interface LeaseRepo {
  /**
   * Takes the named lease for `holder` until `until`, or renews it when `holder` holds it; also
   * takes it over when its holder let it run out (`expires_at <= now`, e.g. a killed process).
   * False while another holder's lease is in force.
   */
  acquire(name: string, holder: string, now: number, until: number): Promise<boolean>;
  /**
   * `acquire`, answering the row's state: when refused, who holds it and until when, so the
   * caller can try again the moment it runs out (core/lease.ts nextLeaseAttempt).
   */
  attempt(name: string, holder: string, now: number, until: number): Promise<LeaseState>;
  /** Gives the lease up, if `holder` holds it, so another takes it at once. */
  release(name: string, holder: string): Promise<void>;
}
