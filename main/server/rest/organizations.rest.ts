import { authed, created, page, parseQuery, type Route } from './http-kit';

/** ORG-1..5 and SEC-2/3 over REST; the same service calls as the organizations router. */
export const organizationRoutes: Route[] = [
  authed(
    'GET',
    '/api/v1/organizations',
    (r) =>
      page(
        r.services.organizations.list(
          r.actor,
          parseQuery(r.query, {
            skip: 'int',
            limit: 'int',
            search: 'string',
            region: 'string',
            active_only: 'bool',
            is_active: 'bool',
            include_stats: 'bool',
          }),
        ),
      ),
    { procedure: 'organizations.list' },
  ),
  authed('GET', '/api/v1/organizations/regions', (r) => r.services.organizations.regions(r.actor), {
    procedure: 'organizations.regions',
  }),
  authed(
    'POST',
    '/api/v1/organizations',
    (r) => created(r.services.organizations.create(r.actor, r.body())),
    { procedure: 'organizations.create' },
  ),
  authed(
    'GET',
    '/api/v1/organizations/:id',
    (r) => r.services.organizations.get(r.actor, r.params.id!),
    { procedure: 'organizations.get' },
  ),
  authed(
    'PATCH',
    '/api/v1/organizations/:id',
    (r) => r.services.organizations.update(r.actor, r.params.id!, r.body()),
    { procedure: 'organizations.update' },
  ),
  authed(
    'DELETE',
    '/api/v1/organizations/:id',
    (r) =>
      r.services.organizations.delete(
        r.actor,
        r.params.id!,
        parseQuery(r.query, { hard_delete: 'bool' }).hard_delete ?? false,
      ),
    { procedure: 'organizations.delete' },
  ),
  // A reveal is audited, so it counts as a change (tRPC has it as a mutation too).
  authed(
    'GET',
    '/api/v1/organizations/:id/secret',
    (r) => r.services.secrets.reveal(r.actor, r.params.id!),
    { procedure: 'organizations.revealSecret', mutation: true },
  ),
  authed(
    'POST',
    '/api/v1/organizations/:id/secret/regenerate',
    (r) => r.services.secrets.regenerate(r.actor, { ...r.body(), id: r.params.id! }),
    { procedure: 'organizations.regenerateSecret' },
  ),
  authed(
    'GET',
    '/api/v1/organizations/:id/agent-config',
    (r) => r.services.secrets.agentConfig(r.actor, r.params.id!, r.serverUrl),
    { procedure: 'organizations.agentConfig', mutation: true },
  ),
];
