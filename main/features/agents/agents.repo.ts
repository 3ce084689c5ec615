// Draft port (issue 14 step 0): the agents' registration and heartbeat storage. Runs inside
// `uow.agentBatch` (synchronous work), so its methods are synchronous on purpose; the PG adapter
// batches them (scale-out.md §4.7). Not yet implemented on SQLite.
import type { HostRow } from '../../domain/rows';

/** The org a secret enrolls into (current secret, or the previous one inside its grace period). */
export interface EnrollingOrg {
  id: number;
  accountId: number;
  isActive: boolean;
}

export interface AgentsRepo {
  orgBySecretDigest(digest: string, now: number): EnrollingOrg | undefined;
  /** AGT-1 re-registration: the host of this org with this hostname (issue 14 item 3: a folded key + upsert). */
  hostByHostname(orgId: number, hostname: string): HostRow | undefined;
  hostByPublicKey(orgId: number, publicKey: string): HostRow | undefined;
  insertHost(values: Omit<HostRow, 'id'>): HostRow;
  updateHost(id: number, set: Partial<Omit<HostRow, 'id'>>): HostRow | undefined;
  /** AGT-2: the host a heartbeat names, with what verification needs. */
  forHeartbeat(hostId: number): HostRow | undefined;
  /**
   * AGT-2: last seen (and the signed timestamp) in one conditional write; false when the host is
   * gone or the timestamp is not newer (a replay).
   */
  touch(hostId: number, now: number, signedAt: number | null, ip: string | null): boolean;
}
