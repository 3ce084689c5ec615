// Port (issue 14): SEC-1..4 the org secret, read and rotated by SecretsService only.
// SQLite: main/db/sqlite/repos/secrets.ts.
import type { HostRow, OrganizationRow } from '../../domain/rows';

/** An org found by a secret digest, with what the constant-time confirmation and AGT-2 need. */
export interface SecretMatchRow {
  id: number;
  accountId: number;
  isActive: boolean;
  accountActive: boolean;
  digest: string;
  previous: string | null;
  generation: number;
  /** LOC-3: the org's location revision, so registration checks its cached matcher for free. */
  locationRevision: number;
}

/** SEC-3: what a regeneration cuts off. */
export type SecretGeneration = {
  generation: OrganizationRow['secretGeneration'];
  graceUntil: OrganizationRow['previousSecretExpiresAt'];
};

export type HostOnOldSecret = Pick<HostRow, 'id' | 'hostname' | 'ip' | 'lastSeenAt'>;

export interface SecretsRepo {
  /** SEC-1: the sealed secret of an existing org (the caller checked it exists). */
  ciphertextOf(orgId: number): Promise<Buffer>;
  /** SEC-3: the digest of the current secret, read before it is replaced. */
  currentDigest(orgId: number, opts?: { forUpdate?: boolean }): Promise<string>;
  /**
   * SEC-3: the new secret, the old digest kept valid until its expiry (or not at all), the
   * generation counted up.
   */
  replaceSecret(
    orgId: number,
    next: { ciphertext: Buffer; digest: string },
    previous: { digest: string; expiresAt: number } | null,
    now: number,
  ): Promise<void>;
  /** SEC-3: the current generation and the end of the grace period (null: none). */
  generationOf(orgId: number): Promise<SecretGeneration>;
  /** SEC-3: legacy hosts of the org last seen with this generation of the secret. */
  legacyHostsOn(orgId: number, generation: number): Promise<number>;
  /**
   * SEC-3: legacy hosts of the org not seen with `generation` yet (older or unknown), counted,
   * and the first `limit` of them by hostname (ignoring case), then id.
   */
  legacyHostsBefore(
    orgId: number,
    generation: number,
    limit: number,
  ): Promise<{ total: number; hosts: HostOnOldSecret[] }>;
  /**
   * AGT-1: the org whose current secret has this digest, else the one whose previous secret
   * has it and is still inside its grace at `now`. Agent registrations and legacy heartbeats run
   * it inside their `uow.agentBatch` jobs.
   */
  matchSecretDigest(digest: string, now: number): Promise<SecretMatchRow | undefined>;
}
