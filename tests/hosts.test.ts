import type { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostStatus, ONLINE_WITHIN_MS, STALE_AFTER_MS } from '../shared/schemas/hosts.schema';
import { t } from './fixtures/tables';
import { createWorld, type Caller, type World } from './fixtures/world';

let w: World;
let api: Caller;
let orgId: number;
let defaultId: number;
let labId: number;
beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
  const org = await api.organizations.create({ name: 'Acme' });
  orgId = org.id;
  defaultId = org.default_location_id;
  labId = (
    await api.locations.create({ organization_id: orgId, name: 'Lab', subnets: ['10.9.0.0/16'] })
  ).id;
});
afterEach(() => w.close());

async function addHost(
  hostname: string,
  ip: string,
  lastSeenAt: number | null,
  locationId = defaultId,
): Promise<number> {
  const [row] = await w.db
    .insert(t.hosts)
    .values({
      organizationId: orgId,
      locationId,
      hostname,
      ip,
      agentType: 'go',
      registeredAt: w.clock.now() - 1000,
      lastSeenAt,
    })
    .returning({ id: t.hosts.id });
  return row!.id;
}

describe('AGT-3 status', () => {
  const now = 1_000_000_000_000;
  it.each([
    [now, now - 1, 'online'],
    [now - ONLINE_WITHIN_MS, now - 1, 'online'],
    [now - ONLINE_WITHIN_MS - 1, now - 1, 'offline'],
    [now - STALE_AFTER_MS, now - STALE_AFTER_MS - 1, 'offline'],
    [now - STALE_AFTER_MS - 1, now - STALE_AFTER_MS - 2, 'stale'],
    [null, now - 1, 'offline'],
    [null, now - STALE_AFTER_MS - 1, 'stale'],
  ] as const)('last seen %s, registered %s → %s', (seen, registered, status) => {
    expect(hostStatus(seen, registered, now)).toBe(status);
  });
});

describe('AGT-4 hosts', () => {
  it('lists per org and location, filters by status, paginates', async () => {
    const now = w.clock.now();
    await addHost('b-online', '10.0.0.1', now);
    await addHost('a-offline', '10.0.0.2', now - ONLINE_WITHIN_MS - 1);
    await addHost('c-lab', '10.9.0.1', now, labId);
    const all = await api.hosts.list({ organization_id: orgId });
    expect(all.items.map((h) => h.hostname)).toEqual(['a-offline', 'b-online', 'c-lab']);
    expect(all.total).toBe(3);
    expect(
      (await api.hosts.list({ organization_id: orgId, location_id: labId })).items.map(
        (h) => h.hostname,
      ),
    ).toEqual(['c-lab']);
    expect(
      (await api.hosts.list({ organization_id: orgId, status: 'offline' })).items.map(
        (h) => h.hostname,
      ),
    ).toEqual(['a-offline']);
    const page = await api.hosts.list({ organization_id: orgId, limit: 1, skip: 1 });
    expect(page.items.map((h) => h.hostname)).toEqual(['b-online']);
  });

  it('a hand move pins the host; unpinning lets the subnets decide again', async () => {
    const id = await addHost('h', '10.9.0.5', null, labId);
    const moved = await api.hosts.move({ id, location_id: defaultId });
    expect(moved).toMatchObject({ location_id: defaultId, pinned: true });
    // A subnet change does not move a pinned host.
    await api.locations.update({ id: labId, patch: { subnets: ['10.9.0.0/16', '10.8.0.0/16'] } });
    expect((await api.hosts.get({ id })).location_id).toBe(defaultId);
    const unpinned = await api.hosts.unpin({ id });
    expect(unpinned).toMatchObject({ location_id: labId, pinned: false });
  });

  it('cannot move a host into another org’s location', async () => {
    const id = await addHost('h', '10.9.0.5', null);
    const other = await api.organizations.create({ name: 'Other' });
    const err = await api.hosts
      .move({ id, location_id: other.default_location_id })
      .catch((e: TRPCError) => e);
    expect((err as TRPCError).code).toBe('NOT_FOUND');
  });

  it('removes a host; needs hosts.manage', async () => {
    const id = await addHost('h', '10.0.0.1', null);
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId }]));
    expect(((await reader.hosts.remove({ id }).catch((e: TRPCError) => e)) as TRPCError).code).toBe(
      'FORBIDDEN',
    );
    await expect(api.hosts.remove({ id })).resolves.toEqual({ id });
    expect(((await api.hosts.get({ id }).catch((e: TRPCError) => e)) as TRPCError).code).toBe(
      'NOT_FOUND',
    );
  });
});
