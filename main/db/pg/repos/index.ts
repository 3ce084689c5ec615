import type { AuditChain } from '../../../core/audit';
import type { Clock } from '../../../core/clock';
import type { Repos } from '../../../repos';
import type { PgTx } from '../uow';
// ── group B (h/pg-repos-b) ──────────────────────────────────────────────────────────────────
import { PgAuditRepo } from './audit';
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
    audit: new PgAuditRepo(tx, deps.chain, deps.clock),
  } satisfies Partial<Repos>;
}
