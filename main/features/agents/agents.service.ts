import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso, type Clock } from '../../core/clock';
import { sha256Hex } from '../../core/crypto';
import { DomainError, badRequest, forbidden } from '../../core/errors';
import type { Db } from '../../db/database';
import { hosts, organizations } from '../../db/schema';
import { formatIp, ipSortKey, parseIp } from '../../../shared/cidr';
import {
  HEARTBEAT_WINDOW_MS,
  heartbeatInput,
  heartbeatSigningString,
  registerAgentInput,
  type AgentRegistration,
  type HeartbeatResult,
} from '../../../shared/schemas/agents.schema';
import type { LocationMatcherCache } from '../locations/location-matcher';
import type { SecretsService } from '../organizations/secrets.service';
import { ReplayCache } from './replay-cache';

export interface AgentsDeps {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  secrets: SecretsService;
  matchers: LocationMatcherCache;
  replay?: ReplayCache;
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

type HostRow = typeof hosts.$inferSelect;

const POSITIVE_INT = /^[1-9][0-9]{0,15}$/;
const UNIX_SECONDS = /^(0|[1-9][0-9]{0,11})$/;

const unauthorized = (message: string): DomainError => new DomainError('UNAUTHORIZED', message);

const canonicalIp = (text: string): string => {
  const ip = parseIp(text.trim());
  if (!ip) throw badRequest('ip must be an IPv4 or IPv6 address such as 10.1.2.3', 'ip');
  return formatIp(ip.family, ip.value);
};

/** Ed25519 public key from standard base64 of its raw 32 bytes (the registration format). */
export function ed25519KeyFromBase64(text: string): KeyObject | null {
  const raw = Buffer.from(text, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== text) return null;
  try {
    return createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return null;
  }
}

/** Agents are not users: their audit entries name the host, and carry no user id. */
const agentActor = (accountId: number, hostname: string): Actor => ({
  userId: 0,
  accountId,
  label: `agent ${hostname}`,
  isSupportEngineer: false,
  readOnly: false,
  via: 'system',
});

/**
 * AGT-1 and AGT-2. The org secret only enrolls (and authenticates legacy agents); a Go agent then
 * proves itself with its own Ed25519 key, so regenerating the secret does not cut it off.
 */
export class AgentsService {
  private readonly replay: ReplayCache;
  // Every registration and heartbeat runs these: built and prepared once, not per request.
  private readonly q;
  constructor(private readonly d: AgentsDeps) {
    this.replay = d.replay ?? new ReplayCache();
    const p = (name: string) => sql.placeholder(name);
    const { db } = d;
    this.q = {
      byHostname: db
        .select()
        .from(hosts)
        .where(
          and(
            eq(hosts.organizationId, p('orgId')),
            sql`${hosts.hostname} = ${p('hostname')} COLLATE NOCASE`,
          ),
        )
        .orderBy(asc(hosts.id))
        .limit(1)
        .prepare(),
      byId: db
        .select()
        .from(hosts)
        .where(eq(hosts.id, p('id')))
        .prepare(),
      insert: db
        .insert(hosts)
        .values({
          organizationId: p('organizationId'),
          locationId: p('locationId'),
          hostname: p('hostname'),
          ip: p('ip'),
          ipKey: p('ipKey'),
          agentType: p('agentType'),
          publicKey: p('publicKey'),
          registeredAt: p('now'),
          lastSeenAt: p('now'),
        })
        .returning()
        .prepare(),
      // .set() takes SQL, not bare placeholders: hence sql`${p(...)}` below.
      reregister: db
        .update(hosts)
        .set({
          hostname: sql`${p('hostname')}`,
          ip: sql`${p('ip')}`,
          ipKey: sql`${p('ipKey')}`,
          agentType: sql`${p('agentType')}`,
          publicKey: sql`${p('publicKey')}`,
          locationId: sql`${p('locationId')}`,
          lastSeenAt: sql`${p('now')}`,
        })
        .where(eq(hosts.id, p('id')))
        .returning()
        .prepare(),
      seen: db
        .update(hosts)
        .set({ lastSeenAt: sql`${p('now')}` })
        .where(eq(hosts.id, p('id')))
        .prepare(),
    };
  }

  /**
   * Registers a host, or re-registers the host of the same hostname (ignoring ASCII case) in the
   * same org: it keeps its id and history, takes the new IP, agent type and key, and follows
   * LOC-3 again unless it is pinned. `created` tells the two apart.
   */
  register(secret: string | undefined, raw: unknown): AgentRegistration {
    if (!secret) {
      throw unauthorized('Send the organization secret in the X-Organization-Secret header');
    }
    const org = this.d.secrets.findOrgBySecret(secret);
    if (!org) {
      throw unauthorized(
        'The organization secret is not valid (it may have been regenerated); ask an Orgdesk admin for the current one',
      );
    }
    if (!org.isActive) {
      throw forbidden(
        'This organization is deactivated and accepts no agent registrations; reactivate it first',
      );
    }
    const input = registerAgentInput.parse(raw ?? {});
    if (input.public_key && !ed25519KeyFromBase64(input.public_key)) {
      throw badRequest(
        'public_key is not a valid Ed25519 public key: send the raw 32 bytes in standard base64',
        'public_key',
      );
    }
    const ip = canonicalIp(input.ip);
    const assigned = this.d.matchers.assign(org.id, ip);
    const now = this.d.clock.now();
    return this.d.db.transaction(() => {
      const existing = this.q.byHostname.get({ orgId: org.id, hostname: input.hostname });
      const values = {
        hostname: input.hostname,
        ip,
        ipKey: ipSortKey(ip),
        agentType: input.agent_type,
        publicKey: input.public_key ?? null,
        now,
      };
      const row = existing
        ? this.q.reregister.get({
            ...values,
            id: existing.id,
            locationId: existing.pinned ? existing.locationId : assigned.locationId,
          })!
        : this.q.insert.get({
            ...values,
            organizationId: org.id,
            locationId: assigned.locationId,
          })!;
      this.d.audit.record(agentActor(org.accountId, input.hostname), {
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
        },
      });
      return {
        host_id: row.id,
        organization_id: org.id,
        location_id: row.locationId,
        created: !existing,
      };
    });
  }

