import { agentRoutes } from './agents.rest';
import { auditRoutes } from './audit.rest';
import { automationRoutes } from './automation.rest';
import { authRoutes } from './auth.rest';
import { featureFlagRoutes } from './feature-flags.rest';
import { gdprRoutes } from './gdpr.rest';
import { governanceRoutes } from './governance.rest';
import { hostRoutes } from './hosts.rest';
import type { Route } from './http-kit';
import { locationRoutes } from './locations.rest';
import { onboardingRoutes } from './onboarding.rest';
import { supportAccessRoutes } from './support-access.rest';
import { organizationRoutes } from './organizations.rest';
import { userRoutes } from './users.rest';
import { workflowRoutes } from './workflows.rest';

/**
 * Every REST route of the server: one line per feature. Add yours here (the order does not
 * matter: the most specific pattern wins, and a duplicate method + path fails at start).
 */
export const restRoutes: readonly Route[] = [
  ...organizationRoutes,
  ...locationRoutes,
  ...hostRoutes,
  ...userRoutes,
  ...authRoutes,
  ...agentRoutes,
  ...workflowRoutes,
  ...automationRoutes,
  ...featureFlagRoutes,
  ...onboardingRoutes,
  ...governanceRoutes,
  ...gdprRoutes,
  ...supportAccessRoutes,
  ...auditRoutes,
];
