// EXP-3: what a restore copies, table by table. Every table of the app schema (main/db/schema.ts)
// must be listed here (a test enforces it), so a new table is a decision, not an accident: copied
// into the restored org with how its ids are remapped, or left out with the reason. A table
// missing from this list would never be restored.
//
// Copied tables are copied in the order they are listed (dependency order: a table's refs point
// only at tables listed before it, or at the account and the org themselves). Their rows are the
// exported org's (`organization_id` = that org); every copied row gets a new id.

/** A table whose rows of the org are copied. */
export interface CopiedTable {
  /** column → the table whose remapped id it holds */
  refs: Record<string, string>;
  /** columns holding ids of the other database that mean nothing here: written as NULL */
  nullify?: string[];
  /** column → the table whose ids it holds as a JSON array (ids not copied are dropped) */
  jsonIds?: Record<string, string>;
}

/** The organization itself: inserted by its own step, before every copied table. */
export interface RootTable {
  root: string;
}

export interface NotRestoredTable {
  skip: string;
}

export type RestoreDecision = CopiedTable | RootTable | NotRestoredTable;

const byOrg: CopiedTable = { refs: { organization_id: 'organizations' } };

export const RESTORE_PLAN: Record<string, RestoreDecision> = {
  accounts: { skip: 'the restored org joins the caller’s account; account ids map to it' },
  users: {
    skip: 'the people of the other database; columns naming one of them are nulled (nullify)',
  },
  role_assignments: { skip: 'grants to users of the other database; roles are given here anew' },
  api_tokens: { skip: 'credentials: never exported' },
  sso_configs: { skip: 'credentials: never exported' },
  oidc_sign_ins: { skip: 'credentials: never exported' },
  user_totp: { skip: 'credentials: never exported' },
  mfa_recovery_codes: { skip: 'credentials: never exported' },
  mfa_challenges: { skip: 'credentials: never exported' },
  passkeys: { skip: 'credentials: never exported' },
  webauthn_challenges: { skip: 'credentials: never exported' },
  organizations: {
    root:
      'a new org of the caller’s account: new id, a NEW secret, a free name ("(restored)"); its ' +
      'major_incident_workflow_id follows once the workflows have their new ids',
  },
  locations: byOrg,
  location_subnets: { refs: { organization_id: 'organizations', location_id: 'locations' } },
  hosts: { refs: { organization_id: 'organizations', location_id: 'locations' } },
  organization_host_counts: {
    skip: 'derived: the hosts triggers count the restored hosts as they are inserted',
  },
  org_health_snapshots: { skip: 'derived health history (UI-12): never exported' },
  account_health_snapshots: { skip: 'derived health history (UI-12): never exported' },
  audit_entries: {
    skip: 'the other database’s hash chain; one organization.restored entry records the restore',
  },
  audit_heads: { skip: 'where the other database’s hash chain ends; its entries are not restored' },
  alert_rules: byOrg,
  compliance_baselines: byOrg,
  support_grants: { skip: 'account-level access for the other account’s support engineers' },
  support_requests: { skip: 'account-level requests of the other account’s support engineers' },
  workflows: byOrg,
  incidents: {
    refs: { organization_id: 'organizations' },
    nullify: ['reported_by_user_id'],
    jsonIds: { affected_host_ids: 'hosts' },
  },
  workflow_runs: {
    refs: { organization_id: 'organizations', workflow_id: 'workflows', incident_id: 'incidents' },
  },
  // INT-1/INT-2: never exported (export-policy.ts); forwarding is set up where it runs.
  integration_destinations: { skip: "the other installation's forwarding setup: never exported" },
  outbox: { skip: "the other installation's delivery state: never exported" },
  worker_leases: { skip: 'a lease of a running server process: never exported' },
  sign_in_throttle: { skip: "the other installation's sign-in throttle counts: never exported" },
  notifications: { skip: "the other installation's notices to its admins: never exported" },
  email_outbox: { skip: "the other installation's queued emails: never exported" },
  // Only the org-level flags (organization_id = the org): account-wide ones are the account's.
  feature_flags: { refs: { organization_id: 'organizations', account_id: 'accounts' } },
  recordings: {
    refs: { organization_id: 'organizations', host_id: 'hosts' },
    nullify: ['user_id'],
  },
};

export const isCopied = (d: RestoreDecision): d is CopiedTable => 'refs' in d;

/** The copied tables, in the order a restore copies them. */
export const copiedTables = (): { table: string; plan: CopiedTable }[] =>
  Object.entries(RESTORE_PLAN).flatMap(([table, d]) => (isCopied(d) ? [{ table, plan: d }] : []));
