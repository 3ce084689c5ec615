// The Orgdesk data model. Times are epoch milliseconds (integers); booleans are 0/1 integers.
// `*_key` columns hold the case-folded form that uniqueness is enforced on, so the rule
// "unique ignoring case" holds for every script, not only ASCII (SQLite's lower() is ASCII-only).
import { sql } from 'drizzle-orm';
import {
  blob,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

export const accounts = sqliteTable('accounts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  defaultRetentionDays: integer('default_retention_days').notNull().default(90),
  // PLAT-1: a deactivated account's users cannot sign in and its agents are refused.
  isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
  // IDN-1: every user of the account needs a second factor; without one a session can only enrol.
  requireMfa: integer('require_mfa', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
});

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    emailKey: text('email_key').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash'),
    isSupportEngineer: integer('is_support_engineer', { mode: 'boolean' }).notNull().default(false),
    // PLAT-1: a server-level role beside the tenant roles; it manages accounts, never reads them.
    isPlatformOperator: integer('is_platform_operator', { mode: 'boolean' })
      .notNull()
      .default(false),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    erasedAt: integer('erased_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('users_email_key_uq').on(t.emailKey),
    index('users_account_idx').on(t.accountId),
  ],
);

export const roleAssignments = sqliteTable(
  'role_assignments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    // null: the role holds account-wide (account_admin)
    organizationId: integer('organization_id').references(() => organizations.id, {
      onDelete: 'cascade',
    }),
    role: text('role', { enum: ['account_admin', 'org_admin', 'technician', 'reader'] }).notNull(),
  },
  (t) => [
    index('role_assignments_user_idx').on(t.userId, t.organizationId),
    index('role_assignments_org_idx').on(t.organizationId),
  ],
);

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['session', 'personal'] }).notNull(),
    name: text('name').notNull(),
    tokenDigest: text('token_digest').notNull(),
    readOnly: integer('read_only', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
    lastUsedAt: integer('last_used_at'),
    // IDN-3: when this token's holder last proved a second factor (sign-in, enrolment, step-up).
    secondFactorAt: integer('second_factor_at'),
    // IDN-5: where a session (or the session that minted a personal token) signed in from, for
    // "my sessions". The peer address as the server saw it; the client as its user agent said.
    clientAddress: text('client_address'),
    client: text('client'),
  },
  (t) => [
    uniqueIndex('api_tokens_digest_uq').on(t.tokenDigest),
    index('api_tokens_user_idx').on(t.userId),
  ],
);

/**
 * IDN-1: a user's TOTP factor. The secret is encrypted with the secret box (AAD names the user),
 * `confirmedAt` null while enrolment waits for its first code; `lastStep` is the RFC 6238 time
 * step of the last accepted code, raised only by a conditional update, so a code is accepted once.
 */
export const userTotp = sqliteTable('user_totp', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secretCiphertext: blob('secret_ciphertext', { mode: 'buffer' }).notNull(),
  confirmedAt: integer('confirmed_at'),
  lastStep: integer('last_step'),
  createdAt: integer('created_at').notNull(),
});

/** IDN-1: single-use recovery codes, stored as keyed digests only; `usedAt` set once. */
export const mfaRecoveryCodes = sqliteTable(
  'mfa_recovery_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeDigest: text('code_digest').notNull(),
    usedAt: integer('used_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('mfa_recovery_codes_user_digest_uq').on(t.userId, t.codeDigest)],
);

/**
 * IDN-1: the second step of a sign-in: the password was right, the session waits for a code.
 * Short-lived, single-use (`usedAt`), and burnt after a few wrong codes (`failures`).
 */
export const mfaChallenges = sqliteTable(
  'mfa_challenges',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenDigest: text('token_digest').notNull(),
    address: text('address').notNull(),
    failures: integer('failures').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [uniqueIndex('mfa_challenges_digest_uq').on(t.tokenDigest)],
);

/**
 * IDN-2: a user's passkeys (WebAuthn credentials). Only the public part exists here: the
 * credential id, its COSE public key, the signature counter (raised by a conditional update, so
 * a replayed or cloned assertion is refused) and the transports the authenticator named.
 */
export const passkeys = sqliteTable(
  'passkeys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    credentialId: text('credential_id').notNull(),
    publicKey: blob('public_key', { mode: 'buffer' }).notNull(),
    counter: integer('counter').notNull().default(0),
    transports: text('transports').notNull().default('[]'),
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [
    uniqueIndex('passkeys_credential_uq').on(t.credentialId),
    index('passkeys_user_idx').on(t.userId),
  ],
);

/**
 * IDN-2: WebAuthn challenges, server-side, single use and short-lived: a registration, a
 * sign-in's second step (bound to its mfa_challenges row) or a step-up. Stored as a keyed
 * digest: the challenge itself travels only to the browser and back.
 */
export const webauthnChallenges = sqliteTable(
  'webauthn_challenges',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ['register', 'sign_in', 'step_up'] }).notNull(),
    challengeDigest: text('challenge_digest').notNull(),
    mfaChallengeId: integer('mfa_challenge_id').references(() => mfaChallenges.id, {
      onDelete: 'cascade',
    }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [uniqueIndex('webauthn_challenges_digest_uq').on(t.challengeDigest)],
);

