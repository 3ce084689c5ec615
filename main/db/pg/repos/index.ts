// The PostgreSQL repositories of one transaction (issue 15): PgUnitOfWork's factory
// (main/db/pg/uow.ts) calls createPgRepos with the transaction's connection. Each group of
// features registers its repositories in a block of its own below.
import type { TxHooks } from '../../../core/uow';
import type { Repos } from '../../../repos';
import type { PgTx } from '../uow';
import { PgFleetRepo } from './fleet';
import { PgHostCountsRepo } from './host-counts';
import { PgHostsRepo } from './hosts';
import { PgLocationsRepo } from './locations';
import { PgOnboardingRepo } from './onboarding';
import { PgOrganizationsRepo } from './organizations';
import { PgSecretsRepo } from './secrets';
import { PgLeaseRepo } from './leases';
import { PgThrottleRepo } from './throttle';

import type { AuditChain } from '../../../core/audit';
import type { Clock } from '../../../core/clock';
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
// ── group C (h/pg-repos-c) ──────────────────────────────────────────────────────────────────
import { PgAgentsRepo } from './agents';
import { PgAuthRepo } from './auth';
import { PgIntegrationsRepo } from './integrations';
import { PgMfaRepo } from './mfa';
import { PgNotificationsRepo } from './notifications';
import { PgPasskeysRepo } from './passkeys';
import { PgSsoRepo } from './sso';
// ── end group C ─────────────────────────────────────────────────────────────────────────────

/** What the repositories need besides the transaction: the audit chain's key and the clock. */

export interface PgRepoDeps {
  chain: AuditChain;
  clock: Clock;
  /** INT-3: each notification is queued for email too (ORGDESK_SMTP_URL is set). */
  email?: boolean;
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
    audit: new PgAuditRepo(tx, deps.chain, deps.clock, deps.email),
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

// ── Group A (h/pg-repos-a): organizations, hosts, locations, fleet, secrets, onboarding ──────
export type PgReposA = Pick<
  Repos,
  'orgs' | 'hosts' | 'hostCounts' | 'locations' | 'fleet' | 'onboarding' | 'secrets'
>;

export function createPgReposA(tx: PgTx): PgReposA {
  return {
    orgs: new PgOrganizationsRepo(tx.db, tx.readOnly, tx.query),
    hosts: new PgHostsRepo(tx.db, tx.readOnly),
    hostCounts: new PgHostCountsRepo(tx),
    locations: new PgLocationsRepo(tx.db, tx.readOnly),
    fleet: new PgFleetRepo(tx.db),
    secrets: new PgSecretsRepo(tx.db, tx.readOnly),
    onboarding: new PgOnboardingRepo(tx.db, tx.readOnly),
  };
}
// ── end of group A ───────────────────────────────────────────────────────────────────────────

// ── group C (h/pg-repos-c): auth, sso, mfa, passkeys, integrations, notifications, agents ──
/**
 * The repositories of group C (issue 15).
 */
export function createPgReposC(tx: PgTx, deps: Pick<PgRepoDeps, 'email'> = {}) {
  return {
    agents: new PgAgentsRepo(tx),
    auth: new PgAuthRepo(tx),
    integrations: new PgIntegrationsRepo(tx),
    mfa: new PgMfaRepo(tx),
    notifications: new PgNotificationsRepo(tx, deps.email ?? false),
    passkeys: new PgPasskeysRepo(tx),
    sso: new PgSsoRepo(tx),
  };
}
// ── end of group C ───────────────────────────────────────────────────────────────────────────

/**
 * What createPgRepos must return: every port of Repos (a new feature's port is a compile error
 * here until PostgreSQL implements it), each the port itself.
 */
export type PgRepoPorts = { [K in keyof Omit<Repos, keyof TxHooks>]: Repos[K] };

// ── scale-out (h/scale-config): the sign-in throttle, the scheduled jobs' leases ────────────
export function createPgReposScale(tx: PgTx) {
  return { throttle: new PgThrottleRepo(tx), leases: new PgLeaseRepo(tx) } satisfies Partial<Repos>;
}
// ── end of scale-out ─────────────────────────────────────────────────────────────────────────

/** Every PostgreSQL repository, over one transaction. */
export function createPgRepos(tx: PgTx, deps: PgRepoDeps) {
  return {
    ...createPgReposA(tx),
    ...createPgReposB(tx, deps),
    ...createPgReposC(tx, deps),
    ...createPgReposScale(tx),
  } satisfies PgRepoPorts;
}
