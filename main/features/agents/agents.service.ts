import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import { sha256Hex } from '../../core/crypto';
import { DomainError, badRequest, conflict, forbidden } from '../../core/errors';
import type { HostRow } from '../../domain/rows';
import { formatIp, ipSortKey, parseIp } from '../../../shared/cidr';
import {
  HEARTBEAT_WINDOW_MS,
  heartbeatInput,
  heartbeatSigningString,
  registerAgentInput,
  registrationSigningString,
  type AgentRegistration,
  type HeartbeatResult,
} from '../../../shared/schemas/agents.schema';
import type { Repos, Uow } from '../../repos';
import {
  assignWith,
  type LocationMatcherCache,
  type OrgMatcher,
} from '../locations/location-matcher';
import type { SecretsService } from '../organizations/secrets.service';
import type { SignedHeartbeats } from './agents.repo';
import { publicKeyFlaw, signatureFlaw } from './ed25519-checks';
import { RegistrationLimiter } from './registration-limiter';

export interface AgentsDeps {
  uow: Uow;
  clock: Clock;
  secrets: SecretsService;
  matchers: LocationMatcherCache;
  /** AGT-1 registration rate limits; the defaults (registration-limiter.ts) when unset. */
  limiter?: RegistrationLimiter;
  /**
   * PostgreSQL: signed heartbeats coalesced into one key read and one conditional write a batch
   * (agents.repo.ts SignedHeartbeats); unset (SQLite), each is a job of uow.agentBatch.
   */
  beats?: SignedHeartbeats;
}

/** What a heartbeat carries, as plain values: the transport copies them from its headers. */
export interface HeartbeatRequest {
  hostId?: string;
  timestamp?: string;
  signature?: string;
  secret?: string;
  /** The exact body bytes: a Go agent's signature covers their SHA-256. */
  rawBody: Buffer;
  /** The body as parsed JSON (undefined when empty). */
  input: unknown;
}

/** A Go agent's proof of its host's current key, when it registers again under a new key. */
export interface RegistrationProof {
  timestamp?: string;
  signature?: string;
  /** The exact body bytes: the proof covers their SHA-256 (and so the new key). */
  rawBody: Buffer;
}

export interface RegisterExtras {
  proof?: RegistrationProof;
  /** The client's address (the TCP peer): counted against the per-address limit. */
  clientAddress?: string;
}

/** How a re-registration changed a Go host's key (audited); null when it did not. */
type KeyChange = 'signed_by_previous_key' | 'set_after_identity_reset' | null;

/** What an agent job reaches (see agents.repo.ts). */
type AgentRepos = Pick<Repos, 'agents' | 'secrets' | 'audit'>;

/**
 * An agent job found no cached location matcher at the org's revision: the job ends (before it
 * wrote anything; its savepoint rolls back) and runs again once the matcher is loaded outside
 * the batch: loading it inside would hold SQLite's shared transaction for the matcher's read.
 */
class MatcherNeeded extends Error {
  constructor(readonly orgId: number) {
    super(`The location matcher of organization ${orgId} is not loaded at its current revision`);
  }
}

/**
 * Runs of one agent job at most: each miss loads the matcher, so only an org whose subnets
 * another writer changes between every load and the next run can use them all.
 */
const MATCHER_RUNS = 5;

const POSITIVE_INT = /^[1-9][0-9]{0,15}$/;
const UNIX_SECONDS = /^(0|[1-9][0-9]{0,11})$/;

const unauthorized = (message: string): DomainError => new DomainError('UNAUTHORIZED', message);

/** One answer for an unknown host, a legacy one and a signature that does not verify. */
const notVerified = (hostId: number): DomainError =>
  unauthorized(
    `The heartbeat signature does not verify for host ${hostId} (unknown host, a legacy agent, or not the key it registered)`,
  );

function heartbeatHostId(text: string | undefined): number {
  if (!text || !POSITIVE_INT.test(text)) {
    throw badRequest(
      'X-Host-Id must be the host id the registration answered (a positive whole number)',
      'x-host-id',
    );
  }
  return Number(text);
}