export const organizations = sqliteTable(
  'organizations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    nameKey: text('name_key').notNull(),
    description: text('description'),
    // Name + description, case and accents folded (shared/org-search.ts): ORG-2's haystack.
    searchText: text('search_text').notNull(),
    region: text('region'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    automationLevel: text('automation_level', { enum: ['manual', 'semi_auto', 'full_auto'] })
      .notNull()
      .default('manual'),
    killSwitch: integer('kill_switch', { mode: 'boolean' }).notNull().default(false),
    majorIncidentWorkflowId: integer('major_incident_workflow_id'),
    recordingPolicy: text('recording_policy', { enum: ['off', 'metadata', 'full'] })
      .notNull()
      .default('metadata'),
    recordingRetentionDays: integer('recording_retention_days'),
    legalHold: integer('legal_hold', { mode: 'boolean' }).notNull().default(false),
    legalHoldReason: text('legal_hold_reason'),
    // SEC-1: AES-256-GCM ciphertext (iv | tag | data) and a keyed digest for lookup.
    secretCiphertext: blob('secret_ciphertext', { mode: 'buffer' }).notNull(),
    secretDigest: text('secret_digest').notNull(),
    // SEC-3 grace: the previous secret's digest, accepted until the time given.
    previousSecretDigest: text('previous_secret_digest'),
    previousSecretExpiresAt: integer('previous_secret_expires_at'),
    secretRotatedAt: integer('secret_rotated_at'),
    // SEC-3: counts regenerations; a legacy host records the generation it last authenticated
    // with (hosts.secret_generation), so the console can say who still uses the old secret.
    secretGeneration: integer('secret_generation').notNull().default(0),
    // LOC-3 across processes (issue 14, SCALE-2): bumped by triggers (migration 0014) in the same
    // transaction as any change to the org's locations or subnets, so a cached matcher built at
    // an older revision is seen to be stale by every process, not only the one that edited.
    locationRevision: integer('location_revision').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('organizations_account_name_uq').on(t.accountId, t.nameKey),
    index('organizations_account_active_name_idx').on(t.accountId, t.isActive, t.nameKey, t.id),
    index('organizations_account_region_idx').on(t.accountId, t.region),
    // ORG-2 by region: counted and paged in name order from the index alone.
    index('organizations_account_active_region_name_idx').on(
      t.accountId,
      t.isActive,
      t.region,
      t.nameKey,
      t.id,
    ),
    // ORG-2 sort=region order=desc: regions descending, ties still by name ascending (the index
    // above serves ascending, and either one walked backwards serves a deep skip from the end).
    index('organizations_account_active_region_desc_name_idx').on(
      t.accountId,
      t.isActive,
      sql`${t.region} desc`,
      t.nameKey,
      t.id,
    ),
    // ORG-2 search: the trigram index hands back org ids (an exact substring test, migration
    // 0006); each is checked against the caller's scope and filters, and carries its sort key,
    // from this narrow index rather than the wide one that carried search_text (checking 10,000
    // matches: 6.3 -> 4.0 ms).
    index('organizations_id_scope_idx').on(t.id, t.accountId, t.isActive, t.region, t.nameKey),
    // ORG-2 search for one or two characters (no trigram to look up): the caller's orgs are
    // tested from this index in name order, not from their wide rows (100,000 orgs: 75 -> 16 ms).
    // It holds every column of organizations_account_active_name_idx, which stays anyway: every
    // unfiltered page counts the caller's orgs, and that is 2.9 ms from the narrow index against
    // 4.3 ms from this one at 100,000 orgs.
    index('organizations_account_active_search_idx').on(
      t.accountId,
      t.isActive,
      t.nameKey,
      t.id,
      t.searchText,
    ),
    uniqueIndex('organizations_secret_digest_uq').on(t.secretDigest),
    index('organizations_previous_secret_digest_idx')
      .on(t.previousSecretDigest)
      .where(sql`previous_secret_digest IS NOT NULL`),
  ],
);

