import type {
  DecideSupportRequestInput,
  EmergencyDisableInput,
  ListSupportRequestsInput,
  RequestSupportInput,
} from '../../../shared/schemas/support-access.schema';
import { authed, created, page, parseQuery, type Route } from './http-kit';

const BASE = '/api/v1/support-access';

/** SUP-1..6 over REST: the same service calls as the supportAccess router. */
export const supportAccessRoutes: Route[] = [
  authed(
    'GET',
    `${BASE}/status`,
    (r) => r.services.supportAccess.status(r.actor, parseQuery(r.query, { account_id: 'int' })),
    { procedure: 'supportAccess.status' },
  ),
  authed('POST', `${BASE}/enable`, (r) => r.services.supportAccess.enable(r.actor, r.body()), {
    procedure: 'supportAccess.enable',
  }),
  authed('POST', `${BASE}/disable`, (r) => r.services.supportAccess.disable(r.actor, r.body()), {
    procedure: 'supportAccess.disable',
  }),
  authed(
    'POST',
    `${BASE}/emergency-disable`,
    (r) => r.services.supportAccess.emergencyDisable(r.actor, r.body<EmergencyDisableInput>()),
    { procedure: 'supportAccess.emergencyDisable' },
  ),
  authed(
    'GET',
    `${BASE}/requests`,
    (r) =>
      page(
        r.services.supportAccess.requests(
          r.actor,
          parseQuery(r.query, {
            status: 'string',
            skip: 'int',
            limit: 'int',
          }) as ListSupportRequestsInput,
        ),
      ),
    { procedure: 'supportAccess.requests' },
  ),
  // The one write a support engineer may make (SUPPORT_ENGINEER_MUTATIONS).
  authed(
    'POST',
    `${BASE}/requests`,
    (r) => created(r.services.supportAccess.request(r.actor, r.body<RequestSupportInput>())),
    { procedure: 'supportAccess.request' },
  ),
  authed(
    'POST',
    `${BASE}/requests/:id/approve`,
    (r) =>
      r.services.supportAccess.approve(r.actor, {
        ...r.body<Partial<DecideSupportRequestInput>>(),
        id: r.params.id!,
      }),
    { procedure: 'supportAccess.approve' },
  ),
  authed(
    'POST',
    `${BASE}/requests/:id/deny`,
    (r) =>
      r.services.supportAccess.deny(r.actor, {
        ...r.body<Partial<DecideSupportRequestInput>>(),
        id: r.params.id!,
      }),
    { procedure: 'supportAccess.deny' },
  ),
];
