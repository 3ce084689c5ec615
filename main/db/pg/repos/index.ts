import type { AuditChain } from '../../../core/audit';
import type { Clock } from '../../../core/clock';
import type { Repos } from '../../../repos';
import type { PgTx } from '../uow';
// ── group B (h/pg-repos-b) ──────────────────────────────────────────────────────────────────
import { PgAccessRepo } from './access';
import { PgAccountsRepo } from './accounts';
import { PgAuditRepo } from './audit';
import { PgAuditTrailRepo } from './audit-trail';
import { PgAutomationRepo } from './automation';
import { PgFeatureFlagsRepo } from './feature-flags';
import { PgGdprRepo } from './gdpr';
import { PgGovernanceRepo } from './governance';
import { PgSupportAccessRepo } from './support-access';
import { PgUsersRepo } from './users';
import { PgWorkflowsRepo } from './workflows';
// ── end group B ─────────────────────────────────────────────────────────────────────────────

/** What the repositories need besides the transaction: the audit chain's key and the clock. */
export interface PgRepoDeps {
  chain: AuditChain;
  clock: Clock;
}

/**
 * The repositories of group B (issue 15), built per transaction over its connection
 * (PgUnitOfWork's factory): access, support-access, users, accounts, feature-flags, governance,
 * workflows, automation, audit-trail, gdpr and the audit append.
 */
export function createPgReposB(tx: PgTx, deps: PgRepoDeps) {
  return {
    access: new PgAccessRepo(tx),
    accounts: new PgAccountsRepo(tx),
    audit: new PgAuditRepo(tx, deps.chain, deps.clock),
    auditTrail: new PgAuditTrailRepo(tx),
    automation: new PgAutomationRepo(tx),
    featureFlags: new PgFeatureFlagsRepo(tx),
    gdpr: new PgGdprRepo(tx),
    governance: new PgGovernanceRepo(tx),
    supportAccess: new PgSupportAccessRepo(tx),
    users: new PgUsersRepo(tx),
    workflows: new PgWorkflowsRepo(tx),
  } satisfies Partial<Repos>;
}
