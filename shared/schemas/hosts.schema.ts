import { z } from 'zod';
import {
  HOST_SORT_KEYS,
  HOST_STATUSES,
  MAX_SEARCH_LENGTH,
  ONLINE_WITHIN_MS,
  STALE_AFTER_MS,
} from '../constants';
import { bulkIds } from './bulk.schema';
import {
  countValue,
  filterText,
  id,
  idValue,
  isoTime,
  pageInput,
  pageOutput,
  sortOrder,
} from './common.schema';

// Defined zod-free in shared/constants.ts (the console imports them there); re-exported here.
export { HOST_SORT_KEYS, HOST_STATUSES, ONLINE_WITHIN_MS, STALE_AFTER_MS } from '../constants';
export type HostStatus = (typeof HOST_STATUSES)[number];
export type HostSortKey = (typeof HOST_SORT_KEYS)[number];
export const AGENT_TYPES = ['go', 'legacy'] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

export const listHostsInput = z.strictObject({
  organization_id: id('organization_id'),
  location_id: id('location_id').nullish(),
  status: z.enum(HOST_STATUSES, { error: 'status must be online, offline or stale' }).nullish(),
  search: filterText('search', MAX_SEARCH_LENGTH)
    .nullish()
    .describe(
      'A part of the hostname (ignoring case), or the start of the IP address (10.20. finds 10.20.x.x); literal',
    ),
  sort: z
    .enum(HOST_SORT_KEYS, { error: `sort must be one of ${HOST_SORT_KEYS.join(', ')}` })
    .default('hostname')
    .describe(
      'hostname (the default, ignoring case), ip (by address, IPv4 first), last_seen (never seen first), ' +
        'status (online, offline, stale; in each the most recently seen first), location (by name, then hostname)',
    ),
  order: sortOrder,
  ...pageInput,
});

export const moveHostInput = z.strictObject({
  id: id('id'),
  location_id: id('location_id'),
});

export const hostIdInput = z.strictObject({ id: id('id') });
export const unpinHostInput = hostIdInput;

export const hostOutput = z.strictObject({
  id: idValue,
  organization_id: idValue,
  location_id: idValue,
  hostname: z.string(),
  ip: z.string().describe('The primary IPv4 or IPv6 address the agent last reported'),
  agent_type: z.enum(AGENT_TYPES),
  status: z.enum(HOST_STATUSES).describe('online: seen within 5 minutes; stale: not for 30 days'),
  pinned: z.boolean().describe('Moved by hand: subnet changes leave its location alone'),
  registered_at: isoTime,
  last_seen_at: isoTime.nullable().describe('The last heartbeat; null before the first one'),
});
export type Host = z.infer<typeof hostOutput>;

export const hostPageOutput = pageOutput(hostOutput);

export const removedHostOutput = z.strictObject({ id: idValue });

/** AGT-2 "reset host identity": the Go host's key is cleared; the next registration sets one. */
export const resetHostIdentityInput = hostIdInput;
export const hostIdentityResetOutput = z.strictObject({
  id: idValue,
  hostname: z.string(),
  identity_reset_at: isoTime.describe(
    'From now on its old key signs nothing; the next registration of this hostname (with the org secret) sets its new key',
  ),
});
export type HostIdentityReset = z.infer<typeof hostIdentityResetOutput>;
export type RemovedHost = z.infer<typeof removedHostOutput>;

/** Pure: AGT-3 from last-seen and registration time. */
export function hostStatus(
  lastSeenMs: number | null,
  registeredMs: number,
  nowMs: number,
): HostStatus {
  if (lastSeenMs === null) return nowMs - registeredMs > STALE_AFTER_MS ? 'stale' : 'offline';
  const age = nowMs - lastSeenMs;
  if (age <= ONLINE_WITHIN_MS) return 'online';
  if (age > STALE_AFTER_MS) return 'stale';
  return 'offline';
}

// ---- UI-13: bulk actions on the hosts of one org.

export const moveHostsInput = z.strictObject({
  organization_id: id('organization_id'),
  ids: bulkIds('ids'),
  location_id: id('location_id'),
});
export type MoveHostsInput = z.input<typeof moveHostsInput>;

export const removeHostsInput = z.strictObject({
  organization_id: id('organization_id'),
  ids: bulkIds('ids'),
});
export type RemoveHostsInput = z.input<typeof removeHostsInput>;

export const removeAllHostsInput = z.strictObject({
  organization_id: id('organization_id'),
  confirm_count: z
    .number({ error: 'confirm_count must be the number of hosts to remove' })
    .int('confirm_count must be a whole number')
    .min(0, 'confirm_count must be 0 or more')
    .describe('The host count the user typed to confirm; it must be the org’s count right now'),
});
export type RemoveAllHostsInput = z.input<typeof removeAllHostsInput>;

export const removedAllHostsOutput = z.strictObject({
  organization_id: idValue,
  removed: countValue.describe('Hosts removed by this call'),
  remaining: countValue.describe(
    'Hosts the org has now: more than 0 only if agents registered while the removal ran',
  ),
});
export type RemovedAllHosts = z.infer<typeof removedAllHostsOutput>;
