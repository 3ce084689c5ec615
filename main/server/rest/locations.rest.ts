import {
  updateLocationInput,
  type CreateLocationInput,
} from '../../../shared/schemas/locations.schema';
import { badRequest } from '../../core/errors';
import { authed, created, parseQuery, type Route } from './http-kit';

/** The patch part of a location update: field errors name `name`, not `patch.name`. */
const locationPatch = updateLocationInput.shape.patch;

/** LOC-1..4 over REST. */
export const locationRoutes: Route[] = [
  authed(
    'GET',
    '/api/v1/organizations/:id/locations',
    (r) => r.services.locations.list(r.actor, r.params.id!),
    { procedure: 'locations.list' },
  ),
  authed(
    'POST',
    '/api/v1/organizations/:id/locations',
    (r) => {
      const body = r.body();
      if (body.organization_id !== undefined && body.organization_id !== r.params.id) {
        throw badRequest(
          'organization_id comes from the path; leave it out of the body',
          'organization_id',
        );
      }
      return created(
        r.services.locations.create(r.actor, {
          ...r.body<CreateLocationInput>(),
          organization_id: r.params.id!,
        }),
      );
    },
    { procedure: 'locations.create' },
  ),
  authed(
    'GET',
    '/api/v1/organizations/:id/locations/resolve',
    (r) => {
      const { ip } = parseQuery(r.query, { ip: 'string' });
      if (ip === undefined) throw badRequest('ip is required, e.g. ?ip=10.1.2.3', 'ip');
      return r.services.locations.resolve(r.actor, { organization_id: r.params.id!, ip });
    },
    { procedure: 'locations.resolve' },
  ),
  authed('GET', '/api/v1/locations/:id', (r) => r.services.locations.get(r.actor, r.params.id!), {
    procedure: 'locations.get',
  }),
  authed(
    'PATCH',
    '/api/v1/locations/:id',
    (r) =>
      r.services.locations.update(r.actor, {
        id: r.params.id!,
        patch: locationPatch.parse(r.body()),
      }),
    { procedure: 'locations.update' },
  ),
  authed(
    'DELETE',
    '/api/v1/locations/:id',
    (r) => r.services.locations.delete(r.actor, r.params.id!),
    { procedure: 'locations.delete' },
  ),
];
