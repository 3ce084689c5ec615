import type { EraseUserInput } from '../../../shared/schemas/gdpr.schema';
import { authed, type Route } from './http-kit';

/** GDPR-1/2 over REST. Exports are audited, so they count as changes (tRPC: mutations). */
export const gdprRoutes: Route[] = [
  authed(
    'POST',
    '/api/v1/users/:id/erase',
    (r) =>
      r.services.gdpr.erase(r.actor, {
        ...r.body<Partial<EraseUserInput>>(),
        user_id: r.params.id!,
      } as EraseUserInput),
    { procedure: 'gdpr.eraseUser' },
  ),
  authed(
    'GET',
    '/api/v1/users/:id/export',
    (r) => r.services.gdpr.exportUser(r.actor, { user_id: r.params.id! }),
    { procedure: 'gdpr.exportUser', mutation: true },
  ),
  authed('GET', '/api/v1/account/export', (r) => r.services.gdpr.exportAccount(r.actor), {
    procedure: 'gdpr.exportAccount',
    mutation: true,
  }),
];
