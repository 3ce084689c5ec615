// Port (issue 14): the agents' registration and heartbeat storage (AGT-1, AGT-2).
// SQLite: main/db/sqlite/repos/agents.ts.
//
// PostgreSQL: main/db/pg/repos/agents.ts. The server's highest-rate writes, run only inside
// `uow.agentBatch` jobs: on SQLite the jobs of one event-loop turn share one transaction, each
// in its own savepoint, and these answer with already-settled promises, so the batch spans
// microtasks only. The org-secret lookup is the secrets feature's (SecretsRepo.matchSecretDigest).
import type { HostRow } from '../../domain/rows';

/** A Go heartbeat names only its host: whether its org and account are active comes along. */
export interface HostWithTenant {
  host: HostRow;
  orgActive: boolean;
  accountActive: boolean;
}

/** What a registration writes besides the host's place (org, location). */
export interface AgentHostValues {
  hostname: string;
  ip: string;
  ipKey: string | null;
  agentType: HostRow['agentType'];
  publicKey: string | null;
  now: number;
  secretGeneration: number;
}

export interface AgentsRepo {
  /**
   * AGT-1 re-registration: the org's host with this hostname, ignoring ASCII case (the one host
   * the unique folded key `hosts_org_hostname_key_uq` allows; migration 0014).
   */
  hostByHostname(orgId: number, hostname: string): Promise<HostRow | undefined>;
  hostById(hostId: number): Promise<HostRow | undefined>;
  /** AGT-2: a Go heartbeat's host with its tenant's state. */
  hostWithTenant(hostId: number): Promise<HostWithTenant | undefined>;
  /** AGT-2: a legacy heartbeat's host, only within the org its secret belongs to. */
  hostInOrg(hostId: number, orgId: number): Promise<HostRow | undefined>;
  /**
   * AGT-1: a new host, registered and last seen `now`; undefined, writing nothing, when the org
   * already has a host of that folded hostname (a concurrent registration won: INSERT … ON
   * CONFLICT DO NOTHING on the unique key, so two writers cannot both insert).
   */
  insertHostIfAbsent(
    values: AgentHostValues & { organizationId: number; locationId: number },
  ): Promise<HostRow | undefined>;
  /** AGT-1: the same host registered again (keeps its id and history; last seen `now`). */
  reregisterHost(id: number, values: AgentHostValues & { locationId: number }): Promise<HostRow>;
  /**
   * AGT-2 replay protection for a key-change proof: uses up its signed second in one
   * conditional write; false when it is not later than the host's last accepted one.
   */
  useSignedSecond(hostId: number, signedAt: number): Promise<boolean>;
  /** A legacy heartbeat: last seen, and which secret generation it sent (SEC-3). */
  seenLegacy(hostId: number, now: number, secretGeneration: number | null): Promise<void>;
  /** A legacy heartbeat from a new address: last seen, the IP and its location too. */
  seenLegacyMoved(
    hostId: number,
    set: {
      now: number;
      ip: string;
      ipKey: string | null;
      locationId: number;
      secretGeneration: number | null;
    },
  ): Promise<void>;
  /**
   * A signed heartbeat from the host's stored address (a fleet's steady state): last seen and
   * the signed second in one conditional write, and nothing else, so no index of the IP or the
   * location is rewritten; false when the host is gone or the timestamp is not later than the
   * last accepted one.
   */
  seenSigned(hostId: number, set: { now: number; signedAt: number }): Promise<boolean>;
  /**
   * AGT-2's steady state in one statement: a signed heartbeat lands (last-seen and its second)
   * only if the host is still a Go host holding `publicKey`, its org and account are active, it
   * sends the address it has (`ip` null: none sent) and `signedAt` is later than its last
   * accepted second. Answers its location; undefined, writing nothing, when any of these does
   * not hold (the caller then takes the full path, which says which one).
   */
  seenSignedSteady(
    hostId: number,
    set: { now: number; signedAt: number; publicKey: string; ip: string | null },
  ): Promise<{ locationId: number } | undefined>;
  /** A signed heartbeat from a new address: the same conditional write, with the IP and location. */
  seenSignedMoved(
    hostId: number,
    set: { now: number; signedAt: number; ip: string; ipKey: string | null; locationId: number },
  ): Promise<boolean>;
  /** The account an org belongs to (the audit entry of a reassignment). */
  accountOfOrg(orgId: number): Promise<number>;
  /**
   * The org's location revision (0 for an org that does not exist), read in the job's
   * transaction: a moved heartbeat checks the cached location matcher against it.
   */
  locationRevision(orgId: number): Promise<number>;
}

/** A Go heartbeat whose signature verified, for the coalesced write (SignedHeartbeats). */
export interface SignedBeat {
  hostId: number;
  /** The key it verified with: the write lands only while the host still holds it. */
  publicKey: string;
  signedAt: number;
  now: number;
}

/**
 * PostgreSQL only (main/db/pg/heartbeat-batcher.ts): the steady-state signed heartbeat, its key
 * read and its conditional write each coalesced with the others arriving together into one
 * statement. Absent on SQLite, whose agentBatch already shares one transaction per turn.
 */
export interface SignedHeartbeats {
  /** As AgentsRepo.hostWithTenant, read in one statement with the others of its batch. */
  hostWithTenant(hostId: number): Promise<HostWithTenant | undefined>;
  /**
   * Last seen `now` and the signed second, in one conditional write with the others of its
   * batch: only if the host is still a Go host with `publicKey`, its org and account active and
   * `signedAt` later than its last accepted second. The host's location when it landed; null
   * when it did not (the per-job path then answers why). Rejects, for every beat of the batch,
   * when the statement fails: none of them was written.
   */
  seenSigned(beat: SignedBeat): Promise<{ locationId: number } | null>;
}
