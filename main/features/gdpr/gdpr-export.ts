// GDPR-2 export sections. Every query selects an allowlist of columns (never a password hash,
// token digest, secret ciphertext or digest, nor the audit chain's hashes) and reads at most
// cap + 1 rows, so the export stays bounded however large the account is.
import { and, desc, eq, gte, inArray, or } from 'drizzle-orm';
import { iso } from '../../core/clock';
import type { Db } from '../../db/database';
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
  organizations,
  recordings,
  roleAssignments,
  supportGrants,
  supportRequests,
  users,
  workflowRuns,
  workflows,
} from '../../db/schema';
import type { ExportSection } from '../../../shared/schemas/gdpr.schema';

/** Query builders that can still take a LIMIT: the section reads cap + 1 to know if it was cut. */
interface Limitable {
  limit(n: number): { all(): Record<string, unknown>[] };
}

const JSON_COLUMNS = new Set(['details', 'rules', 'affectedHostIds']);

/** snake_case keys (the API's names), ISO times, JSON text columns parsed. */
function toRecord(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const key = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (k.endsWith('At') && typeof v === 'number') out[key] = iso(v);
    else if (JSON_COLUMNS.has(k) && typeof v === 'string') out[key] = JSON.parse(v) as unknown;
    else out[key] = v;
  }
  return out;
}

export function section(query: Limitable, cap: number): ExportSection {
  const rows = query.limit(cap + 1).all();
  if (rows.length > cap) {
    return { count: cap, capped: true, cap, records: rows.slice(0, cap).map(toRecord) };
  }
  return { count: rows.length, capped: false, records: rows.map(toRecord) };
}

// Allowlisted columns of the tables that also hold secrets.
const userColumns = {
  id: users.id,
  accountId: users.accountId,
  email: users.email,
  name: users.name,
  isSupportEngineer: users.isSupportEngineer,
  isActive: users.isActive,
  erasedAt: users.erasedAt,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};
const tokenColumns = {
  id: apiTokens.id,
  userId: apiTokens.userId,
  kind: apiTokens.kind,
  name: apiTokens.name,
  readOnly: apiTokens.readOnly,
  createdAt: apiTokens.createdAt,
  expiresAt: apiTokens.expiresAt,
  revokedAt: apiTokens.revokedAt,
  lastUsedAt: apiTokens.lastUsedAt,
};
const orgColumns = {
  id: organizations.id,
  accountId: organizations.accountId,
  name: organizations.name,
  description: organizations.description,
  region: organizations.region,
  isActive: organizations.isActive,
  automationLevel: organizations.automationLevel,
  killSwitch: organizations.killSwitch,
  majorIncidentWorkflowId: organizations.majorIncidentWorkflowId,
  recordingPolicy: organizations.recordingPolicy,
  recordingRetentionDays: organizations.recordingRetentionDays,
  legalHold: organizations.legalHold,
  legalHoldReason: organizations.legalHoldReason,
  secretRotatedAt: organizations.secretRotatedAt,
  createdAt: organizations.createdAt,
  updatedAt: organizations.updatedAt,
};
const hostColumns = {
  id: hosts.id,
  organizationId: hosts.organizationId,
  locationId: hosts.locationId,
  hostname: hosts.hostname,
  ip: hosts.ip,
  agentType: hosts.agentType,
  pinned: hosts.pinned,
  registeredAt: hosts.registeredAt,
  lastSeenAt: hosts.lastSeenAt,
};
const auditColumns = {
  id: auditEntries.id,
  at: auditEntries.at,
  accountId: auditEntries.accountId,
  organizationId: auditEntries.organizationId,
  actorUserId: auditEntries.actorUserId,
  actorLabel: auditEntries.actorLabel,
  action: auditEntries.action,
  targetType: auditEntries.targetType,
  targetId: auditEntries.targetId,
  details: auditEntries.details,
};

/** A user's own data: their record and roles now, their activity since `from`. */
export function userSections(
  db: Db,
  userId: number,
  accountId: number,
  from: number,
  cap: number,
): Record<string, ExportSection> {
  return {
    profile: section(db.select(userColumns).from(users).where(eq(users.id, userId)), cap),
    role_assignments: section(
      db.select().from(roleAssignments).where(eq(roleAssignments.userId, userId)),
      cap,
    ),
    api_tokens: section(
      db
        .select(tokenColumns)
        .from(apiTokens)
        .where(
          and(
            eq(apiTokens.userId, userId),
            or(gte(apiTokens.createdAt, from), gte(apiTokens.lastUsedAt, from)),
          ),
        )
        .orderBy(desc(apiTokens.id)),
      cap,
    ),
    audit_entries: section(
      db
        .select(auditColumns)
        .from(auditEntries)
        .where(
          and(
            eq(auditEntries.accountId, accountId),
            gte(auditEntries.at, from),
            or(
              eq(auditEntries.actorUserId, userId),
              and(eq(auditEntries.targetType, 'user'), eq(auditEntries.targetId, String(userId))),
            ),
          ),
        )
        .orderBy(desc(auditEntries.id)),
      cap,
    ),
    recordings: section(
      db
        .select()
        .from(recordings)
        .where(and(eq(recordings.userId, userId), gte(recordings.startedAt, from)))
        .orderBy(desc(recordings.startedAt), desc(recordings.id)),
      cap,
    ),
    incidents_reported: section(
      db
        .select()
        .from(incidents)
        .where(and(eq(incidents.reportedByUserId, userId), gte(incidents.createdAt, from)))
        .orderBy(desc(incidents.id)),
      cap,
    ),
    support_requests: section(
      db
        .select()
        .from(supportRequests)
        .where(
          and(eq(supportRequests.engineerUserId, userId), gte(supportRequests.createdAt, from)),
        )
        .orderBy(desc(supportRequests.id)),
      cap,
    ),
    support_grants: section(
      db
        .select()
        .from(supportGrants)
        .where(
          and(
            gte(supportGrants.startsAt, from),
            or(
              eq(supportGrants.engineerUserId, userId),
              eq(supportGrants.grantedByUserId, userId),
              eq(supportGrants.revokedByUserId, userId),
            ),
          ),
        )
        .orderBy(desc(supportGrants.id)),
      cap,
    ),
  };
}

