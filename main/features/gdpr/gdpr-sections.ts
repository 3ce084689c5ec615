// GDPR-2: what a personal-data export contains, table by table. Every table of the database is
// decided here (tests/gdpr-sections.test.ts compares this list with the drizzle schema and with a
// migrated database), so a new table is a decision, not an accident: exported, with the columns
// it gives and the sections it feeds, or excluded with the reason. A table missing from this list
// fails that test; a table marked excluded is never read.
//
// Within an exported table every column is decided too: `columns` are exported, `withheld` are not,
// each with its reason. The compiler rejects an entry that leaves a column of its table undecided,
// so a new column cannot reach an export, nor silently stay out of one, without a line here.
// Passwords, secrets, token digests, encrypted credentials and the audit chain's hashes are always
// withheld (tests/gdpr.test.ts searches every export for their values).
import { and, asc, desc, eq, getTableColumns, gte, inArray, or, type SQL } from 'drizzle-orm';
import type { SQLWrapper } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import {
  accounts,
  alertRules,
  apiTokens,
  auditEntries,
  complianceBaselines,
  featureFlags,
  hosts,
  incidents,
  locationSubnets,
  locations,
  notifications,
  organizations,
  recordings,
  roleAssignments,
  supportGrants,
  supportRequests,
  users,
  workflowRuns,
  workflows,
} from '../../db/schema';
import { orgColumns } from '../../db/sqlite/repos/organizations-sql';

/** A user export: one person of the account, activity since `from`. */
export interface UserSubject {
  userId: number;
  accountId: number;
  from: number;
}

/** An account export: `orgIds` and `userIds` are subqueries over the account's orgs and users. */
export interface AccountSubject {
  accountId: number;
  from: number;
  orgIds: SQLWrapper;
  userIds: SQLWrapper;
}

/**
 * One section of one export kind: its name there, its rows, their order (newest first for
 * activity). `where` and `orderBy` take the table they read, `t`: the SQLite table, or its
 * PostgreSQL twin of the same name and column names (main/db/pg/gdpr-export.ts), so one decision
 * here reads alike on both engines.
 */
export interface SectionSpec<S, T = SQLiteTable> {
  section: string;
  where(s: S, t: T): SQL | undefined;
  orderBy?(t: T): SQL[];
}

export interface ExportedTable {
  table: SQLiteTable;
  /** The exported columns, by their drizzle (camelCase) name; the export writes snake_case. */
  columns: Record<string, SQLiteColumn>;
  /** Every other column of the table, with why it stays out. */
  withheld: Record<string, string>;
  user?: SectionSpec<UserSubject>;
  account?: SectionSpec<AccountSubject>;
}

export interface ExcludedTable {
  excluded: string;
}

type ColumnName<T extends SQLiteTable> = keyof T['_']['columns'] & string;

/**
 * An exported table. `withheld` must name exactly the columns `columns` leaves out (checked by the
 * compiler here and by the test at run time), so nothing about a table is left to a default.
 */
function exported<T extends SQLiteTable, const C extends readonly ColumnName<T>[]>(
  table: T,
  spec: {
    columns: C;
    withheld: Record<Exclude<ColumnName<T>, C[number]>, string> & { [K in C[number]]?: never };
    user?: SectionSpec<UserSubject, T>;
    account?: SectionSpec<AccountSubject, T>;
  },
): ExportedTable {
  const all = getTableColumns(table) as Record<string, SQLiteColumn>;
  return {
    table,
    columns: Object.fromEntries(spec.columns.map((name) => [name, all[name]!])),
    withheld: spec.withheld as Record<string, string>,
    ...(spec.user ? { user: spec.user as SectionSpec<UserSubject> } : {}),
    ...(spec.account ? { account: spec.account as SectionSpec<AccountSubject> } : {}),
  };
}

const allColumns = <T extends SQLiteTable>(table: T): ColumnName<T>[] =>
  Object.keys(getTableColumns(table)) as ColumnName<T>[];

// The reasons shared by several tables.
const CREDENTIAL = 'a credential: it never leaves the database';
const CASE_FOLDED = 'the case-folded copy of a name already exported, kept for uniqueness';

/**
 * Every table, in the order the sections appear in an export. Keys are SQL table names. Org-owned
 * tables are exported whole in an account export (current records) unless they are time-stamped
 * activity, which covers the export window only.
 */
