import { z } from 'zod';
import { DESTINATION_KINDS } from '../integrations';
import { countValue, id, idValue, isoTime, nonBlank, pageInput, pageOutput } from './common.schema';

/**
 * An event pattern of a destination's filter (INT-2): an audit action name (`host.registered`),
 * a prefix ending in `.*` (`support_access.*`), or `*`.
 */
const eventPattern = z
  .string({ error: 'events must be a list of event names' })
  .trim()
  .regex(
    /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/,
    'events: each is an audit action (host.registered), a prefix ending in .* (organization.*) or *',
  );

const events = z
  .array(eventPattern, { error: 'events must be a list of event names' })
  .min(1, 'events: give at least one, or leave it out for every event')
  .max(50, 'events: at most 50 patterns')
  .nullish()
  .describe('Which audit actions to send; absent or null: every event');

const url = z
  .string({ error: 'url must be text' })
  .trim()
  .min(1, 'url is required')
  .max(2000, 'url must be at most 2000 characters');

const caPem = z
  .string({ error: 'ca_pem must be text (a PEM certificate)' })
  .trim()
  .max(64_000, 'ca_pem must be at most 64000 characters')
  .refine(
    (v) => v.includes('-----BEGIN CERTIFICATE-----'),
    'ca_pem must be PEM text beginning with -----BEGIN CERTIFICATE-----',
  )
  .nullish()
  .describe("For syslog over TLS: the CA the collector's certificate must chain to");

export const createDestinationInput = z.strictObject({
  kind: z.enum(DESTINATION_KINDS, { error: 'kind must be syslog or webhook' }),
  name: nonBlank('name', 100).optional(),
  url: url.describe(
    'tls://host:port, tcp://host:port or udp://host:port (syslog); https://… (webhook)',
  ),
  events,
  ca_pem: caPem,
});
export type CreateDestinationInput = z.input<typeof createDestinationInput>;

export const destinationIdInput = z.strictObject({ id: id('id') });

export const updateDestinationInput = z.strictObject({
  id: id('id'),
  patch: z.strictObject({
    name: nonBlank('name', 100).optional(),
    url: url.optional(),
    events,
    ca_pem: caPem,
    enabled: z.boolean({ error: 'enabled must be true or false' }).optional(),
  }),
});
export type UpdateDestinationInput = z.input<typeof updateDestinationInput>;

export const deliveriesInput = z.strictObject({
  id: id('id'),
  status: z
    .enum(['pending', 'delivered', 'dead'], { error: 'status must be pending, delivered or dead' })
    .optional(),
  ...pageInput,
});
export type DeliveriesInput = z.input<typeof deliveriesInput>;

export const redeliverInput = z.strictObject({ id: id('id'), delivery_id: id('delivery_id') });

export const destinationOutput = z.strictObject({
  id: idValue,
  kind: z.enum(DESTINATION_KINDS),
  name: z.string(),
  url: z.string(),
  events: z.array(z.string()).nullable().describe('null: every event'),
  ca_pem: z.string().nullable(),
  has_secret: z.boolean().describe('A webhook signs with a secret, shown once at creation'),
  enabled: z.boolean(),
  disabled_reason: z
    .string()
    .nullable()
    .describe('Why it was disabled automatically; null when on or turned off by an admin'),
  status: z.strictObject({
    last_delivered_at: isoTime.nullable(),
    backlog: countValue.describe('Entries waiting to be sent'),
    dead: countValue.describe('Entries given up on after 24 hours of failures'),
    last_error: z.string().nullable(),
    last_error_at: isoTime.nullable(),
    failures: countValue.describe('Failed attempts in a row'),
    next_attempt_at: isoTime.nullable().describe('When a retry is due after failures'),
  }),
  created_at: isoTime,
  updated_at: isoTime,
});
export type Destination = z.infer<typeof destinationOutput>;

export const destinationListOutput = z.array(destinationOutput);

export const createdDestinationOutput = destinationOutput.extend({
  secret: z
    .string()
    .nullable()
    .describe("A webhook's signing secret: answered this once, never again; null for syslog"),
});
export type CreatedDestination = z.infer<typeof createdDestinationOutput>;

export const deletedDestinationOutput = z.strictObject({ deleted: z.literal(true) });

export const testResultOutput = z.strictObject({
  ok: z.boolean(),
  error: z.string().nullable(),
  response_status: z.number().int().nullable(),
});
export type TestResult = z.infer<typeof testResultOutput>;

export const deliveryOutput = z.strictObject({
  id: idValue,
  destination_id: idValue,
  audit_entry_id: idValue,
  event: z.string(),
  sequence: idValue.describe("The entry's place in its account's audit chain"),
  status: z.enum(['pending', 'delivered', 'dead']),
  attempts: countValue,
  created_at: isoTime,
  last_attempt_at: isoTime.nullable(),
  delivered_at: isoTime.nullable(),
  last_error: z.string().nullable(),
  response_status: z.number().int().nullable(),
});
export type Delivery = z.infer<typeof deliveryOutput>;

export const deliveryPageOutput = pageOutput(deliveryOutput);
