// The schemas enforce exactly the limits shared/constants.ts states (and the console shows): each
// is accepted at the limit and refused one past it, so a schema cannot drift back to a literal.
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import * as C from '../shared/constants';
import { setAccountRetentionInput } from '../shared/schemas/governance.schema';
import { listHostsInput } from '../shared/schemas/hosts.schema';
import {
  createOrganizationInput,
  listOrganizationsInput,
  regenerateSecretInput,
  updateOrganizationFields,
} from '../shared/schemas/organizations.schema';
import { enableSupportInput } from '../shared/schemas/support-access.schema';
import { fleetHistoryInput } from '../shared/schemas/fleet.schema';
import { removeHostsInput } from '../shared/schemas/hosts.schema';
import { deactivateOrganizationsInput } from '../shared/schemas/organizations.schema';
import { createTokenInput, createUserInput } from '../shared/schemas/users.schema';

const text = (n: number) => 'x'.repeat(n);
const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const email = (n: number) => `${'a'.repeat(n - '@example.com'.length)}@example.com`;

// [what, schema, input at the limit, input one past it]
// prettier-ignore
const CASES: [string, ZodType, unknown, unknown][] = [
  ['page limit', listOrganizationsInput, { limit: C.MAX_PAGE_LIMIT }, { limit: C.MAX_PAGE_LIMIT + 1 }],
  ['search', listOrganizationsInput, { search: text(C.MAX_SEARCH_LENGTH) }, { search: text(C.MAX_SEARCH_LENGTH + 1) }],
  ['host search', listHostsInput, { organization_id: 1, search: text(C.MAX_SEARCH_LENGTH) }, { organization_id: 1, search: text(C.MAX_SEARCH_LENGTH + 1) }],
  ['org name', createOrganizationInput, { name: text(C.MAX_NAME_LENGTH) }, { name: text(C.MAX_NAME_LENGTH + 1) }],
  ['description', createOrganizationInput, { name: 'a', description: text(C.MAX_DESCRIPTION_LENGTH) }, { name: 'a', description: text(C.MAX_DESCRIPTION_LENGTH + 1) }],
  ['region', createOrganizationInput, { name: 'a', region: text(C.MAX_REGION_LENGTH) }, { name: 'a', region: text(C.MAX_REGION_LENGTH + 1) }],
  ['legal hold reason', updateOrganizationFields, { legal_hold_reason: text(C.MAX_REASON_LENGTH) }, { legal_hold_reason: text(C.MAX_REASON_LENGTH + 1) }],
  ['org retention', updateOrganizationFields, { recording_retention_days: C.MAX_RETENTION_DAYS }, { recording_retention_days: C.MAX_RETENTION_DAYS + 1 }],
  ['account retention', setAccountRetentionInput, { default_retention_days: C.MAX_RETENTION_DAYS }, { default_retention_days: C.MAX_RETENTION_DAYS + 1 }],
  ['grace', regenerateSecretInput, { id: 1, confirm: true, grace_period_hours: C.MAX_GRACE_HOURS }, { id: 1, confirm: true, grace_period_hours: C.MAX_GRACE_HOURS + 1 }],
  ['support duration', enableSupportInput, { duration_hours: C.MAX_DURATION_HOURS }, { duration_hours: C.MAX_DURATION_HOURS + 1 }],
  ['user email', createUserInput, { email: email(C.MAX_EMAIL_LENGTH), name: 'a' }, { email: email(C.MAX_EMAIL_LENGTH + 1), name: 'a' }],
  ['password', createUserInput, { email: 'a@example.com', name: 'a', password: text(C.MIN_PASSWORD_LENGTH) }, { email: 'a@example.com', name: 'a', password: text(C.MIN_PASSWORD_LENGTH - 1) }],
  ['history hours', fleetHistoryInput, { hours: C.MAX_HISTORY_HOURS }, { hours: C.MAX_HISTORY_HOURS + 1 }],
  ['bulk host ids', removeHostsInput, { organization_id: 1, ids: ids(C.MAX_BULK_IDS) }, { organization_id: 1, ids: ids(C.MAX_BULK_IDS + 1) }],
  ['bulk org ids', deactivateOrganizationsInput, { ids: ids(C.MAX_BULK_IDS) }, { ids: ids(C.MAX_BULK_IDS + 1) }],
  ['token expiry', createTokenInput, { name: 'a', expires_in_days: C.MAX_TOKEN_EXPIRY_DAYS }, { name: 'a', expires_in_days: C.MAX_TOKEN_EXPIRY_DAYS + 1 }],
];

describe('shared constants are what the schemas enforce', () => {
  it.each(CASES)('%s', (_what, schema, atLimit, pastLimit) => {
    expect(schema.safeParse(atLimit).success).toBe(true);
    expect(schema.safeParse(pastLimit).success).toBe(false);
  });

  it('gives the defaults the schemas apply', () => {
    expect(listOrganizationsInput.parse({}).limit).toBe(C.DEFAULT_PAGE_LIMIT);
    expect(enableSupportInput.parse({}).duration_hours).toBe(C.DEFAULT_DURATION_HOURS);
    expect(C.MIN_DURATION_HOURS).toBeLessThanOrEqual(C.DEFAULT_DURATION_HOURS);
    expect(C.DEFAULT_DURATION_HOURS).toBeLessThanOrEqual(C.MAX_DURATION_HOURS);
    expect(fleetHistoryInput.parse(undefined).hours).toBe(C.DEFAULT_HISTORY_HOURS);
    // fleet.history serves every hour the snapshots keep, and no more.
    expect(C.MAX_HISTORY_HOURS).toBe(C.SNAPSHOT_RETENTION_DAYS * 24);
  });
});
