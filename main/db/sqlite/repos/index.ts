import type { AuditLog } from '../audit-log';
import type { TxHooks } from '../../../core/uow';
import type { Repos } from '../../../repos';
import type { Db } from '../../database';
import { SqliteAccessRepo } from './access';
import { SqliteAgentsRepo } from './agents';
import { SqliteAccountsRepo } from './accounts';
import { SqliteAuditRepo } from './audit';
import { SqliteAuthRepo } from './auth';
import { SqliteAuditTrailRepo } from './audit-trail';
import { SqliteAutomationRepo } from './automation';
import { SqliteFeatureFlagsRepo } from './feature-flags';
import { SqliteGdprRepo } from './gdpr';
import { SqliteIntegrationsRepo } from './integrations';
import { SqliteLeaseRepo } from './leases';
import { SqliteGovernanceRepo } from './governance';
import { SqliteFleetRepo } from './fleet';
import { SqliteHostCountsRepo } from './host-counts';
import { SqliteHostsRepo } from './hosts';
import { SqliteLocationsRepo } from './locations';
import { SqliteMfaRepo } from './mfa';
import { SqliteNotificationsRepo } from './notifications';
import { SqliteOnboardingRepo } from './onboarding';
import { SqlitePasskeysRepo } from './passkeys';
import { SqliteOrganizationsRepo } from './organizations';
import { SqliteSecretsRepo } from './secrets';
import { SqliteSsoRepo } from './sso';
import { SqliteSupportAccessRepo } from './support-access';
import { SqliteThrottleRepo } from './throttle';
import { SqliteUsersRepo } from './users';
import { SqliteWorkflowsRepo } from './workflows';

export type SqliteRepos = Omit<Repos, keyof TxHooks> & {
  locations: SqliteLocationsRepo;
  supportAccess: SqliteSupportAccessRepo;
};

/**
 * Every repository over one connection, built once (their statements are prepared once per
 * connection); the unit of work hands them to each transaction through a bound view. A feature
 * not converted yet has a placeholder whose methods throw, naming the feature; converting it
 * replaces its line here with its implementation.
 */
export function createSqliteRepos(db: Db, audit: AuditLog): SqliteRepos {
  return {
    access: new SqliteAccessRepo(db),
    audit: new SqliteAuditRepo(audit),
    orgs: new SqliteOrganizationsRepo(db),
    onboarding: new SqliteOnboardingRepo(db),
    accounts: new SqliteAccountsRepo(db),
    agents: new SqliteAgentsRepo(db),
    auditTrail: new SqliteAuditTrailRepo(db),
    auth: new SqliteAuthRepo(db),
    automation: new SqliteAutomationRepo(db),
    featureFlags: new SqliteFeatureFlagsRepo(db),
    fleet: new SqliteFleetRepo(db),
    gdpr: new SqliteGdprRepo(db),
    governance: new SqliteGovernanceRepo(db),
    hosts: new SqliteHostsRepo(db),
    hostCounts: new SqliteHostCountsRepo(db.$client),
    integrations: new SqliteIntegrationsRepo(db),
    leases: new SqliteLeaseRepo(db),
    locations: new SqliteLocationsRepo(db),
    mfa: new SqliteMfaRepo(db),
    passkeys: new SqlitePasskeysRepo(db),
    notifications: new SqliteNotificationsRepo(db, audit),
    secrets: new SqliteSecretsRepo(db),
    sso: new SqliteSsoRepo(db),
    supportAccess: new SqliteSupportAccessRepo(db),
    throttle: new SqliteThrottleRepo(db),
    users: new SqliteUsersRepo(db),
    workflows: new SqliteWorkflowsRepo(db),
  };
}