export const locations = sqliteTable(
  'locations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    nameKey: text('name_key').notNull(),
    timezone: text('timezone').notNull().default('UTC'),
    isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('locations_org_name_uq').on(t.organizationId, t.nameKey),
    // LOC-4: at most one default per org, enforced by the database itself.
    uniqueIndex('locations_one_default_uq')
      .on(t.organizationId)
      .where(sql`is_default = 1`),
  ],
);

export const locationSubnets = sqliteTable(
  'location_subnets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    locationId: integer('location_id')
      .notNull()
      .references(() => locations.id, { onDelete: 'cascade' }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    // Canonical CIDR text, e.g. 10.1.0.0/16 or 2001:db8::/32.
    cidr: text('cidr').notNull(),
  },
  (t) => [
    uniqueIndex('location_subnets_org_cidr_uq').on(t.organizationId, t.cidr),
    index('location_subnets_location_idx').on(t.locationId),
  ],
);

export const hosts = sqliteTable(
  'hosts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'restrict' }),
    locationId: integer('location_id')
      .notNull()
      .references(() => locations.id, { onDelete: 'restrict' }),
    hostname: text('hostname').notNull(),
    ip: text('ip').notNull(),
    // UI-11 sort by IP: ipSortKey(ip) of shared/cidr.ts, written with every ip (null only for
    // rows written around the app, e.g. by hand).
    ipKey: text('ip_key'),
    agentType: text('agent_type', { enum: ['go', 'legacy'] }).notNull(),
    publicKey: text('public_key'),
    pinned: integer('pinned', { mode: 'boolean' }).notNull().default(false),
    registeredAt: integer('registered_at').notNull(),
    lastSeenAt: integer('last_seen_at'),
    // AGT-2: the newest signed heartbeat timestamp (Unix seconds) accepted from this host; each
    // next one must be greater, so a replay is refused across restarts and replicas.
    lastSignedAt: integer('last_signed_at'),
    // SEC-3: the org secret generation (organizations.secret_generation) this host presented at
    // its last registration or legacy heartbeat, written in the same UPDATE as last_seen_at.
    // Null: not known (not heard from since the column was added).
    secretGeneration: integer('secret_generation'),
    // AGT-1 one host per hostname (issue 14): set only by migration 0014, on a host whose
    // hostname (ignoring case) an older host of its org already had. Such a host is kept and
    // listed, never dropped; registration reaches the older one (as it did before).
    duplicateOf: integer('duplicate_of'),
  },
  (t) => [
    // AGT-1: one host per org and folded hostname, enforced by the database, so two concurrent
    // registrations of one hostname cannot both insert (registration inserts ON CONFLICT).
    // Hostnames are ASCII (registerAgentInput), so lower() folds them exactly like NOCASE.
    uniqueIndex('hosts_org_hostname_key_uq')
      .on(t.organizationId, sql`lower(${t.hostname})`)
      .where(sql`duplicate_of IS NULL`),
    // AGT-3 status counts (ORG-2), and UI-11 hosts sorted by last seen or status: ranges of it.
    index('hosts_org_seen_idx').on(t.organizationId, t.lastSeenAt, t.registeredAt),
    // UI-11 hosts by location (one location's hosts by hostname), and the location filter.
    index('hosts_location_hostname_idx').on(t.locationId, sql`${t.hostname} COLLATE NOCASE`, t.id),
    // UI-11 hosts by IP.
    index('hosts_org_ip_idx').on(t.organizationId, t.ipKey, t.id),
    // Re-registration finds a host by hostname ignoring case: the index must use NOCASE too.
    index('hosts_org_hostname_nocase_idx').on(
      t.organizationId,
      sql`${t.hostname} COLLATE NOCASE`,
      t.id,
    ),
  ],
);

