import { z } from 'zod';
import { MAX_NAME_LENGTH } from '../constants';
import { id, nonBlank } from './common.schema';

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
  name: nonBlank('name', MAX_NAME_LENGTH),
  subnets: subnets.default([]),
  timezone: timezone.nullish(),
  is_default: z.boolean({ error: 'is_default must be true or false' }).default(false),
});
export type CreateLocationInput = z.input<typeof createLocationInput>;

export const updateLocationInput = z.strictObject({
  id: id('id'),
  patch: z.strictObject({
    name: nonBlank('name', MAX_NAME_LENGTH).optional(),
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

export interface Location {
  id: number;
  organization_id: number;
  name: string;
  subnets: string[];
  timezone: string;
  is_default: boolean;
  host_count: number;
  created_at: string;
  updated_at: string;
}

export interface ResolveResult {
  location_id: number;
  location_name: string;
  matched_subnet: string | null;
}
