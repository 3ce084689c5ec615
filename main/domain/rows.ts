/**
 * Engine-neutral row types: what repositories return (issue 14, scale-out.md §4.1). Plain
 * TypeScript, no drizzle type in sight, so a service or a PostgreSQL adapter depends on these and
 * not on the SQLite schema. One per table, field names as in main/db/schema.ts (camelCase),
 * instants as epoch milliseconds, flags as booleans. main/db/sqlite/rows-parity.ts fails the
 * type check when the SQLite schema and these drift apart; a repository method may return a
 * narrower shape (a Pick) where the full row is not needed.
 */

/** A row of `account_health_snapshots`. */
export interface AccountHealthSnapshotRow {
  accountId: number;
  hour: number;
  organizations: number;
  online: number;
  offline: number;
  stale: number;
  total: number;
}

/** A row of `accounts`. */
export interface AccountRow {
  id: number;
  name: string;
  defaultRetentionDays: number;
  isActive: boolean;
  requireMfa: boolean;
  createdAt: number;
}

/** A row of `alert_rules`. */
export interface AlertRuleRow {
  id: number;
  organizationId: number;
  kind: string;
  name: string;
  threshold: number | null;
  durationMinutes: number | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A row of `api_tokens`. */
export interface ApiTokenRow {
  id: number;
  userId: number;
  kind: 'session' | 'personal';
  name: string;
  tokenDigest: string;
  readOnly: boolean;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  secondFactorAt: number | null;
  clientAddress: string | null;
  client: string | null;
}

/** A row of `audit_entries`. */
export interface AuditEntryRow {
  id: number;
  at: number;
  accountId: number;
  organizationId: number | null;
  actorUserId: number | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: string;
  prevHash: string;
  hash: string;
  seq: number;
}

/** A row of `audit_heads`. */
export interface AuditHeadRow {
  accountId: number;
  seq: number;
  hash: string;
}

/** A row of `compliance_baselines`. */
export interface ComplianceBaselineRow {
  id: number;
  organizationId: number;
  name: string;
  rules: string;
  createdAt: number;
  updatedAt: number;
}

/** A row of `feature_flags`. */
export interface FeatureFlagRow {
  id: number;
  accountId: number;
  organizationId: number | null;
  feature: string;
  enabled: boolean;
  updatedAt: number;
}

/** A row of `hosts`. */
export interface HostRow {
  id: number;
  organizationId: number;
  locationId: number;
  hostname: string;
  ip: string;
  ipKey: string | null;
  agentType: 'go' | 'legacy';
  publicKey: string | null;
  pinned: boolean;
  registeredAt: number;
  lastSeenAt: number | null;
  lastSignedAt: number | null;
  secretGeneration: number | null;
  /** Set only by migration 0014: the older host of the org this one repeats the hostname of. */
  duplicateOf: number | null;
}

/** A row of `incidents`. */
export interface IncidentRow {
  id: number;
  organizationId: number;
  priority: 'P1' | 'P2' | 'P3' | 'P4';
  title: string;
  affectedHostIds: string;
  reportedByUserId: number | null;
  createdAt: number;
}

/** A row of `location_subnets`. */
export interface LocationSubnetRow {
  id: number;
  locationId: number;
  organizationId: number;
  cidr: string;
}

/** A row of `locations`. */
export interface LocationRow {
  id: number;
  organizationId: number;
  name: string;
  nameKey: string;
  timezone: string;
  isDefault: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A row of `org_health_snapshots`. */
export interface OrgHealthSnapshotRow {
  organizationId: number;
  accountId: number;
  hour: number;
  isActive: boolean;
  online: number;
  offline: number;
  stale: number;
  total: number;
}

/** A row of `organization_host_counts`. */
export interface OrganizationHostCountRow {
  organizationId: number;
  hosts: number;
  online: number;
  offline: number;
  stale: number;
  asOf: number;
  nextChangeAt: number | null;
  accountId: number | null;
  isActive: boolean | null;
  nameKey: string | null;
  region: string | null;
}

/** A row of `organizations`. */
export interface OrganizationRow {
  id: number;
  accountId: number;
  name: string;
  nameKey: string;
  description: string | null;
  searchText: string;
  region: string | null;
  isActive: boolean;
  automationLevel: 'manual' | 'semi_auto' | 'full_auto';
  killSwitch: boolean;
  majorIncidentWorkflowId: number | null;
  recordingPolicy: 'off' | 'metadata' | 'full';
  recordingRetentionDays: number | null;
  legalHold: boolean;
  legalHoldReason: string | null;
  secretCiphertext: Buffer;
  secretDigest: string;
  previousSecretDigest: string | null;
  previousSecretExpiresAt: number | null;
  secretRotatedAt: number | null;
  secretGeneration: number;
  locationRevision: number;
  createdAt: number;
  updatedAt: number;
}

/** A row of `recordings`. */
export interface RecordingRow {
  id: number;
  organizationId: number;
  hostId: number | null;
  userId: number | null;
  kind: 'terminal' | 'remote_desktop';
  capture: 'metadata' | 'full';
  startedAt: number;
  endedAt: number | null;
  sizeBytes: number;
}

/** A row of `role_assignments`. */
export interface RoleAssignmentRow {
  id: number;
  userId: number;
  accountId: number;
  organizationId: number | null;
  role: 'account_admin' | 'org_admin' | 'technician' | 'reader';
}

/** A row of `support_grants`. */
export interface SupportGrantRow {
  id: number;
  accountId: number;
  kind: 'customer' | 'request';
  engineerUserId: number | null;
  grantedByUserId: number | null;
  reason: string | null;
  startsAt: number;
  expiresAt: number;
  revokedAt: number | null;
  revokedByUserId: number | null;
  revokeReason: string | null;
  expiryRecordedAt: number | null;
}

/** A row of `support_requests`. */
export interface SupportRequestRow {
  id: number;
  accountId: number;
  engineerUserId: number;
  reason: string;
  durationHours: number;
  status: 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  decidedByUserId: number | null;
  decisionReason: string | null;
  grantId: number | null;
}

/** A row of `users`. */
export interface UserRow {
  id: number;
  accountId: number;
  email: string;
  emailKey: string;
  name: string;
  passwordHash: string | null;
  isSupportEngineer: boolean;
  isPlatformOperator: boolean;
  isActive: boolean;
  erasedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A row of `workflow_runs`. */
export interface WorkflowRunRow {
  id: number;
  organizationId: number;
  workflowId: number;
  incidentId: number | null;
  status: 'running' | 'awaiting_approval' | 'suppressed';
  reason: string | null;
  createdAt: number;
}

/** A row of `workflows`. */
export interface WorkflowRow {
  id: number;
  organizationId: number;
  name: string;
  isActive: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A row of `sso_configs` (IDN-4). */
export interface SsoConfigRow {
  accountId: number;
  issuer: string;
  clientId: string;
  clientSecretCiphertext: Buffer | null;
  allowedDomains: string;
  groupsClaim: string;
  groupMappings: string;
  extraScopes: string;
  enabled: boolean;
  updatedAt: number;
}

/** A row of `oidc_sign_ins` (IDN-4). */
export interface OidcSignInRow {
  id: number;
  accountId: number;
  stateDigest: string;
  nonce: string;
  providerVerifier: string;
  clientChallenge: string;
  returnTo: string;
  clientState: string | null;
  createdAt: number;
  expiresAt: number;
  calledBackAt: number | null;
  userId: number | null;
  handoffDigest: string | null;
  handoffExpiresAt: number | null;
  exchangedAt: number | null;
}

/** A row of `integration_destinations` (INT-1, INT-2). */
export interface IntegrationDestinationRow {
  id: number;
  accountId: number;
  kind: string;
  name: string;
  url: string;
  events: string | null;
  caPem: string | null;
  secretCiphertext: string | null;
  enabled: boolean;
  disabledReason: string | null;
  failures: number;
  nextAttemptAt: number;
  lastDeliveredAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A row of `outbox`: one audit entry on its way to one destination. */
export interface OutboxRow {
  id: number;
  destinationId: number;
  accountId: number;
  auditEntryId: number;
  status: string;
  attempts: number;
  createdAt: number;
  lastAttemptAt: number | null;
  deliveredAt: number | null;
  lastError: string | null;
  responseStatus: number | null;
}

/** A row of `worker_leases` (SCALE-2). */
export interface WorkerLeaseRow {
  name: string;
  holder: string;
  expiresAt: number;
}

/** A row of `sign_in_throttle` (SCALE-2): one key's counts (features/auth/throttle.ts). */
export interface SignInThrottleRow {
  key: string;
  failed: number;
  inFlight: number;
  inFlightUntil: number;
  lastFailAt: number;
  lockedUntil: number;
  expiresAt: number;
}

/** A row of `user_totp` (IDN-1). */
export interface UserTotpRow {
  userId: number;
  secretCiphertext: Buffer;
  confirmedAt: number | null;
  lastStep: number | null;
  createdAt: number;
}

/** A row of `mfa_recovery_codes` (IDN-1). */
export interface MfaRecoveryCodeRow {
  id: number;
  userId: number;
  codeDigest: string;
  usedAt: number | null;
  createdAt: number;
}

/** A row of `mfa_challenges` (IDN-1). */
export interface MfaChallengeRow {
  id: number;
  userId: number;
  tokenDigest: string;
  address: string;
  failures: number;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/** A row of `passkeys` (IDN-2): the public part of a WebAuthn credential only. */
export interface PasskeyRow {
  id: number;
  userId: number;
  credentialId: string;
  publicKey: Buffer;
  counter: number;
  /** JSON array of the authenticator's transports (e.g. ["internal"]). */
  transports: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A row of `webauthn_challenges` (IDN-2). */
export interface WebauthnChallengeRow {
  id: number;
  userId: number;
  purpose: 'register' | 'sign_in' | 'step_up';
  challengeDigest: string;
  mfaChallengeId: number | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}