/**
 * Hosts per org, kept by triggers on organizations and hosts (migrations 0004 and 0009), so
 * ORG-2's stats need not walk every host of a large org to count them, and ORG-2 can sort by them.
 * Derived data: never written by code, except `refreshDue()` in host-status-counts.ts, which
 * re-counts the statuses.
 *
 * `hosts` is exact at all times. `online`/`offline`/`stale` are the statuses of the org's current
 * hosts evaluated at `as_of` (AGT-3 at that time; the triggers evaluate a written host at the
 * row's `as_of` too), and `next_change_at` is no later than the first moment after `as_of` at
 * which one of those hosts changes status by time alone: until then the counts are the live
 * ones; from then on the org is due for a re-count (null: no host will ever change).
 * `account_id`, `is_active`, `name_key` and `region` copy the org's (triggers), so a page sorted
 * by a count is read from one index in order, scope, filters and name ties included.
 */
export const organizationHostCounts = sqliteTable(
  'organization_host_counts',
  {
    organizationId: integer('organization_id')
      .primaryKey()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    hosts: integer('hosts').notNull().default(0),
    online: integer('online').notNull().default(0),
    offline: integer('offline').notNull().default(0),
    stale: integer('stale').notNull().default(0),
    asOf: integer('as_of').notNull().default(0),
    nextChangeAt: integer('next_change_at'),
    // Copies of the org's columns (null only while an export copies hosts before their org).
    accountId: integer('account_id'),
    isActive: integer('is_active', { mode: 'boolean' }),
    nameKey: text('name_key'),
    region: text('region'),
  },
  (t) => [
    // ORG-2 sort by a count, one index per key and direction (ties by name ascending either way);
    // each walked backwards serves the deep skips of its direction. Region last: covered, so a
    // region filter is tested in the index.
    ...(
      [
        ['online', t.online],
        ['offline', t.offline],
        ['stale', t.stale],
        ['hosts', t.hosts],
      ] as const
    ).flatMap(([name, col]) => [
      index(`organization_host_counts_${name}_idx`).on(
        t.accountId,
        t.isActive,
        col,
        t.nameKey,
        t.organizationId,
        t.region,
      ),
      index(`organization_host_counts_${name}_desc_idx`).on(
        t.accountId,
        t.isActive,
        sql`${col} desc`,
        t.nameKey,
        t.organizationId,
        t.region,
      ),
    ]),
    // The refresh job's queue: the orgs whose counts are due, soonest first.
    index('organization_host_counts_due_idx')
      .on(t.nextChangeAt)
      .where(sql`next_change_at IS NOT NULL`),
  ],
);

export const auditEntries = sqliteTable(
  'audit_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    accountId: integer('account_id').notNull(),
    organizationId: integer('organization_id'),
    actorUserId: integer('actor_user_id'),
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    details: text('details').notNull().default('{}'),
    // AUD-3: hash of the previous entry of the same account, and of this one.
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    // AUD-3 (issue 14): the entry's place in its account's chain, 1, 2, 3… Ids are not commit
    // order on every engine; this is, and unique per account, so a second writer that read the
    // same chain head fails instead of forking the chain.
    seq: integer('seq').notNull(),
  },
  (t) => [
    // AUD-3: the chain of an account, in the order it was written.
    index('audit_account_idx').on(t.accountId, t.id),
    uniqueIndex('audit_account_seq_uq').on(t.accountId, t.seq),
    // AUD-2 pages by time (UI-11, either order) and time ranges: account-wide and per org.
    index('audit_account_at_idx').on(t.accountId, t.at, t.id),
    index('audit_org_at_idx').on(t.organizationId, t.at, t.id),
  ],
);

