import {
  updateWorkflowFields,
  type CreateWorkflowInput,
} from '../../../shared/schemas/workflows.schema';
import { badRequest } from '../../core/errors';
import { authed, created, page, parseQuery, type Route } from './http-kit';

/** The org comes from the path; a different one in the body is a client mistake worth naming. */
export function withPathOrg<T>(body: Record<string, unknown>, orgId: number): T {
  if (body.organization_id !== undefined && body.organization_id !== orgId) {
    throw badRequest(
      'organization_id comes from the path; leave it out of the body',
      'organization_id',
    );
  }
  return { ...body, organization_id: orgId } as T;
}

/** AUT-3/AUT-4 over REST: workflow definitions, incident intake, runs. */
export const workflowRoutes: Route[] = [
  authed(
    'GET',
    '/api/v1/organizations/:id/workflows',
    (r) =>
      r.services.workflows.list(r.actor, {
        ...parseQuery(r.query, { active_only: 'bool' }),
        organization_id: r.params.id!,
      }),
    { procedure: 'workflows.list' },
  ),
  authed(
    'POST',
    '/api/v1/organizations/:id/workflows',
    (r) =>
      created(
        r.services.workflows.create(
          r.actor,
          withPathOrg<CreateWorkflowInput>(r.body(), r.params.id!),
        ),
      ),
    { procedure: 'workflows.create' },
  ),
  authed('GET', '/api/v1/workflows/:id', (r) => r.services.workflows.get(r.actor, r.params.id!), {
    procedure: 'workflows.get',
  }),
  authed(
    'PATCH',
    '/api/v1/workflows/:id',
    (r) =>
      r.services.workflows.update(r.actor, {
        id: r.params.id!,
        patch: updateWorkflowFields.parse(r.body()),
      }),
    { procedure: 'workflows.update' },
  ),
  authed(
    'GET',
    '/api/v1/organizations/:id/workflow-runs',
    (r) =>
      page(
        r.services.workflows.runs(r.actor, {
          ...parseQuery(r.query, { skip: 'int', limit: 'int' }),
          organization_id: r.params.id!,
        }),
      ),
    { procedure: 'workflows.runs' },
  ),
  authed(
    'POST',
    '/api/v1/incidents',
    (r) => created(r.services.incidents.report(r.actor, r.body())),
    { procedure: 'incidents.report' },
  ),
  authed(
    'GET',
    '/api/v1/organizations/:id/incidents',
    (r) =>
      page(
        r.services.incidents.list(r.actor, {
          ...parseQuery(r.query, { skip: 'int', limit: 'int' }),
          organization_id: r.params.id!,
        }),
      ),
    { procedure: 'incidents.list' },
  ),
];
