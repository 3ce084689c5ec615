import {
  updateAlertRuleInput,
  updateBaselineInput,
} from '../../../shared/schemas/onboarding.schema';
import { authed, type Route } from './http-kit';

// Patch parts alone, so field errors name `threshold`, not `patch.threshold`.
const rulePatch = updateAlertRuleInput.shape.patch;
const baselinePatch = updateBaselineInput.shape.patch;

/** AUT-5 over REST: the seeded alert rules and compliance baseline, listed and editable. */
export const onboardingRoutes: Route[] = [
  authed(
    'GET',
    '/api/v1/organizations/:id/alert-rules',
    (r) => r.services.onboarding.alertRules(r.actor, r.params.id!),
    { procedure: 'onboarding.alertRules' },
  ),
  authed(
    'PATCH',
    '/api/v1/alert-rules/:id',
    (r) =>
      r.services.onboarding.updateAlertRule(r.actor, {
        id: r.params.id!,
        patch: rulePatch.parse(r.body()),
      }),
    { procedure: 'onboarding.updateAlertRule' },
  ),
  authed(
    'GET',
    '/api/v1/organizations/:id/compliance-baselines',
    (r) => r.services.onboarding.baselines(r.actor, r.params.id!),
    { procedure: 'onboarding.baselines' },
  ),
  authed(
    'PATCH',
    '/api/v1/compliance-baselines/:id',
    (r) =>
      r.services.onboarding.updateBaseline(r.actor, {
        id: r.params.id!,
        patch: baselinePatch.parse(r.body()),
      }),
    { procedure: 'onboarding.updateBaseline' },
  ),
];
