import type { ExportAuditInput } from '../../../shared/schemas/audit.schema';
import { authed, page, parseQuery, type Route } from './http-kit';

const FILTERS = {
  organization_id: 'int',
  account_id: 'int',
  actor_user_id: 'int',
  actor: 'string',
  action: 'string',
  target_type: 'string',
  target_id: 'string',
  from: 'string',
  to: 'string',
} as const;

/** AUD-2/AUD-3 over REST: reads only, so support engineers with an active grant may call them. */
export const auditRoutes: Route[] = [
  authed(
    'GET',
    '/api/v1/audit',
    (r) =>
      page(
        r.services.auditTrail.list(
          r.actor,
          parseQuery(r.query, { ...FILTERS, skip: 'int', limit: 'int' }),
        ),
      ),
    { procedure: 'audit.list' },
  ),
  // The file travels as the `content` of a JSON answer, with its name and content type beside it.
  authed(
    'GET',
    '/api/v1/audit/export',
    (r) =>
      r.services.auditTrail.export(
        r.actor,
        parseQuery(r.query, { ...FILTERS, format: 'string' }) as ExportAuditInput,
      ),
    { procedure: 'audit.export' },
  ),
  authed(
    'GET',
    '/api/v1/audit/verify',
    (r) => r.services.auditTrail.verify(r.actor, parseQuery(r.query, { account_id: 'int' })),
    { procedure: 'audit.verify' },
  ),
];