/** What verifying a signature needs, once the checks before it passed. */
interface SignatureCheck {
  key: KeyObject | null;
  data: Buffer;
  signature: Buffer;
  signedAt: number;
}

/** A Go heartbeat whose signature verified: with which key (the text the host row holds). */
interface VerifiedBeat {
  publicKey: string;
  signedAt: number;
  /** The host as the verifying read saw it. */
  host: HostRow;
}

/**
 * crypto.verify with a callback runs on libuv's thread pool: the event loop serves other
 * requests meanwhile. An error (a key OpenSSL refuses) verifies nothing.
 */
const verifyOffLoop = (data: Buffer, key: KeyObject, signature: Buffer): Promise<boolean> =>
  new Promise((resolve) => verify(null, data, key, signature, (err, ok) => resolve(!err && ok)));
const tooMany = (message: string, retryAfterSeconds: number): DomainError =>
  new DomainError('TOO_MANY_REQUESTS', message, undefined, retryAfterSeconds);

const canonicalIp = (text: string): string => {
  const ip = parseIp(text.trim());
  if (!ip) throw badRequest('ip must be an IPv4 or IPv6 address such as 10.1.2.3', 'ip');
  return formatIp(ip.family, ip.value);
};

/**
 * Ed25519 public key from standard base64 of its raw 32 bytes (the registration format); null
 * unless it is one canonical encoding of a point of large order (ed25519-checks.ts).
 */
export function ed25519KeyFromBase64(text: string): KeyObject | null {
  const raw = Buffer.from(text, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== text || publicKeyFlaw(raw)) return null;
  try {
    return createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return null;
  }
}

/** AGT-2: a weak key would let anyone sign for the host; the message says what to send instead. */
function checkPublicKey(text: string): void {
  const flaw = publicKeyFlaw(Buffer.from(text, 'base64'));
  if (flaw === 'small-order') {
    throw badRequest(
      'public_key is a small-order Ed25519 point, which anyone could sign for: generate a new key pair (Go: ed25519.GenerateKey) and send its public key',
      'public_key',
    );
  }
  if (flaw === 'non-canonical') {
    throw badRequest(
      'public_key is not the canonical encoding of an Ed25519 point: send the 32 bytes ed25519.PublicKey holds, unchanged',
      'public_key',
    );
  }
  if (!ed25519KeyFromBase64(text)) {
    throw badRequest(
      'public_key is not a valid Ed25519 public key: send the raw 32 bytes in standard base64',
      'public_key',
    );
  }
}

/**
 * AGT-2: agents of a deactivated org or account are refused on every endpoint, once they have
 * authenticated (so only a holder of the secret or key learns the state).
 */
function requireActive(orgActive: boolean, accountActive: boolean): void {
  if (!accountActive) {
    throw forbidden(
      'This account is deactivated: its agents are refused (registration and heartbeats) until a platform operator reactivates it',
    );
  }
  if (!orgActive) {
    throw forbidden(
      'This organization is deactivated: its agents are refused (registration and heartbeats) until an admin reactivates it',
    );
  }
}

/** Agents are not users: their audit entries name the host, and carry no user id. */
const agentActor = (accountId: number, hostname: string): Actor => ({
  userId: 0,
  accountId,
  label: `agent ${hostname}`,
  isSupportEngineer: false,
  isPlatformOperator: false,
  readOnly: false,
  via: 'system',
});

/**
 * AGT-1 and AGT-2. The org secret only enrolls (and authenticates legacy agents); a Go agent then
 * proves itself with its own Ed25519 key, so regenerating the secret does not cut it off.
 */
export class AgentsService {
  private readonly limiter: RegistrationLimiter;

  constructor(private readonly d: AgentsDeps) {
    this.limiter = d.limiter ?? new RegistrationLimiter();
  }

