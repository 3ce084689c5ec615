// Compile-time check: every engine-neutral row type (main/domain/rows.ts) is exactly the row the
// SQLite schema selects. A column added to schema.ts without its row field (or the reverse)
// fails `tsc` here, naming the table.
import type * as rows from '../../domain/rows';
import type * as s from '../schema';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const ROWS_MATCH_SCHEMA: {
  accountHealthSnapshots: Same<
    rows.AccountHealthSnapshotRow,
    typeof s.accountHealthSnapshots.$inferSelect
  >;
  accounts: Same<rows.AccountRow, typeof s.accounts.$inferSelect>;
  alertRules: Same<rows.AlertRuleRow, typeof s.alertRules.$inferSelect>;
  apiTokens: Same<rows.ApiTokenRow, typeof s.apiTokens.$inferSelect>;
  auditEntries: Same<rows.AuditEntryRow, typeof s.auditEntries.$inferSelect>;
  auditHeads: Same<rows.AuditHeadRow, typeof s.auditHeads.$inferSelect>;
  complianceBaselines: Same<rows.ComplianceBaselineRow, typeof s.complianceBaselines.$inferSelect>;
  featureFlags: Same<rows.FeatureFlagRow, typeof s.featureFlags.$inferSelect>;
  hosts: Same<rows.HostRow, typeof s.hosts.$inferSelect>;
  incidents: Same<rows.IncidentRow, typeof s.incidents.$inferSelect>;
  integrationDestinations: Same<
    rows.IntegrationDestinationRow,
    typeof s.integrationDestinations.$inferSelect
  >;
  locationSubnets: Same<rows.LocationSubnetRow, typeof s.locationSubnets.$inferSelect>;
  locations: Same<rows.LocationRow, typeof s.locations.$inferSelect>;
  orgHealthSnapshots: Same<rows.OrgHealthSnapshotRow, typeof s.orgHealthSnapshots.$inferSelect>;
  organizationHostCounts: Same<
    rows.OrganizationHostCountRow,
    typeof s.organizationHostCounts.$inferSelect
  >;
  organizations: Same<rows.OrganizationRow, typeof s.organizations.$inferSelect>;
  outbox: Same<rows.OutboxRow, typeof s.outbox.$inferSelect>;
  recordings: Same<rows.RecordingRow, typeof s.recordings.$inferSelect>;
  roleAssignments: Same<rows.RoleAssignmentRow, typeof s.roleAssignments.$inferSelect>;
  supportGrants: Same<rows.SupportGrantRow, typeof s.supportGrants.$inferSelect>;
  supportRequests: Same<rows.SupportRequestRow, typeof s.supportRequests.$inferSelect>;
  users: Same<rows.UserRow, typeof s.users.$inferSelect>;
  ssoConfigs: Same<rows.SsoConfigRow, typeof s.ssoConfigs.$inferSelect>;
  oidcSignIns: Same<rows.OidcSignInRow, typeof s.oidcSignIns.$inferSelect>;
  workflowRuns: Same<rows.WorkflowRunRow, typeof s.workflowRuns.$inferSelect>;
  workerLeases: Same<rows.WorkerLeaseRow, typeof s.workerLeases.$inferSelect>;
  signInThrottle: Same<rows.SignInThrottleRow, typeof s.signInThrottle.$inferSelect>;
  workflows: Same<rows.WorkflowRow, typeof s.workflows.$inferSelect>;
  userTotp: Same<rows.UserTotpRow, typeof s.userTotp.$inferSelect>;
  mfaRecoveryCodes: Same<rows.MfaRecoveryCodeRow, typeof s.mfaRecoveryCodes.$inferSelect>;
  mfaChallenges: Same<rows.MfaChallengeRow, typeof s.mfaChallenges.$inferSelect>;
} = {
  accountHealthSnapshots: true,
  accounts: true,
  alertRules: true,
  apiTokens: true,
  auditEntries: true,
  auditHeads: true,
  complianceBaselines: true,
  featureFlags: true,
  hosts: true,
  incidents: true,
  integrationDestinations: true,
  locationSubnets: true,
  locations: true,
  orgHealthSnapshots: true,
  organizationHostCounts: true,
  organizations: true,
  outbox: true,
  recordings: true,
  roleAssignments: true,
  supportGrants: true,
  supportRequests: true,
  users: true,
  ssoConfigs: true,
  oidcSignIns: true,
  workflowRuns: true,
  workerLeases: true,
  signInThrottle: true,
  workflows: true,
  userTotp: true,
  mfaRecoveryCodes: true,
  mfaChallenges: true,
};