// AUD-3 (issue 14): each account's chain head, the last entry's seq and link hash, read and moved
// by every append in the appending transaction (locked FOR UPDATE on engines with row locks). A
// verification compares it with the last entry, so entries cut from the end are found too.
export const auditHeads = sqliteTable('audit_heads', {
  accountId: integer('account_id').primaryKey(),
  seq: integer('seq').notNull(),
  hash: text('hash').notNull(),
});

// Onboarding defaults (AUT-5): seeded in the transaction that creates the org.
export const alertRules = sqliteTable(
  'alert_rules',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    threshold: integer('threshold'),
    durationMinutes: integer('duration_minutes'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('alert_rules_org_idx').on(t.organizationId)],
);

export const complianceBaselines = sqliteTable(
  'compliance_baselines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    rules: text('rules').notNull().default('[]'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('compliance_baselines_org_idx').on(t.organizationId)],
);

// ---- Second migration: support access (SUP), automation (AUT), governance (GOV).

export const supportGrants = sqliteTable(
  'support_grants',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    // 'customer': enabled by a customer admin for the whole support team;
    // 'request': an approved engineer's request, for that engineer only.
    kind: text('kind', { enum: ['customer', 'request'] }).notNull(),
    engineerUserId: integer('engineer_user_id').references(() => users.id, { onDelete: 'cascade' }),
    grantedByUserId: integer('granted_by_user_id'),
    reason: text('reason'),
    startsAt: integer('starts_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    revokedAt: integer('revoked_at'),
    revokedByUserId: integer('revoked_by_user_id'),
    revokeReason: text('revoke_reason'),
    // SUP-6: when the end of this grant by time was put on the audit trail. Claimed by a
    // conditional UPDATE (… WHERE expiry_recorded_at IS NULL), so the expiry is recorded once
    // however many jobs and requests notice it at the same moment.
    expiryRecordedAt: integer('expiry_recorded_at'),
  },
  (t) => [
    index('support_grants_account_idx').on(t.accountId, t.expiresAt),
    index('support_grants_engineer_idx').on(t.engineerUserId, t.expiresAt),
  ],
);

export const supportRequests = sqliteTable(
  'support_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    engineerUserId: integer('engineer_user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reason: text('reason').notNull(),
    durationHours: integer('duration_hours').notNull(),
    status: text('status', {
      enum: ['pending', 'approved', 'denied', 'expired', 'cancelled'],
    }).notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    decidedAt: integer('decided_at'),
    decidedByUserId: integer('decided_by_user_id'),
    decisionReason: text('decision_reason'),
    grantId: integer('grant_id'),
  },
  (t) => [index('support_requests_account_status_idx').on(t.accountId, t.status)],
);

export const workflows = sqliteTable(
  'workflows',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('workflows_org_idx').on(t.organizationId, t.isActive)],
);

export const incidents = sqliteTable(
  'incidents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    priority: text('priority', { enum: ['P1', 'P2', 'P3', 'P4'] }).notNull(),
    title: text('title').notNull(),
    affectedHostIds: text('affected_host_ids').notNull().default('[]'),
    reportedByUserId: integer('reported_by_user_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('incidents_org_idx').on(t.organizationId, t.createdAt)],
);

export const workflowRuns = sqliteTable(
  'workflow_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    workflowId: integer('workflow_id')
      .notNull()
      .references(() => workflows.id, { onDelete: 'cascade' }),
    incidentId: integer('incident_id').references(() => incidents.id, { onDelete: 'set null' }),
    status: text('status', { enum: ['running', 'awaiting_approval', 'suppressed'] }).notNull(),
    reason: text('reason'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('workflow_runs_org_idx').on(t.organizationId, t.createdAt)],
);

export const featureFlags = sqliteTable(
  'feature_flags',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    // null: the account-wide flag; an org's own flag overrides it.
    organizationId: integer('organization_id').references(() => organizations.id, {
      onDelete: 'cascade',
    }),
    feature: text('feature').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('feature_flags_scope_uq').on(
      t.accountId,
      sql`coalesce(${t.organizationId}, 0)`,
      t.feature,
    ),
  ],
);

