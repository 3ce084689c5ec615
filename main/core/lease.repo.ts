// Port (SCALE-2): named leases in `worker_leases`, so a scheduled job runs in one process at a
// time across replicas. Its own port (not the integrations one, which has the outbox's copy of
// the same two statements) so every job can take a lease without depending on a feature.
export interface LeaseRepo {
  /**
   * Takes the named lease for `holder` until `until`, or renews it when `holder` holds it; also
   * takes it over when its holder let it run out (`expires_at <= now`, e.g. a killed process).
   * False while another holder's lease is in force.
   */
  acquire(name: string, holder: string, now: number, until: number): Promise<boolean>;
  /** Gives the lease up, if `holder` holds it, so another takes it at once. */
  release(name: string, holder: string): Promise<void>;
}
