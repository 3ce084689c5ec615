import { authed, page, parseQuery, type Route } from './http-kit';

/** AGT-4 over REST: hosts per org (and location), moved by hand (pinned), unpinned, removed. */
export const hostRoutes: Route[] = [
  authed(
    'GET',
    '/api/v1/organizations/:id/hosts',
    (r) =>
      page(
        r.services.hosts.list(r.actor, {
          ...parseQuery(r.query, {
            location_id: 'int',
            status: 'string',
            search: 'string',
            skip: 'int',
            limit: 'int',
          }),
          organization_id: r.params.id!,
        } as Parameters<typeof r.services.hosts.list>[1]),
      ),
    { procedure: 'hosts.list' },
  ),
  authed('GET', '/api/v1/hosts/:id', (r) => r.services.hosts.get(r.actor, r.params.id!), {
    procedure: 'hosts.get',
  }),
  authed(
    'POST',
    '/api/v1/hosts/:id/move',
    (r) => r.services.hosts.move(r.actor, { ...r.body(), id: r.params.id! }),
    { procedure: 'hosts.move' },
  ),
  authed('POST', '/api/v1/hosts/:id/unpin', (r) => r.services.hosts.unpin(r.actor, r.params.id!), {
    procedure: 'hosts.unpin',
  }),
  authed('DELETE', '/api/v1/hosts/:id', (r) => r.services.hosts.remove(r.actor, r.params.id!), {
    procedure: 'hosts.remove',
  }),
];
