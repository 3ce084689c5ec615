import { AGENT_HEADERS } from '../../../shared/schemas/agents.schema';
import { parseJsonBody } from '../http-io';
import { open, reply, type Route } from './http-kit';

/**
 * AGT-1/2 for agents: no bearer token. Registration authenticates with the org secret; heartbeats
 * with an Ed25519 signature (Go) or the org secret (legacy). Header names: AGENT_HEADERS.
 * Both are the server's highest-rate writes, so they go through the group commit.
 */
export const agentRoutes: Route[] = [
  open('POST', '/api/v1/agents/register', async (r) => {
    const result = await r.services.groupCommit.run(() =>
      r.services.agents.register(r.header(AGENT_HEADERS.secret), r.body()),
    );
    return reply(result.created ? 201 : 200, result);
  }),
  open('POST', '/api/v1/agents/heartbeat', (r) =>
    r.services.groupCommit.run(() =>
      r.services.agents.heartbeat({
        hostId: r.header(AGENT_HEADERS.hostId),
        timestamp: r.header(AGENT_HEADERS.timestamp),
        signature: r.header(AGENT_HEADERS.signature),
        secret: r.header(AGENT_HEADERS.secret),
        rawBody: r.rawBody,
        input: parseJsonBody(r.rawBody),
      }),
    ),
  ),
];
