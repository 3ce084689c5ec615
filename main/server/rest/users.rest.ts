import { updateUserInput } from '../../../shared/schemas/users.schema';
import { authed, created, type Route } from './http-kit';

/** The patch part of a user update: field errors name `name`, not `patch.name`. */
const userPatch = updateUserInput.shape.patch;

/** TEN-6 users and roles over REST. */
export const userRoutes: Route[] = [
  authed('GET', '/api/v1/users', (r) => r.services.users.list(r.actor), {
    procedure: 'users.list',
  }),
  authed('GET', '/api/v1/users/me', (r) => r.services.users.me(r.actor), {
    procedure: 'users.me',
  }),
  authed(
    'POST',
    '/api/v1/users',
    async (r) => created(await r.services.users.create(r.actor, r.body())),
    { procedure: 'users.create' },
  ),
  authed(
    'PATCH',
    '/api/v1/users/:id',
    (r) => r.services.users.update(r.actor, { id: r.params.id!, patch: userPatch.parse(r.body()) }),
    { procedure: 'users.update' },
  ),
  authed(
    'PUT',
    '/api/v1/users/:id/roles',
    (r) => r.services.users.setRoles(r.actor, { ...r.body(), id: r.params.id! }),
    { procedure: 'users.setRoles' },
  ),
];
