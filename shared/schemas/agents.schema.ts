import { z } from 'zod';
import { parseIp } from '../cidr';
import { AGENT_TYPES } from './hosts.schema';

/**
 * The agent protocol (AGT-1, AGT-2). Header names are part of the contract with agents in the
 * field, so they live here beside the body schemas.
 */
export const AGENT_HEADERS = {
  /** The org secret: every registration, and every legacy heartbeat. */
  secret: 'x-organization-secret',
  /** The host id the registration answered: every heartbeat. */
  hostId: 'x-host-id',
  /** Go heartbeats: Unix time in whole seconds when the agent signed. */
  timestamp: 'x-timestamp',
  /** Go heartbeats: base64 Ed25519 signature over `${hostId}.${timestamp}.${sha256hex(body)}`. */
  signature: 'x-signature',
} as const;

/**
 * What a Go agent signs with its CURRENT key to move its host to a new key (or to legacy) when it
 * registers again: sent as X-Timestamp and X-Signature on the registration. The "register." prefix
 * keeps it apart from heartbeat signatures (which start with the host id); the body digest covers
 * the hostname and the new public key.
 */
export const registrationSigningString = (
  hostId: number | string,
  timestamp: number | string,
  bodySha256Hex: string,
): string => `register.${hostId}.${timestamp}.${bodySha256Hex}`;

/** Go heartbeats whose timestamp is further than this from the server's clock are refused. */
export const HEARTBEAT_WINDOW_MS = 5 * 60 * 1000;

/** The exact bytes a Go agent signs for a heartbeat; the body digest is SHA-256 in lower-case hex. */
export const heartbeatSigningString = (
  hostId: number | string,
  timestamp: number | string,
  bodySha256Hex: string,
): string => `${hostId}.${timestamp}.${bodySha256Hex}`;

const ipField = z
  .string({ error: 'ip must be the primary IPv4 or IPv6 address as text, e.g. 10.1.2.3' })
  .trim()
  .refine((v) => parseIp(v) !== null, {
    message: 'ip must be an IPv4 or IPv6 address such as 10.1.2.3 or 2001:db8::1',
  });

// A DNS label set or a NetBIOS name: letters, digits, '-', '_' and '.', no spaces or controls.
const HOSTNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

/**
 * Ed25519 public keys travel as standard base64 of the raw 32-byte key (44 characters with its
 * '=' padding) — what Go's `base64.StdEncoding.EncodeToString(ed25519.PublicKey)` prints.
 */
const ED25519_RAW_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

export const registerAgentInput = z
  .strictObject({
    hostname: z
      .string({ error: 'hostname must be text' })
      .trim()
      .min(1, 'hostname is required')
      .max(253, 'hostname must be at most 253 characters')
      .regex(HOSTNAME, 'hostname may hold only letters, digits, "-", "_" and "." (no spaces)'),
    ip: ipField,
    agent_type: z.enum(AGENT_TYPES, { error: 'agent_type must be go or legacy' }),
    public_key: z
      .string({ error: 'public_key must be text' })
      .trim()
      .regex(
        ED25519_RAW_BASE64,
        'public_key must be the raw 32-byte Ed25519 public key in standard base64 (44 characters ending in "=")',
      )
      .nullish(),
  })
  .superRefine((v, ctx) => {
    if (v.agent_type === 'go' && !v.public_key) {
      ctx.addIssue({
        code: 'custom',
        path: ['public_key'],
        message: 'public_key is required for Go agents: send the Ed25519 public key they sign with',
      });
    }
    if (v.agent_type === 'legacy' && v.public_key) {
      ctx.addIssue({
        code: 'custom',
        path: ['public_key'],
        message: 'public_key is only for Go agents: legacy agents authenticate with the secret',
      });
    }
  });
export type RegisterAgentInput = z.input<typeof registerAgentInput>;

export const heartbeatInput = z.strictObject({
  /** The host's current primary IP, when the agent knows it changed (or on every beat). */
  ip: ipField.optional(),
});
export type HeartbeatInput = z.input<typeof heartbeatInput>;

// What the agent endpoints answer, for the OpenAPI document and the contract tests (never parsed
// on the way out).
const positiveId = z.number().int().positive();

export const agentRegistrationOutput = z.strictObject({
  host_id: positiveId.describe('The id to send as X-Host-Id with every heartbeat'),
  organization_id: positiveId,
  location_id: positiveId.describe('Where the host landed (longest subnet prefix, LOC-3)'),
  created: z
    .boolean()
    .describe('false when an existing host of the same hostname in the org was re-registered'),
});
export type AgentRegistration = z.infer<typeof agentRegistrationOutput>;

export const heartbeatResultOutput = z.strictObject({
  host_id: positiveId,
  location_id: positiveId,
  last_seen_at: z.string().describe('ISO 8601 time in UTC, e.g. 2026-01-31T12:00:00.000Z'),
  agent_type: z.enum(AGENT_TYPES),
});
export type HeartbeatResult = z.infer<typeof heartbeatResultOutput>;
