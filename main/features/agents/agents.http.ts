// AGT-1/2 for agents, the only REST endpoints written by hand (API-1): they take no bearer token
// and read raw bodies. Registration authenticates with the org secret; a heartbeat with an
// Ed25519 signature over the exact body bytes (Go) or the org secret (legacy). Both are the
// server's highest-rate writes, so they share commits (the unit of work's agentBatch). The server mounts these
// under /api/v1 beside the routes projected from the router; this file knows no HTTP server.
import type { z } from 'zod';
import { ORG_SECRET_PREFIX } from '../../core/crypto';
import { DomainError, badRequest } from '../../core/errors';
import { parseJsonBody } from '../../core/json-body';
import {
  AGENT_HEADERS,
  agentRegistrationOutput,
  heartbeatInput,
  heartbeatResultOutput,
  registerAgentInput,
} from '../../../shared/schemas/agents.schema';
import type { AgentsService } from './agents.service';

export interface AgentHttpRequest {
  /** One request header by its lower-case name. */
  header(name: string): string | undefined;
  /** The exact body bytes (a Go agent signs them). */
  rawBody: Buffer;
  /** The TCP peer's address (forwarding headers are not trusted): registration's rate limit. */
  clientAddress?: string;
}

export interface AgentEndpoint {
  method: 'POST';
  /** Under /api/v1. */
  path: string;
  summary: string;
  /** The headers it reads (documented as the agent security schemes). */
  headers: readonly string[];
  /** Headers it reads only in some cases, beside its security (documented as header parameters). */
  optionalHeaders?: readonly { name: string; description: string }[];
  body: z.ZodType;
  /** What a success answers (the OpenAPI document and the contract tests). */
  output: z.ZodType;
  /** The success statuses it answers; 200 when unset. */
  statuses?: readonly (200 | 201)[];
  /**
   * The header checks that need no body (API-3): the transport runs them before reading it, so
   * a request that cannot authenticate is refused without its upload ever being read.
   */
  precheck(header: (name: string) => string | undefined): void;
  handle(req: AgentHttpRequest): Promise<{ status: number; body: unknown }>;
}

// What randomToken(ORG_SECRET_PREFIX, 32) makes: the prefix and 43 base64url characters.
const WELL_FORMED_SECRET = new RegExp(`^${ORG_SECRET_PREFIX}[A-Za-z0-9_-]{43}$`);
const unauthorized = (message: string) => new DomainError('UNAUTHORIZED', message);

function precheckSecret(secret: string | undefined): void {
  if (!secret) {
    throw unauthorized('Send the organization secret in the X-Organization-Secret header');
  }
  if (!WELL_FORMED_SECRET.test(secret)) {
    throw unauthorized(
      'The organization secret is not valid (it may have been regenerated); ask an Orgdesk admin for the current one',
    );
  }
}

export function agentEndpoints(d: { agents: AgentsService }): AgentEndpoint[] {
  return [
    {
      method: 'POST',
      path: '/agents/register',
      summary:
        'Register an agent with its org secret: 201 with the new host, 200 when the hostname was already registered',
      headers: [AGENT_HEADERS.secret],
      optionalHeaders: [
        {
          name: 'X-Timestamp',
          description:
            "Only when a Go host moves to another key (or to legacy): Unix time in whole seconds of the proof, later than the host's last signature and within 5 minutes of the server",
        },
        {
          name: 'X-Signature',
          description:
            "Only when a Go host moves to another key (or to legacy): standard base64 Ed25519 signature by its CURRENT key over `register.${host id}.${X-Timestamp}.${sha256hex(exact body bytes)}`; without it (or an admin's reset of the host identity) the key change is 409",
        },
      ],
      body: registerAgentInput,
      output: agentRegistrationOutput,
      statuses: [201, 200],
      precheck: (header) => precheckSecret(header(AGENT_HEADERS.secret)),
      async handle(req) {
        const signature = req.header(AGENT_HEADERS.signature);
        // One job of the agents' batch (the service queues it): answered after the shared COMMIT.
        const result = await d.agents.register(
          req.header(AGENT_HEADERS.secret),
          parseJsonBody(req.rawBody) ?? {},
          {
            proof:
              signature === undefined
                ? undefined
                : {
                    signature,
                    timestamp: req.header(AGENT_HEADERS.timestamp),
                    rawBody: req.rawBody,
                  },
            clientAddress: req.clientAddress,
          },
        );
        return { status: result.created ? 201 : 200, body: result };
      },
    },
    {
      method: 'POST',
      path: '/agents/heartbeat',
      summary:
        'A heartbeat: signed with the host key (Go agents) or carrying the org secret (legacy)',
      headers: [
        AGENT_HEADERS.hostId,
        AGENT_HEADERS.timestamp,
        AGENT_HEADERS.signature,
        AGENT_HEADERS.secret,
      ],
      body: heartbeatInput,
      output: heartbeatResultOutput,
      precheck(header) {
        if (!/^[1-9][0-9]{0,15}$/.test(header(AGENT_HEADERS.hostId) ?? '')) {
          throw badRequest(
            'X-Host-Id must be the host id the registration answered (a positive whole number)',
            'x-host-id',
          );
        }
        if (header(AGENT_HEADERS.signature) !== undefined) {
          if (header(AGENT_HEADERS.timestamp) === undefined) {
            throw badRequest('X-Timestamp must be Unix time in whole seconds', 'x-timestamp');
          }
        } else if (header(AGENT_HEADERS.secret) !== undefined) {
          precheckSecret(header(AGENT_HEADERS.secret));
        } else {
          throw unauthorized(
            'Authenticate the heartbeat: Go agents send X-Timestamp and X-Signature, legacy agents X-Organization-Secret',
          );
        }
      },
      async handle(req) {
        const body = await d.agents.heartbeat({
          hostId: req.header(AGENT_HEADERS.hostId),
          timestamp: req.header(AGENT_HEADERS.timestamp),
          signature: req.header(AGENT_HEADERS.signature),
          secret: req.header(AGENT_HEADERS.secret),
          rawBody: req.rawBody,
          input: parseJsonBody(req.rawBody),
        });
        return { status: 200, body };
      },
    },
  ];
}