/** An account's data: current records whole, time-stamped activity since `from`. */
export function accountSections(
  db: Db,
  accountId: number,
  from: number,
  cap: number,
): Record<string, ExportSection> {
  const orgIds = db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.accountId, accountId));
  const userIds = db.select({ id: users.id }).from(users).where(eq(users.accountId, accountId));
  return {
    account: section(
      db
        .select({
          id: accounts.id,
          name: accounts.name,
          defaultRetentionDays: accounts.defaultRetentionDays,
          createdAt: accounts.createdAt,
        })
        .from(accounts)
        .where(eq(accounts.id, accountId)),
      cap,
    ),
    users: section(
      db.select(userColumns).from(users).where(eq(users.accountId, accountId)).orderBy(users.id),
      cap,
    ),
    role_assignments: section(
      db
        .select()
        .from(roleAssignments)
        .where(eq(roleAssignments.accountId, accountId))
        .orderBy(roleAssignments.id),
      cap,
    ),
    api_tokens: section(
      db
        .select(tokenColumns)
        .from(apiTokens)
        .where(
          and(
            inArray(apiTokens.userId, userIds),
            or(gte(apiTokens.createdAt, from), gte(apiTokens.lastUsedAt, from)),
          ),
        )
        .orderBy(desc(apiTokens.id)),
      cap,
    ),
    organizations: section(
      db
        .select(orgColumns)
        .from(organizations)
        .where(eq(organizations.accountId, accountId))
        .orderBy(organizations.id),
      cap,
    ),
    locations: section(
      db
        .select()
        .from(locations)
        .where(inArray(locations.organizationId, orgIds))
        .orderBy(locations.id),
      cap,
    ),
    location_subnets: section(
      db
        .select()
        .from(locationSubnets)
        .where(inArray(locationSubnets.organizationId, orgIds))
        .orderBy(locationSubnets.id),
      cap,
    ),
    hosts: section(
      db
        .select(hostColumns)
        .from(hosts)
        .where(inArray(hosts.organizationId, orgIds))
        .orderBy(hosts.id),
      cap,
    ),
    alert_rules: section(
      db
        .select()
        .from(alertRules)
        .where(inArray(alertRules.organizationId, orgIds))
        .orderBy(alertRules.id),
      cap,
    ),
    compliance_baselines: section(
      db
        .select()
        .from(complianceBaselines)
        .where(inArray(complianceBaselines.organizationId, orgIds))
        .orderBy(complianceBaselines.id),
      cap,
    ),
    feature_flags: section(
      db
        .select()
        .from(featureFlags)
        .where(eq(featureFlags.accountId, accountId))
        .orderBy(featureFlags.id),
      cap,
    ),
    workflows: section(
      db
        .select()
        .from(workflows)
        .where(inArray(workflows.organizationId, orgIds))
        .orderBy(workflows.id),
      cap,
    ),
    incidents: section(
      db
        .select()
        .from(incidents)
        .where(and(inArray(incidents.organizationId, orgIds), gte(incidents.createdAt, from)))
        .orderBy(desc(incidents.id)),
      cap,
    ),
    workflow_runs: section(
      db
        .select()
        .from(workflowRuns)
        .where(and(inArray(workflowRuns.organizationId, orgIds), gte(workflowRuns.createdAt, from)))
        .orderBy(desc(workflowRuns.id)),
      cap,
    ),
    recordings: section(
      db
        .select()
        .from(recordings)
        .where(and(inArray(recordings.organizationId, orgIds), gte(recordings.startedAt, from)))
        .orderBy(desc(recordings.startedAt), desc(recordings.id)),
      cap,
    ),
    support_grants: section(
      db
        .select()
        .from(supportGrants)
        .where(and(eq(supportGrants.accountId, accountId), gte(supportGrants.startsAt, from)))
        .orderBy(desc(supportGrants.id)),
      cap,
    ),
    support_requests: section(
      db
        .select()
        .from(supportRequests)
        .where(and(eq(supportRequests.accountId, accountId), gte(supportRequests.createdAt, from)))
        .orderBy(desc(supportRequests.id)),
      cap,
    ),
    audit_entries: section(
      db
        .select(auditColumns)
        .from(auditEntries)
        .where(and(eq(auditEntries.accountId, accountId), gte(auditEntries.at, from)))
        .orderBy(desc(auditEntries.id)),
      cap,
    ),
  };
}