  /**
   * Registers a host, or re-registers the host of the same hostname (ignoring ASCII case) in the
   * same org: it keeps its id and history, takes the new IP, agent type and key, and follows
   * LOC-3 again unless it is pinned. `created` tells the two apart.
   *
   * A Go host's key is its identity: another key (or turning it into a legacy agent) is taken
   * only with `extras.proof`, a signature by the current key, or after an admin's "reset host
   * identity" (hosts.resetIdentity) cleared it. Anyone else holding the org secret gets 409.
   *
   * One job of the agents' batch (uow.agentBatch): registrations arriving together share one
   * COMMIT, each in its own savepoint; the answer comes after the COMMIT.
   */
  async register(
    secret: string | undefined,
    raw: unknown,
    extras: RegisterExtras = {},
  ): Promise<AgentRegistration> {
    return this.withMatchers((r, rerun) => this.registerNow(r, secret, raw, extras, rerun));
  }

  /**
   * AGT-2: a signed (Go) or secret-bearing (legacy) heartbeat, one job of the agents' batch.
   *
   * A Go heartbeat's signature is verified before its job joins the batch, against the key read
   * from a snapshot, on libuv's thread pool: Ed25519 verification is most of a heartbeat's CPU,
   * and inside the job it held the shared write transaction and the event loop for the whole
   * batch (a console request waited behind every signature of it; a forgery waited for the
   * write lock). The job then reads the host again in its own transaction and lands only if the
   * key is still the one that verified (a key change or identity reset in between refuses it),
   * the org and account are active and the timestamp is later than the last accepted one.
   */
  async heartbeat(req: HeartbeatRequest): Promise<HeartbeatResult> {
    const hostId = heartbeatHostId(req.hostId);
    const verified = req.signature === undefined ? null : await this.verifyGo(hostId, req);
    const steady =
      verified && this.d.beats ? await this.steadyCoalesced(this.d.beats, req, verified) : null;
    if (steady) return steady;
    return this.withMatchers((r) => this.heartbeatNow(r, hostId, req, verified));
  }

  /**
   * One job of the agents' batch; a job that needs a location matcher the cache does not hold at
   * the org's revision (MatcherNeeded) runs again after loading it, through the unit of work
   * (the cache's `get`). The revision stays checked inside the job's own transaction, so a
   * subnet edit another process committed meanwhile is still seen. `rerun`: this is not the
   * job's first run (its rate limits are already counted).
   */
  private async withMatchers<T>(job: (r: AgentRepos, rerun: boolean) => Promise<T>): Promise<T> {
    for (let run = 1; ; run++) {
      try {
        return await this.d.uow.agentBatch((r) => job(r, run > 1));
      } catch (err) {
        if (!(err instanceof MatcherNeeded) || run === MATCHER_RUNS) throw err;
        await this.d.matchers.get(err.orgId);
      }
    }
  }

  /** The org's cached matcher at `revision` (read in the job's transaction), or the job ends. */
  private matcherAt(orgId: number, revision: number): OrgMatcher {
    const m = this.d.matchers.at(orgId, revision);
    if (!m) throw new MatcherNeeded(orgId);
    return m;
  }

