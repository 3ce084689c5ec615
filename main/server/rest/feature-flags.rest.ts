import type { ClearFeatureFlagInput } from '../../../shared/schemas/feature-flags.schema';
import { authed, parseQuery, type Route } from './http-kit';

/** Feature flags over REST: account-wide (no organization_id) or per org, org overriding. */
export const featureFlagRoutes: Route[] = [
  authed('GET', '/api/v1/feature-flags', (r) => r.services.featureFlags.accountFlags(r.actor), {
    procedure: 'featureFlags.accountFlags',
  }),
  authed('PUT', '/api/v1/feature-flags', (r) => r.services.featureFlags.set(r.actor, r.body()), {
    procedure: 'featureFlags.set',
  }),
  authed(
    'DELETE',
    '/api/v1/feature-flags',
    (r) =>
      r.services.featureFlags.clear(
        r.actor,
        parseQuery(r.query, { feature: 'string', organization_id: 'int' }) as ClearFeatureFlagInput,
      ),
    { procedure: 'featureFlags.clear' },
  ),
  // ?feature=x answers that one feature (with the flag that decided); without, every flagged one.
  authed(
    'GET',
    '/api/v1/organizations/:id/feature-flags',
    (r) => {
      const { feature } = parseQuery(r.query, { feature: 'string' });
      return feature === undefined
        ? r.services.featureFlags.effective(r.actor, r.params.id!)
        : r.services.featureFlags.check(r.actor, r.params.id!, feature);
    },
    { procedure: 'featureFlags.effective' },
  ),
];