  /** AGT-2: a signed (Go) or secret-bearing (legacy) heartbeat updates last-seen and the IP. */
  heartbeat(req: HeartbeatRequest): HeartbeatResult {
    if (!req.hostId || !POSITIVE_INT.test(req.hostId)) {
      throw badRequest(
        'X-Host-Id must be the host id the registration answered (a positive whole number)',
        'x-host-id',
      );
    }
    const hostId = Number(req.hostId);
    let host: HostRow;
    if (req.signature !== undefined) host = this.verifySigned(hostId, req);
    else if (req.secret !== undefined) host = this.verifyLegacy(hostId, req.secret);
    else {
      throw unauthorized(
        'Authenticate the heartbeat: Go agents send X-Timestamp and X-Signature, legacy agents X-Organization-Secret',
      );
    }
    const input = heartbeatInput.parse(req.input ?? {});
    return this.touch(host, input.ip === undefined ? null : canonicalIp(input.ip));
  }

  private verifySigned(hostId: number, req: HeartbeatRequest): HostRow {
    const timestamp = req.timestamp ?? '';
    if (!UNIX_SECONDS.test(timestamp)) {
      throw badRequest('X-Timestamp must be Unix time in whole seconds', 'x-timestamp');
    }
    const signature = Buffer.from(req.signature ?? '', 'base64');
    const host = this.q.byId.get({ id: hostId });
    const key = host?.agentType === 'go' && host.publicKey && ed25519KeyFromBase64(host.publicKey);
    const message = heartbeatSigningString(req.hostId!, timestamp, sha256Hex(req.rawBody));
    if (
      !host ||
      !key ||
      signature.length !== 64 ||
      !verify(null, Buffer.from(message), key, signature)
    ) {
      throw unauthorized(
        `The heartbeat signature does not verify for host ${hostId} (unknown host, a legacy agent, or not the key it registered)`,
      );
    }
    const now = this.d.clock.now();
    const signedAt = Number(timestamp) * 1000;
    if (Math.abs(now - signedAt) > HEARTBEAT_WINDOW_MS) {
      throw unauthorized(
        `The heartbeat timestamp is more than ${HEARTBEAT_WINDOW_MS / 60_000} minutes from the server's clock; check the agent's clock`,
      );
    }
    // Keyed by what was signed, so a re-encoded or malleated signature is still a replay.
    const seen = this.replay.remember(message, signedAt + HEARTBEAT_WINDOW_MS + 1, now);
    if (seen === 'replay') throw unauthorized('This heartbeat was already received (replay)');
    if (seen === 'full') {
      throw new DomainError(
        'TOO_MANY_REQUESTS',
        'Too many heartbeats in flight; try again shortly',
        undefined,
        5,
      );
    }
    return host;
  }

  private verifyLegacy(hostId: number, secret: string): HostRow {
    const org = this.d.secrets.findOrgBySecret(secret);
    const host = org
      ? this.d.db
          .select()
          .from(hosts)
          .where(and(eq(hosts.id, hostId), eq(hosts.organizationId, org.id)))
          .get()
      : undefined;
    if (!org || !host) {
      throw unauthorized(
        'The organization secret is not valid for this host (it may have been regenerated); ask an Orgdesk admin for the current one',
      );
    }
    if (host.agentType !== 'legacy') {
      throw unauthorized('This host registered as a Go agent: sign its heartbeats (X-Signature)');
    }
    return host;
  }

  private touch(host: HostRow, ip: string | null): HeartbeatResult {
    const now = this.d.clock.now();
    const moved = ip !== null && ip !== host.ip;
    const locationId =
      moved && !host.pinned
        ? this.d.matchers.assign(host.organizationId, ip).locationId
        : host.locationId;
    this.d.db.transaction(() => {
      if (moved) {
        this.d.db
          .update(hosts)
          .set({ lastSeenAt: now, ip, ipKey: ipSortKey(ip), locationId })
          .where(eq(hosts.id, host.id))
          .run();
      } else this.q.seen.run({ id: host.id, now });
      if (locationId !== host.locationId) {
        const accountId = this.d.db
          .select({ accountId: organizations.accountId })
          .from(organizations)
          .where(eq(organizations.id, host.organizationId))
          .get()!.accountId;
        this.d.audit.record(agentActor(accountId, host.hostname), {
          accountId,
          organizationId: host.organizationId,
          action: 'host.reassigned',
          targetType: 'host',
          targetId: host.id,
          details: { ip, from_location_id: host.locationId, to_location_id: locationId },
        });
      }
    });
    return {
      host_id: host.id,
      location_id: locationId,
      last_seen_at: iso(now),
      agent_type: host.agentType,
    };
  }
}
