// EXP-1: what an export contains, table by table. Every table of the app schema must be listed
// here (a test enforces it), so a new table is a decision, not an accident: exported with a
// scope, or left out with the reason. A table missing from this list is never exported.
//
// Secrets never leave: the export keeps the app's columns (so the same services read it), but a
// column that holds a secret, a digest of one, a password hash or a credential is blanked on the
// way out: NULL where the schema allows it, otherwise a fixed marker that reveals nothing.

export type ExportScope = 'organization' | 'account';

export interface TablePolicy {
  /**
   * SQL condition selecting the rows in scope; `:account` is the account id and `orgs` (the
   * ORGS fragment) the exported organizations.
   */
  where: (scope: ExportScope) => string;
  /** column → SQL expression written instead of the value. */
  blank?: Record<string, string>;
}

export interface SkippedTable {
  skip: string;
}

/** The exported orgs, as a subquery over the JSON array bound to :orgs. */
const ORGS = '(SELECT value FROM json_each(:orgs))';
const inOrgs = (column = 'organization_id') => `${column} IN ${ORGS}`;
const byOrg: TablePolicy = { where: () => inOrgs() };

/** The marker written in place of an org secret's digest (NOT NULL and UNIQUE in the schema). */
export const NO_SECRET_DIGEST_SQL = "'exported-without-secret:' || id";

export const EXPORT_POLICY: Record<string, TablePolicy | SkippedTable> = {
  accounts: { where: () => 'id = :account' },
  users: {
    // Org export: the people holding a role there (or account-wide). Account: everyone in it.
    where: (scope) =>
      scope === 'account'
        ? 'account_id = :account'
        : `id IN (SELECT user_id FROM role_assignments WHERE account_id = :account AND (organization_id IS NULL OR ${inOrgs()}))`,
    blank: { password_hash: 'NULL' },
  },
  role_assignments: {
    where: () => `account_id = :account AND (organization_id IS NULL OR ${inOrgs()})`,
  },
  api_tokens: { skip: 'sign-in sessions and API tokens are credentials (digests of tokens)' },
  // IDN-4: account-wide, not an org's; it holds the sealed client secret of the account's IdP.
  sso_configs: { skip: 'account-wide sign-in settings with a sealed client secret: credentials' },
  oidc_sign_ins: { skip: 'single sign-on in progress (state, nonce, PKCE verifier): credentials' },
  // IDN-1: second factors are credentials bound to this server's key; a restore re-enrols.
  user_totp: { skip: 'TOTP secrets are credentials (encrypted with this installation key)' },
  mfa_recovery_codes: { skip: 'recovery codes are credentials (digests)' },
  mfa_challenges: { skip: 'half-finished sign-ins are credentials and expire in minutes' },
  // IDN-2: a passkey is bound to this server's RP ID; a restore elsewhere registers new ones.
  passkeys: { skip: 'passkeys are credentials (public keys and signature counters)' },
  webauthn_challenges: {
    skip: 'WebAuthn challenges in progress are credentials and expire in minutes',
  },
  organizations: {
    where: () => inOrgs('id'),
    blank: {
      secret_ciphertext: "X''",
      secret_digest: NO_SECRET_DIGEST_SQL,
      previous_secret_digest: 'NULL',
      previous_secret_expires_at: 'NULL',
    },
  },
  locations: byOrg,
  location_subnets: byOrg,
  hosts: byOrg,
  organization_host_counts: {
    skip: 'derived: the export’s own triggers count the hosts as they are copied in',
  },
  audit_entries: {
    // Details were redacted when recorded (AUD-1); an org export carries that org's entries.
    where: (scope) => (scope === 'account' ? 'account_id = :account' : inOrgs()),
  },
  audit_heads: {
    // Where the account's chain ends (AUD-3), so a reviewer can tell a trail cut short. An org
    // export carries some entries of that chain, not the chain: no head describes them.
    where: (scope) => (scope === 'account' ? 'account_id = :account' : '0'),
  },
  alert_rules: byOrg,
  compliance_baselines: byOrg,
  support_grants: { where: (scope) => (scope === 'account' ? 'account_id = :account' : '0') },
  support_requests: { where: (scope) => (scope === 'account' ? 'account_id = :account' : '0') },
  workflows: byOrg,
  incidents: byOrg,
  workflow_runs: byOrg,
  feature_flags: {
    where: () => `account_id = :account AND (organization_id IS NULL OR ${inOrgs()})`,
  },
  recordings: byOrg,
  org_health_snapshots: {
    skip: 'derived: hourly host counts for the fleet chart (UI-12), rebuilt by the snapshot job',
  },
  account_health_snapshots: {
    skip: 'derived: the account sums of org_health_snapshots, rebuilt by the snapshot job',
  },
  // INT-1/INT-2: forwarding belongs to the live installation. An export under review or restored
  // must not start sending the account's trail anywhere, and a webhook's sealed signing secret
  // is a credential.
  integration_destinations: {
    skip: "the live installation's forwarding setup: collector addresses and sealed webhook secrets",
  },
  outbox: { skip: "delivery state of the live installation's forwarding (INT-1/INT-2)" },
  worker_leases: { skip: 'a lease held by a running server process (SCALE-2)' },
  // SCALE-2: counts of failed sign-ins per email and address, forgotten within minutes; restored
  // elsewhere they would lock people out of an installation they never failed on.
  sign_in_throttle: { skip: "the live installation's sign-in throttle counts (SCALE-2)" },
  // INT-3: what the live installation told its admins. An org export carries no account-level
  // mailbox, and a queued email restored elsewhere must never be sent again.
  notifications: { skip: "the account admins' notices of the live installation (INT-3)" },
  email_outbox: { skip: "the live installation's queued emails (INT-3)" },
  __drizzle_migrations: { skip: 'schema bookkeeping: written by the migrations themselves' },
};

/** What every export leaves out, for the manifest and the UI. */
export const EXCLUDED_DATA = [
  'organization secrets (current and previous), their encrypted form and their lookup digests',
  'password hashes',
  'sign-in sessions and API tokens (their digests)',
];

export function policyOf(table: string): TablePolicy | SkippedTable | undefined {
  return Object.prototype.hasOwnProperty.call(EXPORT_POLICY, table)
    ? EXPORT_POLICY[table]
    : undefined;
}

export const isSkipped = (p: TablePolicy | SkippedTable): p is SkippedTable => 'skip' in p;
