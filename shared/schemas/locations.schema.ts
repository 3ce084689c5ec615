import { z } from 'zod';
import { MAX_NAME_LENGTH } from '../constants';
import { countValue, id, idValue, isoTime, displayName } from './common.schema';

const timezone = z
  .string({ error: 'timezone must be an IANA time zone name such as Europe/Berlin' })
  .trim()
  .min(1, 'timezone must be an IANA time zone name such as Europe/Berlin')
  .max(64, 'timezone must be at most 64 characters');

const subnets = z
  .array(z.string({ error: 'each subnet must be CIDR text such as 10.1.0.0/16' }).trim(), {
    error: 'subnets must be a list of CIDR networks',
  })
  .max(10_000, 'a location can hold at most 10000 subnets');

export const createLocationInput = z.strictObject({
  organization_id: id('organization_id'),
  name: displayName('name', MAX_NAME_LENGTH),
  subnets: subnets.default([]),
  timezone: timezone.nullish(),
  is_default: z.boolean({ error: 'is_default must be true or false' }).default(false),
});
export type CreateLocationInput = z.input<typeof createLocationInput>;

export const updateLocationInput = z.strictObject({
  id: id('id'),
  patch: z.strictObject({
    name: displayName('name', MAX_NAME_LENGTH).optional(),
    subnets: subnets.optional(),
    timezone: timezone.nullish(),
    is_default: z
      .literal(true, {
        error: 'is_default can only be set to true: make another location the default instead',
      })
      .optional(),
  }),
});

export const resolveIpInput = z.strictObject({
  organization_id: id('organization_id'),
  ip: z.string({ error: 'ip must be an IPv4 or IPv6 address' }).trim().min(1, 'ip is required'),
});

export const locationOutput = z.strictObject({
  id: idValue,
  organization_id: idValue,
  name: z.string(),
  subnets: z.array(z.string()).describe('Canonical CIDR networks whose hosts belong here'),
  timezone: z.string().describe('IANA time zone name, e.g. Europe/Berlin'),
  is_default: z
    .boolean()
    .describe("The org's one default location: hosts no subnet matches land here"),
  host_count: countValue,
  created_at: isoTime,
  updated_at: isoTime,
});
export type Location = z.infer<typeof locationOutput>;

export const locationListOutput = z.array(locationOutput);

/** locations.create and update: the location, and how many unpinned hosts moved because of it. */
export const savedLocationOutput = locationOutput.extend({
  hosts_reassigned: countValue.describe(
    'Unpinned hosts of the org that moved to another location after this change',
  ),
});
export type SavedLocation = z.infer<typeof savedLocationOutput>;

export const deletedLocationOutput = z.strictObject({
  id: idValue,
  hosts_moved: countValue.describe("The deleted location's hosts, now in the default location"),
  moved_to_location_id: idValue,
});
export type DeletedLocation = z.infer<typeof deletedLocationOutput>;

export const resolveResultOutput = z.strictObject({
  location_id: idValue,
  location_name: z.string(),
  matched_subnet: z
    .string()
    .nullable()
    .describe('The longest matching subnet; null: none matched, so the default location'),
});
export type ResolveResult = z.infer<typeof resolveResultOutput>;
