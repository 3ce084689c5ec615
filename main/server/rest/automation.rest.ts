import { badRequest } from '../../core/errors';
import type { ActionKind } from '../../../shared/automation';
import { authed, parseQuery, type Route } from './http-kit';

/** AUT-1/AUT-2 over REST: the decision for an org and an action kind. */
export const automationRoutes: Route[] = [
  authed(
    'GET',
    '/api/v1/organizations/:id/automation/decision',
    (r) => {
      const { action_kind } = parseQuery(r.query, { action_kind: 'string' });
      if (action_kind === undefined)
        throw badRequest(
          'action_kind is required, e.g. ?action_kind=security_patch',
          'action_kind',
        );
      return r.services.automation.decideFor(r.actor, r.params.id!, action_kind as ActionKind);
    },
    { procedure: 'automation.decide' },
  ),
];