export const recordings = sqliteTable(
  'recordings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    hostId: integer('host_id'),
    userId: integer('user_id'),
    kind: text('kind', { enum: ['terminal', 'remote_desktop'] }).notNull(),
    capture: text('capture', { enum: ['metadata', 'full'] }).notNull(),
    startedAt: integer('started_at').notNull(),
    endedAt: integer('ended_at'),
    sizeBytes: integer('size_bytes').notNull().default(0),
  },
  (t) => [index('recordings_org_started_idx').on(t.organizationId, t.startedAt)],
);

// ---- UI-12: the fleet's health history, one snapshot per org (and per account) per hour.

/**
 * Host health of one org at the start of one hour (`hour`: epoch ms, a multiple of an hour),
 * taken by the hourly snapshot job (main/features/fleet/fleet-snapshots.ts) and deleted after
 * SNAPSHOT_RETENTION_DAYS. Derived data: the first snapshot of an hour stands (idempotent).
 * `is_active` is the org's state then, so a fleet sum can leave out deactivated orgs as the
 * account rows below do.
 */
export const orgHealthSnapshots = sqliteTable(
  'org_health_snapshots',
  {
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    hour: integer('hour').notNull(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull(),
    online: integer('online').notNull(),
    offline: integer('offline').notNull(),
    stale: integer('stale').notNull(),
    total: integer('total').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.organizationId, t.hour] }),
    // The retention cleanup deletes by hour across every org.
    index('org_health_snapshots_hour_idx').on(t.hour),
  ],
);

/**
 * The same per account: the sum over the account's active orgs at that hour, so the fleet chart
 * of an account admin reads 24 rows, not 24 × every org. Written after the account's org rows;
 * its presence marks the account's snapshot of that hour as complete.
 */
export const accountHealthSnapshots = sqliteTable(
  'account_health_snapshots',
  {
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    hour: integer('hour').notNull(),
    organizations: integer('organizations').notNull(),
    online: integer('online').notNull(),
    offline: integer('offline').notNull(),
    stale: integer('stale').notNull(),
    total: integer('total').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.hour] }),
    index('account_health_snapshots_hour_idx').on(t.hour),
  ],
);

// IDN-4: an account's OpenID Connect single sign-on (one per account). The client secret is
// sealed with the secret box (AES-256-GCM, the account id as AAD) and never read back out.
export const ssoConfigs = sqliteTable('sso_configs', {
  accountId: integer('account_id')
    .primaryKey()
    .references(() => accounts.id, { onDelete: 'cascade' }),
  issuer: text('issuer').notNull(),
  clientId: text('client_id').notNull(),
  clientSecretCiphertext: blob('client_secret_ciphertext', { mode: 'buffer' }),
  // JSON arrays: folded email domains; {group, role, organization_id|null} mappings.
  allowedDomains: text('allowed_domains').notNull(),
  groupsClaim: text('groups_claim').notNull().default('groups'),
  groupMappings: text('group_mappings').notNull(),
  extraScopes: text('extra_scopes').notNull().default(''),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(false),
  updatedAt: integer('updated_at').notNull(),
});

// IDN-4: one sign-in through the account's provider, from start to the session. State, the
// provider's PKCE verifier and the nonce live here (not in memory) so any replica can take the
// callback; each step is a conditional update, so a replayed callback or code finds nothing.
export const oidcSignIns = sqliteTable(
  'oidc_sign_ins',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    stateDigest: text('state_digest').notNull(),
    nonce: text('nonce').notNull(),
    providerVerifier: text('provider_verifier').notNull(),
    // The client's own PKCE challenge (S256): only the client that started may take the session.
    clientChallenge: text('client_challenge').notNull(),
    // Where the browser goes after the callback: the console, or a desktop's loopback listener.
    returnTo: text('return_to').notNull(),
    clientState: text('client_state'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    calledBackAt: integer('called_back_at'),
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    handoffDigest: text('handoff_digest'),
    handoffExpiresAt: integer('handoff_expires_at'),
    exchangedAt: integer('exchanged_at'),
  },
  (t) => [
    uniqueIndex('oidc_sign_ins_state_uq').on(t.stateDigest),
    uniqueIndex('oidc_sign_ins_handoff_uq').on(t.handoffDigest),
    index('oidc_sign_ins_expiry_idx').on(t.expiresAt),
  ],
);