  /**
   * The whole registration inside its job: the rate limits, the secret, the checks, the write and
   * its audit entry, in this order, so a refusal names the first thing wrong and a failure leaves
   * nothing written. It awaits repository calls only (agentBatch's rule).
   */
  private async registerNow(
    r: AgentRepos,
    secret: string | undefined,
    raw: unknown,
    extras: RegisterExtras,
    rerun: boolean,
  ): Promise<AgentRegistration> {
    // The address first, before any work: it also bounds guessing and floods of wrong secrets.
    const now = this.d.clock.now();
    if (extras.clientAddress !== undefined && !rerun) {
      const wait = this.limiter.takeAddress(extras.clientAddress, now);
      if (wait) {
        throw tooMany(
          `Too many registrations from this address; try again in ${wait} s (agents of a large rollout: retry after Retry-After)`,
          wait,
        );
      }
    }
    if (!secret) {
      throw unauthorized('Send the organization secret in the X-Organization-Secret header');
    }
    const org = await this.d.secrets.matchSecret(r, secret);
    if (!org) {
      throw unauthorized(
        'The organization secret is not valid (it may have been regenerated); ask an Orgdesk admin for the current one',
      );
    }
    requireActive(org.isActive, org.accountActive);
    const orgWait = rerun ? 0 : this.limiter.takeOrg(org.id, now);
    if (orgWait) {
      throw tooMany(
        `Too many registrations with this organization's secret; try again in ${orgWait} s (a mass rollout: retry after Retry-After)`,
        orgWait,
      );
    }
    const input = registerAgentInput.parse(raw ?? {});
    if (input.public_key) checkPublicKey(input.public_key);
    const ip = canonicalIp(input.ip);
    const assigned = assignWith(this.matcherAt(org.id, org.locationRevision), ip);
    const values = {
      hostname: input.hostname,
      ip,
      ipKey: ipSortKey(ip),
      agentType: input.agent_type,
      publicKey: input.public_key ?? null,
      now,
      secretGeneration: org.secretGeneration,
    };
    // Insert unless the org has the hostname (one conditional statement on the unique folded
    // key); a host found, or one a concurrent registration inserted first, is registered again.
    let existing = await r.agents.hostByHostname(org.id, input.hostname);
    const inserted = existing
      ? undefined
      : await r.agents.insertHostIfAbsent({
          ...values,
          organizationId: org.id,
          locationId: assigned.locationId,
        });
    existing ??= inserted ? undefined : await r.agents.hostByHostname(org.id, input.hostname);
    let keyChange: KeyChange = null;
    let row: HostRow;
    if (existing) {
      keyChange = await this.keyChange(r, existing, input.public_key ?? null, extras.proof, now);
      row = await r.agents.reregisterHost(existing.id, {
        ...values,
        locationId: existing.pinned ? existing.locationId : assigned.locationId,
      });
    } else {
      row = inserted!;
    }
    await r.audit.record(agentActor(org.accountId, input.hostname), {
      accountId: org.accountId,
      organizationId: org.id,
      action: existing ? 'host.reregistered' : 'host.registered',
      targetType: 'host',
      targetId: row.id,
      details: {
        hostname: row.hostname,
        ip,
        agent_type: row.agentType,
        location_id: row.locationId,
        matched_subnet: row.pinned ? null : assigned.subnet,
        pinned: row.pinned,
        ...(existing ? { key_change: keyChange } : {}),
      },
    });
    return {
      host_id: row.id,
      organization_id: org.id,
      location_id: row.locationId,
      created: !existing,
    };
  }

  /** AGT-2 inside its job: a heartbeat updates last-seen and the IP. */
  private async heartbeatNow(
    r: AgentRepos,
    hostId: number,
    req: HeartbeatRequest,
    verified: VerifiedBeat | null,
  ): Promise<HeartbeatResult> {
    if (verified) {
      const landed = await this.steadyInJob(r, hostId, req, verified);
      if (landed) return landed;
    }
    let host: HostRow;
    let signedAt: number | null = null;
    let secretGeneration: number | null = null;
    if (verified) ({ host, signedAt } = await this.recheckSigned(r, hostId, verified));
    else if (req.secret !== undefined)
      ({ host, secretGeneration } = await this.verifyLegacy(r, hostId, req.secret));
    else {
      throw unauthorized(
        'Authenticate the heartbeat: Go agents send X-Timestamp and X-Signature, legacy agents X-Organization-Secret',
      );
    }
    const input = heartbeatInput.parse(req.input ?? {});
    const ip = input.ip === undefined ? null : canonicalIp(input.ip);
    return await this.touch(r, host, ip, signedAt, secretGeneration);
  }

  /**
   * A Go heartbeat in the steady state (same key, tenant active, same address, a later second):
   * one conditional UPDATE instead of reading the host again and then writing. Null, having
   * written nothing, when any of that does not hold or the body does not parse: the full path
   * then re-reads the host and answers as before, naming the first thing wrong. (On PostgreSQL
   * steadyCoalesced came first; a heartbeat it did not land gets here.)
   */
  private async steadyInJob(
    r: AgentRepos,
    hostId: number,
    req: HeartbeatRequest,
    verified: VerifiedBeat,
  ): Promise<HeartbeatResult | null> {
    const parsed = heartbeatInput.safeParse(req.input ?? {});
    if (!parsed.success) return null;
    let ip: string | null = null;
    if (parsed.data.ip !== undefined) {
      const found = parseIp(parsed.data.ip.trim());
      if (!found) return null;
      ip = formatIp(found.family, found.value);
    }
    const now = this.d.clock.now();
    const landed = await r.agents.seenSignedSteady(hostId, {
      now,
      signedAt: verified.signedAt,
      publicKey: verified.publicKey,
      ip,
    });
    if (!landed) return null;
    return {
      host_id: hostId,
      location_id: landed.locationId,
      last_seen_at: iso(now),
      agent_type: 'go',
    };
  }

