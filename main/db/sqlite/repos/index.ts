import type { AuditLog } from '../../../core/audit';
import type { TxHooks } from '../../../core/uow';
import type { Repos } from '../../../repos';
import type { Db } from '../../database';
import { SqliteAccessRepo } from './access';
import { SqliteAccountsRepo } from './accounts';
import { SqliteAuditRepo } from './audit';
import { SqliteAuthRepo } from './auth';
import { notConverted } from './not-converted';
import { sqliteOnboardingRepo } from './onboarding';
import { SqliteOrganizationsRepo } from './organizations';
import { SqliteSupportAccessRepo } from './support-access';
import { SqliteUsersRepo } from './users';

export type SqliteRepos = Omit<Repos, keyof TxHooks> & {
  access: SqliteAccessRepo;
  supportAccess: SqliteSupportAccessRepo;
  auth: SqliteAuthRepo;
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
    onboarding: sqliteOnboardingRepo(db),
    accounts: new SqliteAccountsRepo(db),
    agents: notConverted('agents'),
    auditTrail: notConverted('audit'),
    auth: new SqliteAuthRepo(db),
    automation: notConverted('automation'),
    featureFlags: notConverted('feature-flags'),
    fleet: notConverted('fleet'),
    gdpr: notConverted('gdpr'),
    governance: notConverted('governance'),
    hosts: notConverted('hosts'),
    locations: notConverted('locations'),
    secrets: notConverted('secrets'),
    supportAccess: new SqliteSupportAccessRepo(db),
    users: new SqliteUsersRepo(db),
    workflows: notConverted('workflows'),
  };
}
