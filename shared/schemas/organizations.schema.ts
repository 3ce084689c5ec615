import { z } from 'zod';
import {
  AUTOMATION_LEVELS,
  DEFAULT_PAGE_LIMIT,
  MAX_DESCRIPTION_LENGTH,
  MAX_GRACE_HOURS,
  MAX_NAME_LENGTH,
  MAX_REASON_LENGTH,
  MAX_REGION_LENGTH,
  MAX_RETENTION_DAYS,
  MAX_SEARCH_LENGTH,
  MIN_RETENTION_DAYS,
  ORG_SORT_KEYS,
  RECORDING_POLICIES,
} from '../constants';
import { PERMISSIONS } from '../permissions';
import { bulkIds } from './bulk.schema';
import {
  countValue,
  filterText,
  id,
  idValue,
  isoTime,
  displayName,
  optionalText,
  pageInput,
  pageOutput,
  sortOrder,
} from './common.schema';

// Defined zod-free in shared/constants.ts (the console imports them there); re-exported here.
export {
  AUTOMATION_LEVELS,
  MAX_GRACE_HOURS,
  ORG_SORT_KEYS,
  RECORDING_POLICIES,
} from '../constants';
export type OrgSortKey = (typeof ORG_SORT_KEYS)[number];
export type { SortOrder } from './common.schema';
export type AutomationLevel = (typeof AUTOMATION_LEVELS)[number];

export type RecordingPolicy = (typeof RECORDING_POLICIES)[number];

export const orgName = displayName('name', MAX_NAME_LENGTH);

export const createOrganizationInput = z.strictObject({
  name: orgName,
  description: optionalText('description', MAX_DESCRIPTION_LENGTH),
  region: optionalText('region', MAX_REGION_LENGTH),
});
export type CreateOrganizationInput = z.input<typeof createOrganizationInput>;

export const listOrganizationsInput = z
  .strictObject({
    ...pageInput,
    search: filterText('search', MAX_SEARCH_LENGTH).nullish(),
    region: filterText('region', MAX_REGION_LENGTH).nullish(),
    active_only: z.boolean({ error: 'active_only must be true or false' }).default(true),
    is_active: z.boolean({ error: 'is_active must be true or false' }).nullish(),
    include_stats: z.boolean({ error: 'include_stats must be true or false' }).default(true),
    sort: z
      .enum(ORG_SORT_KEYS, { error: `sort must be one of ${ORG_SORT_KEYS.join(', ')}` })
      .default('name')
      .describe(
        'name (the default), region, or a host count: online, offline, stale, total. Ties: name, then id. ' +
          'A missing region sorts before every region. Sorted by a host count, the stats are the counts sorted by ' +
          '(kept per org: see stats.as_of)',
      ),
    order: sortOrder,
  })
  .default({
    skip: 0,
    limit: DEFAULT_PAGE_LIMIT,
    active_only: true,
    include_stats: true,
    sort: 'name',
    order: 'asc',
  });
export type ListOrganizationsInput = z.input<typeof listOrganizationsInput>;

export const updateOrganizationFields = z.strictObject({
  name: orgName.optional(),
  description: optionalText('description', MAX_DESCRIPTION_LENGTH),
  region: optionalText('region', MAX_REGION_LENGTH),
  is_active: z.boolean({ error: 'is_active must be true or false' }).optional(),
  automation_level: z
    .enum(AUTOMATION_LEVELS, {
      error: `automation_level must be one of ${AUTOMATION_LEVELS.join(', ')}`,
    })
    .optional(),
  kill_switch: z.boolean({ error: 'kill_switch must be true or false' }).optional(),
  major_incident_workflow_id: id('major_incident_workflow_id')
    .nullable()
    .optional()
    .describe('null clears the binding'),
  recording_policy: z
    .enum(RECORDING_POLICIES, {
      error: `recording_policy must be one of ${RECORDING_POLICIES.join(', ')}`,
    })
    .optional(),
  recording_retention_days: z
    .number({ error: 'recording_retention_days must be a number of days, or null to inherit' })
    .int('recording_retention_days must be a whole number of days')
    .min(
      MIN_RETENTION_DAYS,
      `recording_retention_days must be at least ${MIN_RETENTION_DAYS} (or null to inherit the account default)`,
    )
    .max(MAX_RETENTION_DAYS, `recording_retention_days must be at most ${MAX_RETENTION_DAYS}`)
    .nullable()
    .optional(),
  legal_hold: z.boolean({ error: 'legal_hold must be true or false' }).optional(),
  legal_hold_reason: optionalText('legal_hold_reason', MAX_REASON_LENGTH),
});
export type UpdateOrganizationFields = z.input<typeof updateOrganizationFields>;