  /**
   * Whether re-registering `host` with `newKey` changes its identity, and if so whether that is
   * allowed: a proof by the current key (its signed second is used up, as a heartbeat's is), or
   * no current key at all (reset by an admin). Otherwise 409, saying what to do.
   */
  private async keyChange(
    r: AgentRepos,
    host: HostRow,
    newKey: string | null,
    proof: RegistrationProof | undefined,
    now: number,
  ): Promise<KeyChange> {
    // A legacy host proves nothing beyond the org secret: there is no identity to protect.
    if (host.agentType !== 'go') return null;
    if (host.publicKey === null) return 'set_after_identity_reset';
    if (host.publicKey === newKey) return null;
    if (proof?.signature === undefined) {
      throw conflict(
        `Host ${host.id} (${host.hostname}) is registered with another public key. To move it to a new key, sign this registration with its current key: X-Timestamp (Unix seconds) and X-Signature, the Ed25519 signature of "register.${host.id}.<timestamp>.<hex SHA-256 of the exact body>"; or have an admin reset the host's identity (POST /api/v1/hosts/${host.id}/reset-identity), then register again`,
        'public_key',
      );
    }
    const signedAt = this.verifyHostSignature(
      host,
      'registration',
      proof.timestamp,
      proof.signature,
      (ts) => registrationSigningString(host.id, ts, sha256Hex(proof.rawBody)),
      now,
    );
    if (!(await r.agents.useSignedSecond(host.id, signedAt))) {
      throw await this.outOfOrder(r, host.id, signedAt);
    }
    return 'signed_by_previous_key';
  }

  /**
   * A Go heartbeat's signature, checked outside any transaction against the host's key as a
   * snapshot read it (the Unix second it was signed at; its order is the job's to check).
   */
  private async verifyGo(hostId: number, req: HeartbeatRequest): Promise<VerifiedBeat> {
    // Malformed headers are named before anything is looked up.
    if (!UNIX_SECONDS.test(req.timestamp ?? '')) {
      throw badRequest('X-Timestamp must be Unix time in whole seconds', 'x-timestamp');
    }
    const host = (
      await (this.d.beats
        ? this.d.beats.hostWithTenant(hostId)
        : this.d.uow.read((r) => r.agents.hostWithTenant(hostId)))
    )?.host;
    if (!host || host.agentType !== 'go') throw notVerified(hostId);
    const check = this.signatureCheck(host, req.timestamp, req.signature, (ts) =>
      heartbeatSigningString(req.hostId!, ts, sha256Hex(req.rawBody)),
    );
    const ok = check.key !== null && (await verifyOffLoop(check.data, check.key, check.signature));
    const signedAt = this.signatureVerdict(ok, host, 'heartbeat', check, this.d.clock.now());
    return { publicKey: host.publicKey!, signedAt, host };
  }

  /**
   * PostgreSQL's steady state: a verified heartbeat from the host's stored address, written by
   * the coalesced conditional write (SignedHeartbeats.seenSigned), which re-checks the key, the
   * tenant and the order on the row it locks. null: not this path (a new address needs LOC-3
   * and its audit; a malformed body its 400 after the checks) or it did not land — the per-job
   * path then runs and answers (409 replay, 401 key changed, 403 deactivated) as it always has.
   */
  private async steadyCoalesced(
    beats: SignedHeartbeats,
    req: HeartbeatRequest,
    verified: VerifiedBeat,
  ): Promise<HeartbeatResult | null> {
    const input = heartbeatInput.safeParse(req.input ?? {});
    if (!input.success) return null;
    const { host } = verified;
    if (input.data.ip !== undefined) {
      const ip = parseIp(input.data.ip.trim());
      if (!ip || formatIp(ip.family, ip.value) !== host.ip) return null;
    }
    const now = this.d.clock.now();
    const landed = await beats.seenSigned({
      hostId: host.id,
      publicKey: verified.publicKey,
      signedAt: verified.signedAt,
      now,
    });
    if (!landed) return null;
    return {
      host_id: host.id,
      location_id: landed.locationId,
      last_seen_at: iso(now),
      agent_type: host.agentType,
    };
  }

