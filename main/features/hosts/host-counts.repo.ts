// Port (ORG-2): the re-count of organization_host_counts rows that time alone made stale. The
// arithmetic is engine-neutral (./host-counts.ts); each adapter reads and writes with its own
// SQL: SQLite main/db/sqlite/repos/host-counts.ts, PostgreSQL main/db/pg/repos/host-counts.ts.
export interface HostCountsRepo {
  /**
   * Re-counts, in the caller's transaction, at most `limit` of the orgs whose counts are due at
   * `now` (earliest due first) and sets when each can next change; how many it re-counted.
   */
  refreshDue(now: number, limit: number): Promise<number>;
}