export const updateOrganizationInput = z.strictObject({
  id: id('id'),
  patch: updateOrganizationFields,
});
export type UpdateOrganizationInput = z.input<typeof updateOrganizationInput>;

export const orgIdInput = z.strictObject({ id: id('id') });
export const organizationIdInput = z.strictObject({ organization_id: id('organization_id') });

export const deleteOrganizationInput = z.strictObject({
  id: id('id'),
  hard_delete: z.boolean({ error: 'hard_delete must be true or false' }).default(false),
});

export const regenerateSecretInput = z.strictObject({
  id: id('id'),
  grace_period_hours: z
    .number({ error: 'grace_period_hours must be a number of hours' })
    .int('grace_period_hours must be a whole number of hours')
    .min(0, 'grace_period_hours must be 0 or more')
    .max(MAX_GRACE_HOURS, `grace_period_hours must be at most ${MAX_GRACE_HOURS} (7 days)`)
    .default(0),
  confirm: z.literal(true, {
    error:
      'confirm must be true: regenerating the secret means new registrations and legacy agents need the new secret',
  }),
});

export const hostStatsOutput = z.strictObject({
  online: countValue,
  offline: countValue,
  stale: countValue,
  total: countValue,
  as_of: isoTime
    .optional()
    .describe(
      'On a page sorted by a host count only: the counts are the ones it was sorted by, kept per org ' +
        '(writes update them at once; a host that crosses a status threshold by time alone is re-counted ' +
        'within seconds), and this is the latest time they were exact — now, unless a re-count is due. ' +
        'Absent: counted live for this answer',
    ),
});
export type HostStats = z.infer<typeof hostStatsOutput>;

export const organizationOutput = z.strictObject({
  id: idValue,
  account_id: idValue,
  name: z.string(),
  description: z.string().nullable(),
  region: z.string().nullable(),
  is_active: z.boolean().describe('false: soft-deleted (deactivated); its data is kept'),
  automation_level: z.enum(AUTOMATION_LEVELS),
  kill_switch: z.boolean().describe('true: nothing runs automatically, whatever the level'),
  major_incident_workflow_id: idValue
    .nullable()
    .describe('The workflow a major incident launches; null when none is bound'),
  recording_policy: z.enum(RECORDING_POLICIES),
  recording_retention_days: z
    .number()
    .int()
    .nullable()
    .describe("Days recordings are kept; null inherits the account's default"),
  legal_hold: z.boolean().describe('true: no recording is deleted, by hand or by retention'),
  legal_hold_reason: z.string().nullable(),
  created_at: isoTime,
  updated_at: isoTime,
  stats: hostStatsOutput.optional().describe('Host health; present when stats were asked for'),
});
export type Organization = z.infer<typeof organizationOutput>;

export const organizationPageOutput = pageOutput(organizationOutput);

/** organizations.get: the org, and what the caller may do with it (the console greys the rest). */
export const organizationDetailOutput = organizationOutput.extend({
  permissions: z.array(z.enum(PERMISSIONS)).describe("The caller's permissions on this org"),
});
export type OrganizationDetail = z.infer<typeof organizationDetailOutput>;

/** What the creator sees exactly once: the new org and its secret. */
export const createdOrganizationOutput = organizationOutput.extend({
  secret: z.string().describe('The org secret agents enroll with; shown this once'),
  default_location_id: idValue,
});
export type CreatedOrganization = z.infer<typeof createdOrganizationOutput>;

export const deletedOrganizationOutput = z.strictObject({
  id: idValue,
  deleted: z
    .enum(['soft', 'hard'])
    .describe('soft: deactivated, its data kept; hard: removed for good'),
});
export type DeletedOrganization = z.infer<typeof deletedOrganizationOutput>;

export const regionsOutput = z
  .array(z.string())
  .describe('The distinct regions of the orgs the caller can see, sorted');

export const revealedSecretOutput = z.strictObject({ secret: z.string() });
export type RevealedSecret = z.infer<typeof revealedSecretOutput>;

export const regeneratedSecretOutput = z.strictObject({
  secret: z.string().describe('The new org secret; shown this once'),
  previous_secret_valid_until: isoTime
    .nullable()
    .describe('The old secret still works until then (the grace period); null: it stopped now'),
});
export type RegeneratedSecret = z.infer<typeof regeneratedSecretOutput>;

/** SEC-4: the agent configuration file, to save as `filename`. */
export const agentConfigOutput = z.strictObject({
  filename: z.string(),
  content: z.string().describe('JSON text: server_url, organization_id and organization_secret'),
});
export type AgentConfig = z.infer<typeof agentConfigOutput>;

/** UI-13: deactivate several orgs at once (ORG-5's soft delete, each audited). */
export const deactivateOrganizationsInput = z.strictObject({ ids: bulkIds('ids') });
export type DeactivateOrganizationsInput = z.input<typeof deactivateOrganizationsInput>;