// INT-1/INT-2 (issue 18): where an account's audit entries are forwarded. A syslog collector
// (`tls://`, `tcp://`, `udp://`) or a webhook (`https://`). The webhook's signing secret is kept
// sealed by the secret box (it must be read back to sign); the answer shows it once, at creation.
export const integrationDestinations = sqliteTable(
  'integration_destinations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    url: text('url').notNull(),
    // JSON array of event patterns (`organization.*`, `host.registered`); null: every event.
    events: text('events'),
    caPem: text('ca_pem'),
    secretCiphertext: text('secret_ciphertext'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    // Why it is off: the admin's own choice (null) or the automatic disable after failures.
    disabledReason: text('disabled_reason'),
    // Delivery state: consecutive failures drive the destination's backoff (one queue per
    // destination, delivered in sequence order), and the status the console shows.
    failures: integer('failures').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull().default(0),
    lastDeliveredAt: integer('last_delivered_at'),
    lastError: text('last_error'),
    lastErrorAt: integer('last_error_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('integration_destinations_account_idx').on(t.accountId, t.enabled)],
);

// INT-1/INT-2: the outbox. One row per audit entry and matching destination, written by the
// audit append inside the entry's own transaction (a rolled-back change leaves none); the drain
// worker sends them and records the outcome. The rows are also the delivery log.
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    destinationId: integer('destination_id')
      .notNull()
      .references(() => integrationDestinations.id, { onDelete: 'cascade' }),
    accountId: integer('account_id').notNull(),
    auditEntryId: integer('audit_entry_id').notNull(),
    // pending | delivered | dead
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    lastAttemptAt: integer('last_attempt_at'),
    deliveredAt: integer('delivered_at'),
    lastError: text('last_error'),
    // The receiver's answer (a webhook's HTTP status), for the delivery log.
    responseStatus: integer('response_status'),
  },
  (t) => [
    index('outbox_destination_status_idx').on(t.destinationId, t.status, t.id),
    index('outbox_status_idx').on(t.status, t.destinationId),
  ],
);

// SCALE-2: the lease that lets one process drain the outbox at a time, across replicas.
export const workerLeases = sqliteTable('worker_leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

// SCALE-2: the sign-in throttle's counts per key (an email, an address, a user's second factor),
// shared by every process on the database: a restart or another replica sees the same counts.
// `expires_at` is when the row is forgotten (no failure in the window, no lockout, nothing in
// flight): rows past it are purged a few at a time by the throttle's own writes.
export const signInThrottle = sqliteTable(
  'sign_in_throttle',
  {
    key: text('key').primaryKey(),
    failed: integer('failed').notNull().default(0),
    inFlight: integer('in_flight').notNull().default(0),
    // Reservations older than this count no more: their process may have died mid-check.
    inFlightUntil: integer('in_flight_until').notNull().default(0),
    lastFailAt: integer('last_fail_at').notNull().default(0),
    lockedUntil: integer('locked_until').notNull().default(0),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sign_in_throttle_expires_idx').on(t.expiresAt)],
);

// INT-3: what an account's admins are told (support requests, grants starting and ending,
// emergency disable, a destination failing). One row per recipient, written by the audit
// append in the event's own transaction, so a change that rolls back tells nobody.
export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // The audit entry it tells of; null for what the drainer notices (a destination failing).
    auditEntryId: integer('audit_entry_id'),
    // The audit action it tells of (`support_access.requested`, `integration.auto_disabled`…).
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
    readAt: integer('read_at'),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.accountId, t.readAt, t.id)],
);

// INT-3: each notification queued for email (only where ORGDESK_SMTP_URL is set), in the same
// transaction; the email drainer sends it off the request path, under a worker lease.
export const emailOutbox = sqliteTable(
  'email_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    notificationId: integer('notification_id')
      .notNull()
      .references(() => notifications.id, { onDelete: 'cascade' }),
    accountId: integer('account_id').notNull(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    // pending | sent | dead
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
    lastError: text('last_error'),
  },
  (t) => [index('email_outbox_status_idx').on(t.status, t.nextAttemptAt, t.id)],
);