  /**
   * Inside the job: the host as its transaction reads it, still holding the key that verified
   * (else the signature proves nothing about it now: refused as one that does not verify), and
   * its org and account active.
   */
  private async recheckSigned(
    r: AgentRepos,
    hostId: number,
    verified: VerifiedBeat,
  ): Promise<{ host: HostRow; signedAt: number }> {
    const found = await r.agents.hostWithTenant(hostId);
    const host = found?.host;
    if (!host || host.agentType !== 'go' || host.publicKey !== verified.publicKey) {
      throw notVerified(hostId);
    }
    requireActive(found.orgActive, found.accountActive);
    return { host, signedAt: verified.signedAt };
  }

  /**
   * AGT-2: a signature by a Go host's current key over `message(timestamp)`, canonical (S < L,
   * R canonical) and signed within the window; the signed Unix second (its order is the caller's
   * conditional UPDATE to check). Synchronous: a registration's key-change proof, inside its job.
   */
  private verifyHostSignature(
    host: HostRow,
    what: 'heartbeat' | 'registration',
    timestampText: string | undefined,
    signatureText: string | undefined,
    message: (timestamp: string) => string,
    now: number,
  ): number {
    const check = this.signatureCheck(host, timestampText, signatureText, message);
    const ok = check.key !== null && verify(null, check.data, check.key, check.signature);
    return this.signatureVerdict(ok, host, what, check, now);
  }

  /**
   * What is refused before verifying (malformed or non-canonical signatures, a reset or weak
   * key), and what to verify; `key` is null when nothing could verify (a malformed signature).
   */
  private signatureCheck(
    host: HostRow,
    timestampText: string | undefined,
    signatureText: string | undefined,
    message: (timestamp: string) => string,
  ): SignatureCheck {
    const timestamp = timestampText ?? '';
    if (!UNIX_SECONDS.test(timestamp)) {
      throw badRequest('X-Timestamp must be Unix time in whole seconds', 'x-timestamp');
    }
    const signature = Buffer.from(signatureText ?? '', 'base64');
    // Refused before verifying, whatever OpenSSL would make of them: S >= L or a second encoding
    // of R would turn one signature into several.
    const flaw = signatureFlaw(signature);
    if (flaw && flaw !== 'length') {
      throw unauthorized(
        'X-Signature is not a canonical Ed25519 signature (S must be below the group order L and R canonically encoded); send the 64 bytes ed25519.Sign returns, unchanged',
      );
    }
    if (host.publicKey === null) {
      throw unauthorized(
        `Host ${host.id}'s identity was reset by an admin: its old key signs nothing; register it again (with the org secret) to set its new key`,
      );
    }
    if (publicKeyFlaw(Buffer.from(host.publicKey, 'base64'))) {
      // Registered before keys were checked: a weak key proves nothing, so nothing it signs counts.
      throw unauthorized(
        `Host ${host.id} registered a weak Ed25519 key that anyone could sign for: an admin must reset its identity (POST /api/v1/hosts/${host.id}/reset-identity), then register it again with a new key`,
      );
    }
    const key = flaw ? null : ed25519KeyFromBase64(host.publicKey);
    return { key, data: Buffer.from(message(timestamp)), signature, signedAt: Number(timestamp) };
  }

