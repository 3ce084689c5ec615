import type { CreateRecordingInput } from '../../../shared/schemas/governance.schema';
import { authed, created, page, parseQuery, type Route } from './http-kit';
import { withPathOrg } from './workflows.rest';

/**
 * GOV-1..3 over REST. Policy, retention days and legal hold are PATCH /organizations/{id} fields;
 * these are the recordings, the effective settings, the account default and the cleanup.
 */
export const governanceRoutes: Route[] = [
  authed(
    'GET',
    '/api/v1/organizations/:id/governance',
    (r) => r.services.governance.settings(r.actor, r.params.id!),
    { procedure: 'governance.settings' },
  ),
  authed(
    'GET',
    '/api/v1/organizations/:id/recordings',
    (r) =>
      page(
        r.services.governance.recordings(r.actor, {
          ...parseQuery(r.query, { skip: 'int', limit: 'int' }),
          organization_id: r.params.id!,
        }),
      ),
    { procedure: 'governance.recordings' },
  ),
  authed(
    'POST',
    '/api/v1/organizations/:id/recordings',
    (r) =>
      created(
        r.services.governance.createRecording(
          r.actor,
          withPathOrg<CreateRecordingInput>(r.body(), r.params.id!),
        ),
      ),
    { procedure: 'governance.createRecording' },
  ),
  authed(
    'DELETE',
    '/api/v1/recordings/:id',
    (r) => r.services.governance.deleteRecording(r.actor, r.params.id!),
    { procedure: 'governance.deleteRecording' },
  ),
  authed(
    'PUT',
    '/api/v1/account/retention',
    (r) => r.services.governance.setAccountRetention(r.actor, r.body()),
    { procedure: 'governance.setAccountRetention' },
  ),
  authed(
    'POST',
    '/api/v1/governance/retention-cleanup',
    (r) => r.services.governance.cleanupNow(r.actor),
    { procedure: 'governance.runCleanup' },
  ),
];