export const GDPR_TABLES: Record<string, ExportedTable | ExcludedTable> = {
  accounts: exported(accounts, {
    columns: allColumns(accounts),
    withheld: {},
    account: { section: 'account', where: (s, t) => eq(t.id, s.accountId) },
  }),
  users: exported(users, {
    columns: [
      'id',
      'accountId',
      'email',
      'name',
      'isSupportEngineer',
      'isPlatformOperator',
      'isActive',
      'erasedAt',
      'createdAt',
      'updatedAt',
    ],
    withheld: { emailKey: CASE_FOLDED, passwordHash: CREDENTIAL },
    user: { section: 'profile', where: (s, t) => eq(t.id, s.userId) },
    account: {
      section: 'users',
      where: (s, t) => eq(t.accountId, s.accountId),
      orderBy: (t) => [asc(t.id)],
    },
  }),
  role_assignments: exported(roleAssignments, {
    columns: allColumns(roleAssignments),
    withheld: {},
    user: { section: 'role_assignments', where: (s, t) => eq(t.userId, s.userId) },
    account: {
      section: 'role_assignments',
      where: (s, t) => eq(t.accountId, s.accountId),
      orderBy: (t) => [asc(t.id)],
    },
  }),
  api_tokens: exported(apiTokens, {
    columns: [
      'id',
      'userId',
      'kind',
      'name',
      'readOnly',
      'createdAt',
      'expiresAt',
      'revokedAt',
      'lastUsedAt',
      // IDN-5: where the subject signed in from is their personal data: theirs to receive.
      'clientAddress',
      'client',
    ],
    withheld: {
      tokenDigest: `the token's digest is ${CREDENTIAL}`,
      secondFactorAt:
        "when the session last gave a second factor: state of a credential, no one's data",
    },
    // Sessions and tokens created or used in the window.
    user: {
      section: 'api_tokens',
      where: (s, t) =>
        and(eq(t.userId, s.userId), or(gte(t.createdAt, s.from), gte(t.lastUsedAt, s.from))),
      orderBy: (t) => [desc(t.id)],
    },
    account: {
      section: 'api_tokens',
      where: (s, t) =>
        and(inArray(t.userId, s.userIds), or(gte(t.createdAt, s.from), gte(t.lastUsedAt, s.from))),
      orderBy: (t) => [desc(t.id)],
    },
  }),
  organizations: exported(organizations, {
    // The API's columns (the mapper's allow-list, which never holds a secret), and when the
    // secret was last rotated: a fact about the account, not the secret.
    columns: [...(Object.keys(orgColumns) as (keyof typeof orgColumns)[]), 'secretRotatedAt'],
    withheld: {
      nameKey: CASE_FOLDED,
      searchText: 'the lower-cased name and description, both already exported',
      secretCiphertext: `the encrypted org secret is ${CREDENTIAL}`,
      secretDigest: `the secret's lookup digest is ${CREDENTIAL}`,
      previousSecretDigest: `the previous secret's digest is ${CREDENTIAL}`,
      previousSecretExpiresAt: "the previous secret's grace: state of a credential, no one's data",
      secretGeneration:
        "how often the secret was regenerated: state of a credential, no one's data",
      locationRevision:
        "a counter of location edits that tells caches they are stale: no one's data",
    },
    account: {
      section: 'organizations',
      where: (s, t) => eq(t.accountId, s.accountId),
      orderBy: (t) => [asc(t.id)],
    },
  }),
  locations: exported(locations, {
    columns: allColumns(locations),
    withheld: {},
    account: {
      section: 'locations',
      where: (s, t) => inArray(t.organizationId, s.orgIds),
      orderBy: (t) => [asc(t.id)],
    },
  }),
  location_subnets: exported(locationSubnets, {
    columns: allColumns(locationSubnets),
    withheld: {},
    account: {
      section: 'location_subnets',
      where: (s, t) => inArray(t.organizationId, s.orgIds),
      orderBy: (t) => [asc(t.id)],
    },
  }),
  hosts: exported(hosts, {
    columns: [
      'id',
      'organizationId',
      'locationId',
      'hostname',
      'ip',
      'agentType',
      'pinned',
      'registeredAt',
      'lastSeenAt',
    ],
    withheld: {
      publicKey: "the agent's signing key: a host's credential, no one's data",
      lastSignedAt: "replay protection state of the agent protocol, no one's data",
      secretGeneration:
        "which org secret generation a legacy agent sent: credential state, no one's data",
      ipKey: 'derived: the sort key of ip (exported), for the console’s sort by IP',
      duplicateOf:
        "upgrade bookkeeping (migration 0014: this host repeats an older host's hostname), no one's data",
    },
    account: {
      section: 'hosts',
      where: (s, t) => inArray(t.organizationId, s.orgIds),
      orderBy: (t) => [asc(t.id)],
    },
  }),
  sso_configs: {
    excluded:
      "the account's single sign-on settings (IDN-4): no one's personal data, and a sealed secret",
  },
  oidc_sign_ins: {
    excluded:
      'single sign-on protocol state (IDN-4): state digests, nonces and PKCE verifiers kept at most a day; credentials, not records about the person',
  },
  // IDN-1: second-factor credentials. That a user has a factor shows in the sign-in audit
  // entries (exported); the secret, the codes' digests and the challenges are credentials.
  user_totp: { excluded: `the encrypted TOTP secret and its last time step are ${CREDENTIAL}` },
  mfa_recovery_codes: { excluded: `digests of recovery codes are ${CREDENTIAL}` },
  mfa_challenges: {
    excluded: `half-finished sign-ins (digests of their tokens) are ${CREDENTIAL}`,
  },
  // IDN-2: that a user has passkeys shows in the audit entries (mfa.passkey_added, exported);
  // the credential ids, public keys and counters are sign-in material, not records about them.
  passkeys: { excluded: `credential ids, public keys and signature counters are ${CREDENTIAL}` },
  webauthn_challenges: {
    excluded: `WebAuthn challenges in progress (digests) are ${CREDENTIAL}`,
  },
  audit_heads: {
    excluded:
      "integrity data: where each account's audit chain ends (AUD-3), no one's personal data",
  },
  organization_host_counts: {
    excluded: 'derived: a count of the hosts (kept by triggers), and the hosts are exported',
  },
  org_health_snapshots: {
    excluded: "derived: hourly host counts per org (UI-12), no one's personal data",
  },
  account_health_snapshots: {
    excluded: "derived: hourly host counts per account (UI-12), no one's personal data",
  },
  alert_rules: exported(alertRules, {
    columns: allColumns(alertRules),
    withheld: {},
    account: {
      section: 'alert_rules',
      where: (s, t) => inArray(t.organizationId, s.orgIds),
      orderBy: (t) => [asc(t.id)],
    },
  }),
  compliance_baselines: exported(complianceBaselines, {
    columns: allColumns(complianceBaselines),
    withheld: {},
    account: {
      section: 'compliance_baselines',
      where: (s, t) => inArray(t.organizationId, s.orgIds),
      orderBy: (t) => [asc(t.id)],
    },
  }),
  feature_flags: exported(featureFlags, {
    columns: allColumns(featureFlags),
    withheld: {},
    account: {
      section: 'feature_flags',
      where: (s, t) => eq(t.accountId, s.accountId),
      orderBy: (t) => [asc(t.id)],
    },
  }),
  workflows: exported(workflows, {
    columns: allColumns(workflows),
    withheld: {},
    account: {
      section: 'workflows',
      where: (s, t) => inArray(t.organizationId, s.orgIds),
      orderBy: (t) => [asc(t.id)],
    },
  }),
  incidents: exported(incidents, {
    columns: allColumns(incidents),
    withheld: {},
    user: {
      section: 'incidents_reported',
      where: (s, t) => and(eq(t.reportedByUserId, s.userId), gte(t.createdAt, s.from)),
      orderBy: (t) => [desc(t.id)],
    },
    account: {
      section: 'incidents',
      where: (s, t) => and(inArray(t.organizationId, s.orgIds), gte(t.createdAt, s.from)),
      orderBy: (t) => [desc(t.id)],
    },
  }),
  workflow_runs: exported(workflowRuns, {
    columns: allColumns(workflowRuns),
    withheld: {},
    account: {
      section: 'workflow_runs',
      where: (s, t) => and(inArray(t.organizationId, s.orgIds), gte(t.createdAt, s.from)),
      orderBy: (t) => [desc(t.id)],
    },
  }),
  recordings: exported(recordings, {
    columns: allColumns(recordings),
    withheld: {},
    user: {
      section: 'recordings',
      where: (s, t) => and(eq(t.userId, s.userId), gte(t.startedAt, s.from)),
      orderBy: (t) => [desc(t.startedAt), desc(t.id)],
    },
    account: {
      section: 'recordings',
      where: (s, t) => and(inArray(t.organizationId, s.orgIds), gte(t.startedAt, s.from)),
      orderBy: (t) => [desc(t.startedAt), desc(t.id)],
    },
  }),
  support_grants: exported(supportGrants, {
    columns: allColumns(supportGrants),
    withheld: {},
    // A user's grants: those they were given, granted or revoked.
    user: {
      section: 'support_grants',
      where: (s, t) =>
        and(
          gte(t.startsAt, s.from),
          or(
            eq(t.engineerUserId, s.userId),
            eq(t.grantedByUserId, s.userId),
            eq(t.revokedByUserId, s.userId),
          ),
        ),
      orderBy: (t) => [desc(t.id)],
    },
    account: {
      section: 'support_grants',
      where: (s, t) => and(eq(t.accountId, s.accountId), gte(t.startsAt, s.from)),
      orderBy: (t) => [desc(t.id)],
    },
  }),
  support_requests: exported(supportRequests, {
    columns: allColumns(supportRequests),
    withheld: {},
    user: {
      section: 'support_requests',
      where: (s, t) => and(eq(t.engineerUserId, s.userId), gte(t.createdAt, s.from)),
      orderBy: (t) => [desc(t.id)],
    },
    account: {
      section: 'support_requests',
      where: (s, t) => and(eq(t.accountId, s.accountId), gte(t.createdAt, s.from)),
      orderBy: (t) => [desc(t.id)],
    },
  }),
  audit_entries: exported(auditEntries, {
    columns: [
      'id',
      'at',
      'accountId',
      'organizationId',
      'actorUserId',
      'actorLabel',
      'action',
      'targetType',
      'targetId',
      'details',
    ],
    withheld: {
      prevHash: "the audit chain's link: integrity data, no one's data (AUD-3)",
      hash: "the audit chain's link: integrity data, no one's data (AUD-3)",
      seq: "the entry's place in the audit chain: integrity data, no one's data (AUD-3)",
    },
    // What the user did, and what was done to them.
    user: {
      section: 'audit_entries',
      where: (s, t) =>
        and(
          eq(t.accountId, s.accountId),
          gte(t.at, s.from),
          or(
            eq(t.actorUserId, s.userId),
            and(eq(t.targetType, 'user'), eq(t.targetId, String(s.userId))),
          ),
        ),
      orderBy: (t) => [desc(t.id)],
    },
    account: {
      section: 'audit_entries',
      where: (s, t) => and(eq(t.accountId, s.accountId), gte(t.at, s.from)),
      orderBy: (t) => [desc(t.id)],
    },
  }),
  // INT-1/INT-2: forwarding is the installation's machinery, not anyone's personal data; the
  // entries it carries are in the audit section already.
  integration_destinations: {
    excluded:
      'forwarding setup: collector and webhook addresses and a sealed secret, no person’s data',
  },
  outbox: { excluded: 'delivery state of audit entries, which the audit section carries' },
  worker_leases: { excluded: 'a lease of a running server process, no one’s data' },
  // SCALE-2: keyed by an email or an address, but only a security counter of failed attempts,
  // forgotten 15 minutes after the last one; the failed sign-ins themselves are in the audit
  // section (auth.sign_in_failed, with the address).
  sign_in_throttle: {
    excluded:
      'a security counter of recent failed sign-ins per email and address, forgotten within 15 minutes; the failures are in the audit section',
  },
  // INT-3: a notice addressed to the subject is theirs to receive; what it tells of is in the
  // audit section too.
  notifications: exported(notifications, {
    columns: allColumns(notifications),
    withheld: {},
    user: {
      section: 'notifications',
      where: (s, t) => and(eq(t.userId, s.userId), gte(t.createdAt, s.from)),
      orderBy: (t) => [desc(t.id)],
    },
    account: {
      section: 'notifications',
      where: (s, t) => and(eq(t.accountId, s.accountId), gte(t.createdAt, s.from)),
      orderBy: (t) => [desc(t.id)],
    },
  }),
  email_outbox: {
    excluded: 'the delivery copies of notifications, which the notifications section carries',
  },
  // Tables of the database that main/db/schema.ts does not declare.
  organizations_search: {
    excluded: 'the search index over organizations.search_text, itself withheld',
  },
  __drizzle_migrations: { excluded: 'schema bookkeeping: which migrations ran, no one’s data' },
};

export const isExcluded = (t: ExportedTable | ExcludedTable): t is ExcludedTable => 'excluded' in t;