  /** A verification's outcome: 401 unless it verified and was signed within the window. */
  private signatureVerdict(
    ok: boolean,
    host: HostRow,
    what: 'heartbeat' | 'registration',
    check: SignatureCheck,
    now: number,
  ): number {
    if (!ok) {
      throw what === 'heartbeat'
        ? notVerified(host.id)
        : unauthorized(
            `The registration's X-Signature does not verify with host ${host.id}'s current key over "register.${host.id}.<X-Timestamp>.<hex SHA-256 of the exact body>"`,
          );
    }
    if (Math.abs(now - check.signedAt * 1000) > HEARTBEAT_WINDOW_MS) {
      throw unauthorized(
        `The ${what} timestamp is more than ${HEARTBEAT_WINDOW_MS / 60_000} minutes from the server's clock; check the agent's clock`,
      );
    }
    return check.signedAt;
  }

  /** 409: a replay, or a second heartbeat signed in the same second (or with a clock gone back). */
  private async outOfOrder(r: AgentRepos, hostId: number, signedAt: number): Promise<DomainError> {
    const last = (await r.agents.hostById(hostId))?.lastSignedAt ?? null;
    return new DomainError(
      'CONFLICT',
      `Host ${hostId} already sent a signature made at ${last ?? signedAt} (Unix seconds); this one (${signedAt}) is a replay or out of order. Each heartbeat (and key-change proof) needs a later X-Timestamp than the last accepted one: wait for the next second, then sign again`,
      'x-timestamp',
    );
  }

  private async verifyLegacy(
    r: AgentRepos,
    hostId: number,
    secret: string,
  ): Promise<{ host: HostRow; secretGeneration: number }> {
    const org = await this.d.secrets.matchSecret(r, secret);
    const host = org ? await r.agents.hostInOrg(hostId, org.id) : undefined;
    if (!org || !host) {
      throw unauthorized(
        'The organization secret is not valid for this host (it may have been regenerated); ask an Orgdesk admin for the current one',
      );
    }
    if (host.agentType !== 'legacy') {
      throw unauthorized('This host registered as a Go agent: sign its heartbeats (X-Signature)');
    }
    requireActive(org.isActive, org.accountActive);
    return { host, secretGeneration: org.secretGeneration };
  }

  /**
   * Sets last-seen (and a changed IP, with LOC-3 unless pinned). A signed heartbeat lands only if
   * its timestamp is later than the host's last accepted one (hosts.last_signed_at), in the same
   * UPDATE: so a replay is refused across restarts and replicas, and nothing is kept in memory.
   */
  private async touch(
    r: AgentRepos,
    host: HostRow,
    ip: string | null,
    signedAt: number | null,
    secretGeneration: number | null,
  ): Promise<HeartbeatResult> {
    const now = this.d.clock.now();
    const moved = ip !== null && ip !== host.ip;
    const locationId =
      moved && !host.pinned
        ? assignWith(
            this.matcherAt(
              host.organizationId,
              await r.agents.locationRevision(host.organizationId),
            ),
            ip,
          ).locationId
        : host.locationId;
    if (signedAt !== null) {
      // From its stored address (the steady state) a heartbeat writes last-seen and its second.
      const landed = moved
        ? await r.agents.seenSignedMoved(host.id, {
            now,
            signedAt,
            ip,
            ipKey: ipSortKey(ip),
            locationId,
          })
        : await r.agents.seenSigned(host.id, { now, signedAt });
      if (!landed) throw await this.outOfOrder(r, host.id, signedAt);
    } else if (moved) {
      await r.agents.seenLegacyMoved(host.id, {
        now,
        ip,
        ipKey: ipSortKey(ip),
        locationId,
        secretGeneration,
      });
    } else await r.agents.seenLegacy(host.id, now, secretGeneration);
    if (locationId !== host.locationId) {
      const accountId = await r.agents.accountOfOrg(host.organizationId);
      await r.audit.record(agentActor(accountId, host.hostname), {
        accountId,
        organizationId: host.organizationId,
        action: 'host.reassigned',
        targetType: 'host',
        targetId: host.id,
        details: { ip, from_location_id: host.locationId, to_location_id: locationId },
      });
    }
    return {
      host_id: host.id,
      location_id: locationId,
      last_seen_at: iso(now),
      agent_type: host.agentType,
    };
  }
}
