/**
 * Every repository a unit of work hands its `fn` (issue 14): one per feature, each declared
 * beside the service that uses it (`features/<x>/<x>.repo.ts`, `core/access.repo.ts`,
 * `core/audit.repo.ts`), gathered here for the composition root and the adapters. A service
 * names only what it uses (`Pick<Repos, 'orgs' | 'audit'>`, or all of Repos when it hands `r`
 * on). The SQLite implementations live in main/db/sqlite/repos/.
 */
import type { AccessRepo } from './core/access.repo';
import type { AuditRepo } from './core/audit.repo';
import type { LeaseRepo } from './core/lease.repo';
import type { TxHooks, UnitOfWork } from './core/uow';
import type { AccountsRepo } from './features/accounts/accounts.repo';
import type { AgentsRepo } from './features/agents/agents.repo';
import type { AuditTrailRepo } from './features/audit/audit.repo';
import type { AuthRepo } from './features/auth/auth.repo';
import type { ThrottleRepo } from './features/auth/throttle.repo';
import type { AutomationRepo } from './features/automation/automation.repo';
import type { FeatureFlagsRepo } from './features/feature-flags/feature-flags.repo';
import type { FleetRepo } from './features/fleet/fleet.repo';
import type { GdprRepo } from './features/gdpr/gdpr.repo';
import type { GovernanceRepo } from './features/governance/governance.repo';
import type { HostCountsRepo } from './features/hosts/host-counts.repo';
import type { HostsRepo } from './features/hosts/hosts.repo';
import type { IntegrationsRepo } from './features/integrations/integrations.repo';
import type { LocationsRepo } from './features/locations/locations.repo';
import type { MfaRepo } from './features/mfa/mfa.repo';
import type { PasskeysRepo } from './features/passkeys/passkeys.repo';
import type { NotificationsRepo } from './features/notifications/notifications.repo';
import type { OnboardingRepo } from './features/onboarding/onboarding.repo';
import type { OrganizationsRepo } from './features/organizations/organizations.repo';
import type { SecretsRepo } from './features/organizations/secrets.repo';
import type { SsoRepo } from './features/sso/sso.repo';
import type { SupportAccessRepo } from './features/support-access/support-access.repo';
import type { UsersRepo } from './features/users/users.repo';
import type { WorkflowsRepo } from './features/workflows/workflows.repo';

export interface Repos extends TxHooks {
  access: AccessRepo;
  audit: AuditRepo;
  accounts: AccountsRepo;
  agents: AgentsRepo;
  auditTrail: AuditTrailRepo;
  auth: AuthRepo;
  automation: AutomationRepo;
  featureFlags: FeatureFlagsRepo;
  fleet: FleetRepo;
  gdpr: GdprRepo;
  governance: GovernanceRepo;
  hosts: HostsRepo;
  hostCounts: HostCountsRepo;
  integrations: IntegrationsRepo;
  /** SCALE-2: the scheduled jobs' leases (core/lease.ts). */
  leases: LeaseRepo;
  locations: LocationsRepo;
  mfa: MfaRepo;
  passkeys: PasskeysRepo;
  notifications: NotificationsRepo;
  onboarding: OnboardingRepo;
  orgs: OrganizationsRepo;
  secrets: SecretsRepo;
  sso: SsoRepo;
  supportAccess: SupportAccessRepo;
  /** SCALE-2: the sign-in and second-factor throttle's counts. */
  throttle: ThrottleRepo;
  users: UsersRepo;
  workflows: WorkflowsRepo;
}

/** The unit of work every converted service is given. */
export type Uow = UnitOfWork<Repos>;
