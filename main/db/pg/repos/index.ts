// The PostgreSQL repositories of one transaction (issue 15): PgUnitOfWork's factory
// (main/db/pg/uow.ts) calls createPgRepos with the transaction's connection. Each group of
// features registers its repositories in a block of its own below.
import type { Repos } from '../../../repos';
import type { PgTx } from '../uow';
import { PgFleetRepo } from './fleet';
import { PgHostsRepo } from './hosts';
import { PgLocationsRepo } from './locations';
import { PgOnboardingRepo } from './onboarding';
import { PgOrganizationsRepo } from './organizations';
import { PgSecretsRepo } from './secrets';

// ── Group A (h/pg-repos-a): organizations, hosts, locations, fleet, secrets, onboarding ──────
// secrets: the PG class itself, for its async matchSecretDigest (see there).
export type PgReposA = Pick<Repos, 'orgs' | 'hosts' | 'locations' | 'fleet' | 'onboarding'> & {
  secrets: PgSecretsRepo;
};

export function createPgReposA(tx: PgTx): PgReposA {
  return {
    orgs: new PgOrganizationsRepo(tx.db),
    hosts: new PgHostsRepo(tx.db),
    locations: new PgLocationsRepo(tx.db),
    fleet: new PgFleetRepo(tx.db),
    secrets: new PgSecretsRepo(tx.db),
    onboarding: new PgOnboardingRepo(tx.db),
  };
}
// ── end of group A ───────────────────────────────────────────────────────────────────────────

/** Every PostgreSQL repository converted so far, over one transaction. */
export function createPgRepos(tx: PgTx) {
  return {
    ...createPgReposA(tx),
  };
}
