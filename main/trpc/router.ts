import { accountsRouter } from '../features/accounts/accounts.router';
import { auditRouter } from '../features/audit/audit.router';
import { authRouter } from '../features/auth/auth.router';
import { ssoRouter } from '../features/sso/sso.router';
import { exportKeyRouter } from '../features/export-key/export-key.router';
import { automationRouter } from '../features/automation/automation.router';
import { fleetRouter } from '../features/fleet/fleet.router';
import { integrationsRouter } from '../features/integrations/integrations.router';
import { notificationsRouter } from '../features/notifications/notifications.router';
import { featureFlagsRouter } from '../features/feature-flags/feature-flags.router';
import { gdprRouter } from '../features/gdpr/gdpr.router';
import { governanceRouter } from '../features/governance/governance.router';
import { hostsRouter } from '../features/hosts/hosts.router';
import { locationsRouter } from '../features/locations/locations.router';
import { onboardingRouter } from '../features/onboarding/onboarding.router';
import { organizationsRouter } from '../features/organizations/organizations.router';
import { supportAccessRouter } from '../features/support-access/support-access.router';
import { usersRouter } from '../features/users/users.router';
import { incidentsRouter, workflowsRouter } from '../features/workflows/workflows.router';
import { router } from './trpc';

/** The console API: the same router over IPC (desktop) and HTTP (server, web console). */
export const appRouter = router({
  auth: authRouter,
  sso: ssoRouter,
  accounts: accountsRouter,
  users: usersRouter,
  organizations: organizationsRouter,
  locations: locationsRouter,
  hosts: hostsRouter,
  supportAccess: supportAccessRouter,
  audit: auditRouter,
  automation: automationRouter,
  workflows: workflowsRouter,
  incidents: incidentsRouter,
  featureFlags: featureFlagsRouter,
  onboarding: onboardingRouter,
  governance: governanceRouter,
  gdpr: gdprRouter,
  exportKey: exportKeyRouter,
  fleet: fleetRouter,
  integrations: integrationsRouter,
  notifications: notificationsRouter,
});

export type AppRouter = typeof appRouter;
