// Never block the event loop: a hosts page of more than HOSTS_PAGE_INLINE_LIMIT hosts is read on a
// read worker over its own connection (as ORG-2's large pages are); smaller pages stay on the
// event loop. Either way the answer is the same, and the org check is the caller's.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTS_PAGE_INLINE_LIMIT } from '../main/features/hosts/hosts.service';
import { settlesAfterATurn } from './fixtures/event-loop';
import { startServer, type TestServer } from './fixtures/server';
import { t } from './fixtures/tables';
import { sqliteOnly } from './fixtures/test-engine';

const HOSTS = HOSTS_PAGE_INLINE_LIMIT + 50;
const MINUTE = 60_000;

let s: TestServer;
let orgId: number;
beforeAll(async () => {
  s = await startServer();
  const admin = (await s.services.auth.actorForUser(s.adminUserId))!;
  orgId = (await s.services.organizations.create(admin, { name: 'Offload hosts' })).id;
  const [loc] = await s.db
    .select()
    .from(t.locations)
    .where(eq(t.locations.organizationId, orgId))
    .limit(1);
  const now = s.clock.now();
  // Online, offline and never seen, on several addresses: every sort and filter has work to do.
  await s.db.insert(t.hosts).values(
    Array.from({ length: HOSTS }, (_, i) => ({
      organizationId: orgId,
      locationId: loc!.id,
      hostname: `offload-${String(i).padStart(4, '0')}`,
      ip: `10.0.${i % 7}.${i % 250}`,
      agentType: 'go' as const,
      registeredAt: now - 60 * MINUTE,
      lastSeenAt: i % 3 === 0 ? now - MINUTE : i % 3 === 1 ? now - 30 * MINUTE : null,
    })),
  );
});
afterAll(() => s.close());

describe('hosts: large pages are read off the event loop', () => {
  it('a page over the inline limit answers only after the event loop turned', async () => {
    const admin = (await s.services.auth.actorForUser(s.adminUserId))!;
    const big = { organization_id: orgId, limit: HOSTS_PAGE_INLINE_LIMIT + 1 };
    expect(await settlesAfterATurn(() => s.services.hosts.list(admin, big))).toBe(true);
  });

  it('the worker answers exactly what the event loop answers, for every sort and filter', async () => {
    const admin = (await s.services.auth.actorForUser(s.adminUserId))!;
    for (const extra of [
      {},
      { sort: 'last_seen', order: 'desc' },
      { sort: 'ip', order: 'asc' },
      { sort: 'status', order: 'desc' },
      { status: 'offline' },
      { search: 'offload-01' },
    ] as const) {
      const at = { organization_id: orgId, limit: HOSTS_PAGE_INLINE_LIMIT, ...extra };
      const small = await s.services.hosts.list(admin, at);
      const rest = await s.services.hosts.list(admin, { ...at, skip: HOSTS_PAGE_INLINE_LIMIT });
      const big = await s.services.hosts.list(admin, { ...at, limit: HOSTS_PAGE_INLINE_LIMIT * 2 });
      expect(big.total, JSON.stringify(extra)).toBe(small.total);
      expect(big.items, JSON.stringify(extra)).toEqual([...small.items, ...rest.items]);
    }
    const all = await s.services.hosts.list(admin, { organization_id: orgId, limit: 1000 });
    expect(all.total).toBe(HOSTS);
    expect(all.items).toHaveLength(HOSTS);
  });

  // SQLite reads a small page synchronously, inside the turn; on PostgreSQL every read waits for
  // the network, so a turn always passes (and no read can stall the loop to begin with).
  it.skipIf(sqliteOnly('a synchronous SQLite read answers within the event loop turn'))(
    'a small page stays on the event loop',
    async () => {
      const admin = (await s.services.auth.actorForUser(s.adminUserId))!;
      const small = { organization_id: orgId, limit: HOSTS_PAGE_INLINE_LIMIT };
      expect(await settlesAfterATurn(() => s.services.hosts.list(admin, small))).toBe(false);
    },
  );

  it('the org check comes first: a foreign org answers not-found, over REST as in the service', async () => {
    const admin = (await s.services.auth.actorForUser(s.adminUserId))!;
    const elsewhere = await s.services.organizations.create(admin, { name: 'Offload elsewhere' });
    const other = await s.userToken([{ role: 'technician', orgId: elsewhere.id }]);
    const res = await s.request(
      'GET',
      `/api/v1/organizations/${orgId}/hosts?limit=${HOSTS_PAGE_INLINE_LIMIT + 10}`,
      { token: other.token },
    );
    expect(res.status).toBe(404);
    const own = await s.request(
      'GET',
      `/api/v1/organizations/${orgId}/hosts?limit=${HOSTS_PAGE_INLINE_LIMIT + 10}`,
      { token: s.adminToken },
    );
    expect(own.status).toBe(200);
    expect((own.json as unknown[]).length).toBe(HOSTS_PAGE_INLINE_LIMIT + 10);
  });
});
