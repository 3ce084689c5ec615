// Parity of the PostgreSQL repositories of group A (issue 15: organizations, hosts, host stats,
// locations, fleet, secrets, onboarding) with the SQLite ones: the same rows seeded on a migrated
// SQLite file and a migrated PostgreSQL database, the same script of repository calls through
// each engine's unit of work, the answers compared deeply (order included); then the tables the
// writes touched, row for row. Last, what only PostgreSQL has to show: `forUpdate` takes a row
// lock, and two concurrent writes over the same rows both end up applied once, one after the
// other (the second retried), never both over the same snapshot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TxHooks, UnitOfWork } from '../../main/core/uow';
import { nameKey } from '../../main/core/names';
import { openDatabase, type OpenedDatabase } from '../../main/db/database';
import { createPgPool } from '../../main/db/pg/database';
import { createPgReposA } from '../../main/db/pg/repos';
import { PgUnitOfWork, sqlState } from '../../main/db/pg/uow';
import { SqliteFleetRepo } from '../../main/db/sqlite/repos/fleet';
import { SqliteHostsRepo } from '../../main/db/sqlite/repos/hosts';
import { SqliteLocationsRepo } from '../../main/db/sqlite/repos/locations';
import { SqliteOnboardingRepo } from '../../main/db/sqlite/repos/onboarding';
import { SqliteOrganizationsRepo } from '../../main/db/sqlite/repos/organizations';
import { SqliteSecretsRepo } from '../../main/db/sqlite/repos/secrets';
import { SqliteUnitOfWork } from '../../main/db/sqlite/uow';
import type { Repos } from '../../main/repos';
import { orgSearchText } from '../../shared/org-search';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

type ARepos = TxHooks &
  Pick<Repos, 'orgs' | 'hosts' | 'locations' | 'fleet' | 'onboarding' | 'secrets'>;

const NOW = 1_800_000_000_000;
const MIN = 60_000;
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** One statement, written once with `?` placeholders, run on both engines. */
type Step = [sql: string, params: unknown[]];

const orgs: [id: number, account: number, name: string, region: string | null, active: boolean][] =
  [
    [1, 1, 'Alpha', 'eu', true],
    [2, 1, 'alpha two', null, true],
    [3, 1, 'Ästhetik GmbH', 'us', false],
    [4, 1, 'Beta 100%_off', 'eu', true],
    [5, 1, 'gamma', null, false],
    [6, 1, 'Delta', 'EU', true],
    [7, 2, 'Other account alpha', 'us', true],
    [8, 2, 'Zulu', null, true],
    [9, 1, 'Empty', 'ap', true],
  ];

// [id, org, location, hostname, ip, ipKey, agent, registeredAgo, seenAgo|null, generation, pinned]
const hostRows: [
  number,
  number,
  number,
  string,
  string,
  string | null,
  'go' | 'legacy',
  number,
  number | null,
  number | null,
  boolean,
][] = [
  [1, 1, 1, 'web-01', '10.0.0.1', '4:010000000001', 'go', 50 * DAY, MIN, 1, false],
  [2, 1, 1, 'Web-02', '10.0.0.12', '4:01000000000c', 'legacy', 50 * DAY, 10 * MIN, 0, true],
  [3, 1, 2, 'DB', '192.168.1.5', null, 'legacy', 50 * DAY, 40 * DAY, null, false],
  [4, 1, 2, '_backup', '10.0.0.100', '4:010000000064', 'legacy', 50 * DAY, null, 1, false],
  [5, 1, 1, 'zeta', 'fe80::1', null, 'go', DAY, null, null, false],
  [6, 1, 3, 'Alpha%host', '10.1.0.1', '4:010100000001', 'legacy', 50 * DAY, 2 * MIN, 0, false],
  [7, 2, 4, 'solo', '10.2.0.1', '4:010200000001', 'go', 50 * DAY, MIN, null, false],
  [8, 1, 3, 'web-03', '10.0.0.3', '4:010000000003', 'go', 50 * DAY, 31 * DAY, null, true],
  [9, 7, 6, 'other', '10.9.0.1', '4:010900000001', 'legacy', 50 * DAY, MIN, 2, false],
];

const seed: Step[] = [
  ['INSERT INTO accounts (id, name, created_at) VALUES (1, ?, ?), (2, ?, ?)', ['A', NOW, 'B', NOW]],
  ...orgs.map(([id, account, name, region, active]): Step => [
    `INSERT INTO organizations (id, account_id, name, name_key, search_text, region, is_active,
       secret_ciphertext, secret_digest, previous_secret_digest, previous_secret_expires_at,
       secret_generation, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      account,
      name,
      nameKey(name),
      orgSearchText(name, null),
      region,
      active,
      Buffer.from([id, 1, 2]),
      `digest-${id}`,
      id <= 2 ? `old-${id}` : null,
      id === 1 ? NOW + DAY : id === 2 ? NOW - DAY : null,
      id === 1 ? 1 : 0,
      NOW - id * MIN,
      NOW - id * MIN,
    ],
  ]),
  ...(
    [
      [1, 1, 'Main office', true],
      [2, 1, 'branch', false],
      [3, 1, 'Annex', false],
      [4, 2, 'Default', true],
      [5, 3, 'Default', true],
      [6, 7, 'Default', true],
      [7, 9, 'Default', true],
    ] as const
  ).map(([id, org, name, isDefault]): Step => [
    `INSERT INTO locations (id, organization_id, name, name_key, timezone, is_default, created_at,
       updated_at) VALUES (?, ?, ?, ?, 'UTC', ?, ?, ?)`,
    [id, org, name, nameKey(name), isDefault, NOW, NOW],
  ]),
  [
    `INSERT INTO location_subnets (id, location_id, organization_id, cidr) VALUES
       (1, 2, 1, '192.168.1.0/24'), (2, 1, 1, '10.0.0.0/24'), (3, 3, 1, '10.1.0.0/16'),
       (4, 4, 2, '10.2.0.0/16')`,
    [],
  ],
  ['UPDATE organization_host_counts SET as_of = ?', [NOW]],
  ...hostRows.map(
    ([id, org, loc, hostname, ip, ipKey, agent, regAgo, seenAgo, gen, pinned]): Step => [
      `INSERT INTO hosts (id, organization_id, location_id, hostname, ip, ip_key, agent_type,
         pinned, registered_at, last_seen_at, secret_generation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id,
        org,
        loc,
        hostname,
        ip,
        ipKey,
        agent,
        pinned,
        NOW - regAgo,
        seenAgo === null ? null : NOW - seenAgo,
        gen,
      ],
    ],
  ),
  [
    `INSERT INTO workflows (id, organization_id, name, is_active, created_at, updated_at) VALUES
       (1, 1, 'Major', ?, ?, ?), (2, 1, 'Off', ?, ?, ?), (3, 7, 'Theirs', ?, ?, ?)`,
    [true, NOW, NOW, false, NOW, NOW, true, NOW, NOW],
  ],
];

/** Tables whose ids the seed wrote: PostgreSQL's identities continue after them, as SQLite's rowids. */
const SEEDED = ['accounts', 'organizations', 'locations', 'location_subnets', 'hosts', 'workflows'];

const toPg = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};
const toSqlite = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v);

/** The tables the script writes, row for row, in primary-key order, as each engine stores them. */
const DUMPS: Record<string, string> = {
  organizations: 'SELECT * FROM organizations ORDER BY id',
  locations: 'SELECT * FROM locations ORDER BY id',
  location_subnets: 'SELECT * FROM location_subnets ORDER BY id',
  hosts: 'SELECT * FROM hosts ORDER BY id',
  organization_host_counts: 'SELECT * FROM organization_host_counts ORDER BY organization_id',
  org_health_snapshots: 'SELECT * FROM org_health_snapshots ORDER BY organization_id, hour',
  account_health_snapshots: 'SELECT * FROM account_health_snapshots ORDER BY account_id, hour',
  alert_rules: 'SELECT * FROM alert_rules ORDER BY id',
  compliance_baselines: 'SELECT * FROM compliance_baselines ORDER BY id',
};

/** A PostgreSQL row as SQLite stores it: booleans as 0/1. */
const asSqlite = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : v]),
  );

/** Maps compared with their order (a page's host stats keep the ids' order). */
const plain = (v: unknown): unknown => (v instanceof Map ? { map: [...v.entries()] } : v);

/**
 * One step of the script. `unordered`: SQLite's statement has no ORDER BY (its order is whatever
 * index the plan walks, which no caller relies on), so the lists are compared as sets.
 */
type Call = [
  name: string,
  mode: 'read' | 'write',
  fn: (r: ARepos) => Promise<unknown>,
  unordered?: 'unordered',
];

/** Every array of `v` in one canonical order (for the unordered steps). */
const canon = (v: unknown): unknown => {
  if (Array.isArray(v)) {
    return v.map(canon).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canon(x)]));
  }
  return v;
};

const ORG_SORTS = ['name', 'region', 'online', 'offline', 'stale', 'total'] as const;
const HOST_SORTS = ['hostname', 'ip', 'last_seen', 'status', 'location'] as const;

const reads: Call[] = [
  ['orgs.byId', 'read', (r) => Promise.all([1, 3, 99].map((id) => r.orgs.byId(id)))],
  ...ORG_SORTS.flatMap((sort) =>
    (['asc', 'desc'] as const).flatMap((order) =>
      [
        { search: null, skip: 0, limit: 50 },
        { search: null, skip: 1, limit: 3 },
        { search: null, skip: 6, limit: 2 }, // past the middle: walked from the end
        { search: 'al', skip: 0, limit: 50 }, // short: no trigram
        { search: 'ALPHA', skip: 1, limit: 1 },
        { search: '100%_', skip: 0, limit: 50 }, // LIKE's wildcards mean themselves
        { search: '%', skip: 0, limit: 50 },
        { search: 'asthetik', skip: 0, limit: 50 },
      ].map((p): Call => [
        `orgs.page ${sort} ${order} ${JSON.stringify(p)}`,
        'read',
        (r) =>
          r.orgs.page({
            accountIds: [1],
            orgIds: [7],
            active: null,
            region: null,
            sort,
            order,
            keptCounts: sort !== 'name',
            liveStatsAt: sort === 'name' || sort === 'region' ? NOW : null,
            ...p,
          }),
      ]),
    ),
  ),
  [
    'orgs.page filtered',
    'read',
    (r) =>
      Promise.all([
        r.orgs.page({
          accountIds: [1],
          orgIds: [],
          active: true,
          region: 'eu',
          search: null,
          sort: 'name',
          order: 'asc',
          skip: 0,
          limit: 10,
          keptCounts: true,
          liveStatsAt: null,
        }),
        r.orgs.page({
          accountIds: [],
          orgIds: [2, 5, 8],
          active: false,
          region: null,
          search: null,
          sort: 'total',
          order: 'desc',
          skip: 0,
          limit: 10,
          keptCounts: true,
          liveStatsAt: null,
        }),
        r.orgs.page({
          accountIds: [1, 2],
          orgIds: [],
          active: null,
          region: null,
          search: 'a',
          sort: 'region',
          order: 'desc',
          skip: 2,
          limit: 4,
          keptCounts: false,
          liveStatsAt: NOW,
        }),
        r.orgs.page({
          accountIds: [1],
          orgIds: [],
          active: null,
          region: null,
          search: 'zzz',
          sort: 'online',
          order: 'asc',
          skip: 0,
          limit: 4,
          keptCounts: true,
          liveStatsAt: null,
        }),
        r.orgs.page({
          accountIds: [1],
          orgIds: [],
          active: null,
          region: null,
          search: null,
          sort: 'name',
          order: 'asc',
          skip: 40,
          limit: 4,
          keptCounts: true,
          liveStatsAt: NOW,
        }),
      ]),
  ],
  [
    'orgs.regions',
    'read',
    (r) =>
      Promise.all([
        r.orgs.regions({ accountIds: [1], orgIds: [] }),
        r.orgs.regions({ accountIds: [], orgIds: [7, 8] }),
      ]),
  ],
  ['orgs.hostStats', 'read', (r) => r.orgs.hostStats([7, 1, 2, 99], NOW)],
  ['orgs.hostStats empty', 'read', (r) => r.orgs.hostStats([], NOW)],
  [
    'orgs.workflowOf',
    'read',
    (r) => Promise.all([r.orgs.workflowOf(1, 1), r.orgs.workflowOf(1, 2), r.orgs.workflowOf(1, 3)]),
  ],
  ['orgs.hostCount', 'read', (r) => Promise.all([1, 2, 9].map((id) => r.orgs.hostCount(id)))],
  ['hosts.byId', 'read', (r) => Promise.all([1, 4, 99].map((id) => r.hosts.byId(id)))],
  ['hosts.byIds', 'read', (r) => Promise.all([r.hosts.byIds([8, 1, 3, 99]), r.hosts.byIds([])])],
  ...HOST_SORTS.flatMap((sort) =>
    (['asc', 'desc'] as const).flatMap((order) =>
      [
        { skip: 0, limit: 50 },
        { skip: 2, limit: 3 },
        { skip: 0, limit: 50, status: 'offline' as const },
        { skip: 0, limit: 50, status: 'stale' as const },
        { skip: 0, limit: 50, search: 'WEB' },
        { skip: 0, limit: 50, search: '10.0.0.1' },
        { skip: 0, limit: 50, search: '_' },
        { skip: 0, limit: 50, search: '%' },
        { skip: 0, limit: 50, locationId: 3 },
      ].map((p): Call => [
        `hosts.page ${sort} ${order} ${JSON.stringify(p)}`,
        'read',
        (r) => r.hosts.page({ orgId: 1, sort, order, now: NOW, ...p }),
      ]),
    ),
  ),
  [
    'hosts.locationInOrg',
    'read',
    (r) => Promise.all([r.hosts.locationInOrg(2, 1), r.hosts.locationInOrg(4, 1)]),
  ],
  ['hosts.countInOrg', 'read', (r) => Promise.all([r.hosts.countInOrg(1), r.hosts.countInOrg(9)])],
  ['hosts.topIdInOrg', 'read', (r) => Promise.all([r.hosts.topIdInOrg(1), r.hosts.topIdInOrg(9)])],
  [
    'hosts.chunkInOrg',
    'read',
    (r) => Promise.all([r.hosts.chunkInOrg(1, 6, 3), r.hosts.chunkInOrg(1, 100, 100)]),
  ],
  ['hosts.unpinned', 'read', (r) => r.hosts.unpinned(1), 'unordered'],
  ['locations.byId', 'read', (r) => Promise.all([1, 4, 99].map((id) => r.locations.byId(id)))],
  ['locations.ofOrg', 'read', (r) => Promise.all([r.locations.ofOrg(1), r.locations.ofOrg(99)])],
  [
    'locations.subnetsOf',
    'read',
    (r) => Promise.all([r.locations.subnetsOf([1, 2, 3, 4]), r.locations.subnetsOf([])]),
  ],
  ['locations.hostCounts', 'read', (r) => r.locations.hostCounts([3, 1, 2, 7])],
  [
    'locations.subnetClash',
    'read',
    (r) =>
      Promise.all([
        r.locations.subnetClash(1, 1, ['10.1.0.0/16', '192.168.1.0/24']),
        r.locations.subnetClash(1, 2, ['192.168.1.0/24']),
        r.locations.subnetClash(1, 1, []),
      ]),
  ],
  [
    'locations.defaultOf',
    'read',
    (r) => Promise.all([r.locations.defaultOf(1), r.locations.defaultOf(8)]),
  ],
  ['locations.subnetsExcept', 'read', (r) => r.locations.subnetsExcept(1, 2), 'unordered'],
  ['locations.hostsAt', 'read', (r) => r.locations.hostsAt(1), 'unordered'],
  [
    'locations.names',
    'read',
    (r) => Promise.all([r.locations.names([3, 1, 99]), r.locations.names([])]),
  ],
  [
    'locations.matcherInput',
    'read',
    (r) => Promise.all([r.locations.matcherInput(1), r.locations.matcherInput(99)]),
    'unordered',
  ],
  [
    'locations.locationRevision',
    'read',
    (r) => Promise.all([r.locations.locationRevision(1), r.locations.locationRevision(99)]),
  ],
  [
    'fleet.orgsInScope',
    'read',
    (r) =>
      Promise.all([
        r.fleet.orgsInScope({ accountIds: [1], orgIds: [8] }),
        r.fleet.orgsInScope({ accountIds: [], orgIds: [] }),
      ]),
  ],
  ['fleet.hostStats', 'read', (r) => r.fleet.hostStats([1, 7, 2], NOW)],
  [
    'fleet.accountsWithoutSnapshot',
    'read',
    (r) => r.fleet.accountsWithoutSnapshot(NOW),
    'unordered',
  ],
  ['fleet.orgsWithoutSnapshot', 'read', (r) => r.fleet.orgsWithoutSnapshot(1, NOW), 'unordered'],
  ['secrets.ciphertextOf', 'read', (r) => r.secrets.ciphertextOf(3)],
  ['secrets.currentDigest', 'read', (r) => r.secrets.currentDigest(2)],
  [
    'secrets.generationOf',
    'read',
    (r) => Promise.all([r.secrets.generationOf(1), r.secrets.generationOf(3)]),
  ],
  [
    'secrets.legacyHostsOn',
    'read',
    (r) => Promise.all([r.secrets.legacyHostsOn(1, 0), r.secrets.legacyHostsOn(1, 1)]),
  ],
  [
    'secrets.legacyHostsBefore',
    'read',
    (r) =>
      Promise.all([r.secrets.legacyHostsBefore(1, 1, 10), r.secrets.legacyHostsBefore(1, 2, 2)]),
  ],
];

const rules = [
  {
    kind: 'offline',
    name: 'Host offline',
    threshold: null,
    durationMinutes: 10,
    enabled: true,
    createdAt: NOW,
    updatedAt: NOW,
  },
  {
    kind: 'disk',
    name: 'Disk full',
    threshold: 90,
    durationMinutes: null,
    enabled: false,
    createdAt: NOW,
    updatedAt: NOW,
  },
];
const baseline = { name: 'CIS', rules: '["a"]', createdAt: NOW, updatedAt: NOW };

const snapshot = (
  organizationId: number,
  accountId: number,
  hour: number,
  isActive: boolean,
  n: number,
) => ({
  organizationId,
  accountId,
  hour,
  isActive,
  online: n,
  offline: 1,
  stale: 2,
  total: n + 3,
});

const writes: Call[] = [
  [
    'orgs.insert + insertDefaultLocation',
    'write',
    async (r) => {
      const org = await r.orgs.insert(
        {
          accountId: 1,
          name: 'New org',
          nameKey: 'new org',
          description: 'd',
          searchText: orgSearchText('New org', 'd'),
          region: 'eu',
          secretDigest: 'digest-new',
          createdAt: NOW,
        },
        (id) => Buffer.from(`sealed ${id}`),
      );
      return [org, await r.orgs.insertDefaultLocation(org.id, NOW)];
    },
  ],
  [
    'orgs.update',
    'write',
    (r) =>
      Promise.all([
        r.orgs.update(2, { region: 'us', killSwitch: true, majorIncidentWorkflowId: 1 }, NOW + 1),
        r.orgs.update(99, { region: 'us' }, NOW),
      ]),
  ],
  ['orgs.deleteHard', 'write', (r) => r.orgs.deleteHard(9)],
  [
    'hosts.update',
    'write',
    (r) =>
      Promise.all([
        r.hosts.update(1, { pinned: true, publicKey: 'pk', lastSignedAt: 123 }),
        r.hosts.update(99, { pinned: true }),
      ]),
  ],
  ['hosts.moveMany', 'write', (r) => r.hosts.moveMany([3, 4], 3)],
  ['hosts.setLocation', 'write', (r) => r.hosts.setLocation(5, 2)],
  ['hosts.remove', 'write', (r) => Promise.all([r.hosts.remove([8]), r.hosts.remove([])])],
  [
    'locations.insert / update / replaceSubnets / makeDefault',
    'write',
    async (r) => {
      const loc = await r.locations.insert({
        organizationId: 1,
        name: 'Lab',
        nameKey: 'lab',
        timezone: 'Europe/Berlin',
        isDefault: false,
        createdAt: NOW,
        updatedAt: NOW,
      });
      await r.locations.update(loc.id, { name: 'Lab 2', nameKey: 'lab 2', updatedAt: NOW + 5 });
      await r.locations.replaceSubnets(1, loc.id, ['172.16.0.0/12', '10.9.0.0/16']);
      await r.locations.replaceSubnets(1, 2, []);
      await r.locations.makeDefault(1, loc.id, NOW + 6);
      return [
        loc,
        await r.locations.byId(loc.id),
        await r.locations.matcherInput(1),
        await r.locations.defaultOf(1),
      ];
    },
    'unordered',
  ],
  [
    'locations.moveHosts + delete',
    'write',
    async (r) => {
      await r.locations.moveHosts([3, 4, 5, 99], 1);
      await r.locations.moveHosts([], 1);
      await r.locations.delete(2);
      return [
        await r.locations.hostsAt(1),
        await r.locations.ofOrg(1),
        await r.locations.locationRevision(1),
      ];
    },
    'unordered',
  ],
  [
    'secrets.replaceSecret',
    'write',
    async (r) => {
      await r.secrets.replaceSecret(
        3,
        { ciphertext: Buffer.from('next'), digest: 'digest-3b' },
        { digest: 'digest-3', expiresAt: NOW + DAY },
        NOW,
      );
      await r.secrets.replaceSecret(
        4,
        { ciphertext: Buffer.from('n4'), digest: 'digest-4b' },
        null,
        NOW,
      );
      return [
        await r.secrets.currentDigest(3),
        await r.secrets.generationOf(3),
        await r.secrets.ciphertextOf(3),
      ];
    },
  ],
  [
    'fleet snapshots',
    'write',
    async (r) => {
      const h0 = NOW - (NOW % HOUR);
      await r.fleet.insertOrgSnapshots([
        snapshot(1, 1, h0, true, 5),
        snapshot(2, 1, h0, true, 3),
        snapshot(3, 1, h0, false, 9),
        snapshot(7, 2, h0, true, 1),
      ]);
      await r.fleet.insertOrgSnapshots([snapshot(1, 1, h0, true, 100)]); // kept: the first wins
      await r.fleet.insertOrgSnapshots([]);
      await r.fleet.insertOrgSnapshots([
        snapshot(1, 1, h0 - HOUR, true, 4),
        snapshot(1, 1, h0 - 2 * HOUR, true, 2),
      ]);
      await r.fleet.insertAccountSnapshot(1, h0);
      await r.fleet.insertAccountSnapshot(1, h0); // once
      await r.fleet.insertAccountSnapshot(2, h0);
      await r.fleet.insertAccountSnapshot(1, h0 - HOUR);
      await r.fleet.insertAccountSnapshot(2, h0 - 5 * HOUR); // no org snapshots: zeros
      return [
        await r.fleet.orgHistory(1, h0 - 2 * HOUR, h0),
        await r.fleet.accountHistory([1, 2], h0 - 5 * HOUR, h0),
        await r.fleet.orgSums([1, 2, 3, 7], [], h0 - 5 * HOUR, h0),
        await r.fleet.orgSums([1, 2, 3, 7], [2], h0 - 5 * HOUR, h0),
        await r.fleet.accountsWithoutSnapshot(h0),
        await r.fleet.accountsWithoutSnapshot(h0 - 2 * HOUR),
        await r.fleet.orgsWithoutSnapshot(1, h0),
        await r.fleet.deleteSnapshotsBefore('org', h0 - HOUR + 1, 1),
        await r.fleet.deleteSnapshotsBefore('org', h0, 10),
        await r.fleet.deleteSnapshotsBefore('account', h0, 10),
        await r.fleet.orgHistory(1, 0, h0),
      ];
    },
    'unordered',
  ],
  [
    'onboarding',
    'write',
    async (r) => {
      await r.onboarding.seedDefaults(1, rules, baseline);
      await r.onboarding.seedDefaults(2, rules.slice(0, 1), { ...baseline, name: 'Two' });
      const list = await r.onboarding.alertRules(1);
      const bases = await r.onboarding.baselines(1);
      return [
        list,
        bases,
        await r.onboarding.alertRule(list[1]!.id),
        await r.onboarding.alertRule(999),
        await r.onboarding.updateAlertRule(list[1]!.id, {
          enabled: true,
          threshold: 80,
          updatedAt: NOW + 1,
        }),
        await r.onboarding.baseline(bases[0]!.id),
        await r.onboarding.baseline(999),
        await r.onboarding.updateBaseline(bases[0]!.id, { rules: '[]', updatedAt: NOW + 2 }),
        await r.onboarding.alertRules(2),
      ];
    },
  ],
];

describe.skipIf(!pgAvailable)('group A repositories, PostgreSQL against SQLite', () => {
  let env: PgTestEnv;
  let db: TestDatabase;
  let pool: pg.Pool;
  let dir: string;
  let sqlite: OpenedDatabase;
  let onSqlite: UnitOfWork<ARepos>;
  let onPg: UnitOfWork<ARepos>;
  const retries: unknown[] = [];

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
    db = await createTestDatabase(env.url);
    pool = createPgPool(db.url, { max: 6 });
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-repos-a-'));
    sqlite = openDatabase({ file: join(dir, 'orgdesk.db') });
    for (const [sql, params] of seed) {
      sqlite.sqlite.prepare(sql).run(...params.map(toSqlite));
      await pool.query(toPg(sql), params);
    }
    for (const table of SEEDED) {
      await pool.query(
        `SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM ${table}))`,
      );
    }
    const d = sqlite.db;
    onSqlite = new SqliteUnitOfWork<ARepos>(sqlite.sqlite, {
      orgs: new SqliteOrganizationsRepo(d),
      hosts: new SqliteHostsRepo(d),
      locations: new SqliteLocationsRepo(d),
      fleet: new SqliteFleetRepo(d),
      onboarding: new SqliteOnboardingRepo(d),
      secrets: new SqliteSecretsRepo(d),
    });
    onPg = new PgUnitOfWork<ARepos>(pool, createPgReposA, {
      onRetry: (_attempt, error) => retries.push(error),
    });
  });

  afterAll(async () => {
    sqlite?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pool?.end();
    await db?.drop();
    if (env?.available) await env.release();
  });

  const both = async ([name, mode, fn, unordered]: Call) => {
    const expected = await onSqlite[mode]((r) =>
      fn(r).then((v) => JSON.parse(JSON.stringify({ v }, (_k, x: unknown) => plain(x)))),
    );
    const actual = await onPg[mode]((r) =>
      fn(r).then((v) => JSON.parse(JSON.stringify({ v }, (_k, x: unknown) => plain(x)))),
    );
    if (unordered) expect(canon(actual), name).toEqual(canon(expected));
    else expect(actual, name).toEqual(expected);
    return actual as unknown;
  };

  it('answer every read as SQLite does, order included', async () => {
    for (const call of reads) await both(call);
    // Not merely equal: the script reaches the rows it is about (a NULL region sorts first
    // ascending, as on SQLite; the searches find their orgs).
    const first = (await both(reads.find(([n]) => n.startsWith('orgs.page region asc'))!)) as {
      v: { rows: { id: number }[] };
    };
    expect(first.v.rows.map((o) => o.id).slice(0, 2)).toEqual([2, 5]);
  });

  it('matchSecretDigest answers as SQLite', async () => {
    const d = sqlite.db;
    const sync = new SqliteSecretsRepo(d);
    for (const [digest, now] of [
      ['digest-1', NOW],
      ['old-1', NOW],
      ['old-2', NOW],
      ['nope', NOW],
      ['old-1', NOW + 2 * DAY],
    ] as const) {
      const pgMatch = await onPg.read((r) => r.secrets.matchSecretDigest(digest, now));
      expect(pgMatch, digest).toEqual(await sync.matchSecretDigest(digest, now));
    }
  });

  it('write the same rows as SQLite, and answer the same after', async () => {
    for (const call of writes) await both(call);
    for (const call of reads) await both(call);
    for (const [table, select] of Object.entries(DUMPS)) {
      const fromSqlite = sqlite.sqlite.prepare(select).all();
      const fromPg = (await pool.query(select)).rows.map(asSqlite);
      expect(fromPg, table).toEqual(fromSqlite);
    }
  });
});

describe.skipIf(!pgAvailable)(
  'group A repositories on PostgreSQL: row locks and racing writes',
  () => {
    let env: PgTestEnv;
    let db: TestDatabase;
    let pool: pg.Pool;
    let uow: UnitOfWork<ARepos>;
    const retries: unknown[] = [];

    beforeAll(async () => {
      env = await pgTestEnv();
      if (!env.available) throw new Error(env.reason);
      db = await createTestDatabase(env.url);
      pool = createPgPool(db.url, { max: 6 });
      for (const [sql, params] of seed) await pool.query(toPg(sql), params);
      for (const table of SEEDED) {
        await pool.query(
          `SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM ${table}))`,
        );
      }
      uow = new PgUnitOfWork<ARepos>(pool, createPgReposA, {
        onRetry: (_attempt, error) => retries.push(error),
      });
      await uow.write((r) => r.onboarding.seedDefaults(1, rules, baseline));
    });

    afterAll(async () => {
      await pool?.end();
      await db?.drop();
      if (env?.available) await env.release();
    });

    /** Whether another session finds the row locked (FOR UPDATE NOWAIT: 55P03, lock_not_available). */
    const locked = async (table: string, id: number): Promise<boolean> => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT 1 FROM ${table} WHERE id = $1 FOR UPDATE NOWAIT`, [id]);
        return false;
      } catch (error) {
        if (sqlState(error) === '55P03') return true;
        throw error;
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    };

    /** Until another backend of this database waits for a lock (the racing transaction is blocked). */
    const untilBlocked = async () => {
      for (let i = 0; i < 1000; i++) {
        const { rows } = await pool.query<{ n: number }>(
          `SELECT count(*) AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (rows[0]!.n > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error('the racing transaction never waited for the lock');
    };

    it('take the row lock on { forUpdate: true } and only then', async () => {
      const rule = (await uow.read((r) => r.onboarding.alertRules(1)))[0]!;
      const base = (await uow.read((r) => r.onboarding.baselines(1)))[0]!;
      const cases: [string, number, (r: ARepos, forUpdate: boolean) => Promise<unknown>][] = [
        ['organizations', 1, (r, forUpdate) => r.orgs.byId(1, { forUpdate })],
        ['organizations', 3, (r, forUpdate) => r.secrets.currentDigest(3, { forUpdate })],
        ['hosts', 2, (r, forUpdate) => r.hosts.byId(2, { forUpdate })],
        ['hosts', 3, (r, forUpdate) => r.hosts.byIds([1, 3], { forUpdate })],
        ['locations', 1, (r, forUpdate) => r.locations.byId(1, { forUpdate })],
        ['alert_rules', rule.id, (r, forUpdate) => r.onboarding.alertRule(rule.id, { forUpdate })],
        [
          'compliance_baselines',
          base.id,
          (r, forUpdate) => r.onboarding.baseline(base.id, { forUpdate }),
        ],
      ];
      for (const [table, id, read] of cases) {
        for (const forUpdate of [true, false]) {
          const seen = await uow.write(async (r) => {
            await read(r, forUpdate);
            return locked(table, id);
          });
          expect(seen, `${table} ${id} forUpdate=${forUpdate}`).toBe(forUpdate);
        }
      }
      // byIds locks exactly the rows it read.
      expect(
        await uow.write(async (r) => {
          await r.hosts.byIds([1, 3], { forUpdate: true });
          return [await locked('hosts', 1), await locked('hosts', 2)];
        }),
      ).toEqual([true, false]);
    });

    it('two secret rotations at once: both applied, the second over the first (retried)', async () => {
      retries.length = 0;
      const rotate = (digest: string, whileHolding?: () => Promise<void>) =>
        uow.write(async (r) => {
          const current = await r.secrets.currentDigest(5, { forUpdate: true });
          await r.secrets.replaceSecret(
            5,
            { ciphertext: Buffer.from(digest), digest },
            { digest: current, expiresAt: NOW + DAY },
            NOW,
          );
          await whileHolding?.();
          return current;
        });
      let second: Promise<string> | undefined;
      const first = rotate('digest-5a', async () => {
        // The other rotation starts now and blocks on the row this one holds.
        second = rotate('digest-5b');
        await untilBlocked();
      });
      expect(await first).toBe('digest-5');
      // It read the first one's secret, not the one both began with.
      expect(await second).toBe('digest-5a');
      expect(retries.map(sqlState)).toEqual(['40001']);
      const after = await pool.query(
        'SELECT secret_digest, previous_secret_digest, secret_generation FROM organizations WHERE id = 5',
      );
      expect(after.rows).toEqual([
        { secret_digest: 'digest-5b', previous_secret_digest: 'digest-5a', secret_generation: 2 },
      ]);
    });

    it('two makeDefaults at once: one default at the end, the later one', async () => {
      retries.length = 0;
      let second: Promise<void> | undefined;
      await uow.write(async (r) => {
        await r.locations.makeDefault(1, 2, NOW);
        second = uow.write((r2) => r2.locations.makeDefault(1, 3, NOW + 1));
        await untilBlocked();
      });
      await second;
      expect(retries.map(sqlState)).toEqual(['40001']);
      const { rows } = await pool.query(
        'SELECT id FROM locations WHERE organization_id = 1 AND is_default ORDER BY id',
      );
      expect(rows).toEqual([{ id: 3 }]);
    });

    it('two snapshot jobs at once for the same hour: one row each, the first one’s', async () => {
      retries.length = 0;
      const hour = NOW - (NOW % HOUR);
      const job = (n: number, whileHolding?: () => Promise<void>) =>
        uow.write(async (r) => {
          await r.fleet.insertOrgSnapshots([
            snapshot(1, 1, hour, true, n),
            snapshot(2, 1, hour, true, n),
          ]);
          await r.fleet.insertAccountSnapshot(1, hour);
          await whileHolding?.();
        });
      let second: Promise<void> | undefined;
      await job(7, async () => {
        second = job(99);
        await untilBlocked();
      });
      await second;
      // The second waited on the first's uncommitted keys, then its snapshot could not have seen
      // them: serialization failure, retried, and then ON CONFLICT DO NOTHING kept the first's.
      expect(retries.map(sqlState)).toEqual(['40001']);
      const orgRows = await pool.query(
        'SELECT organization_id, online FROM org_health_snapshots WHERE hour = $1 ORDER BY 1',
        [hour],
      );
      expect(orgRows.rows).toEqual([
        { organization_id: 1, online: 7 },
        { organization_id: 2, online: 7 },
      ]);
      const accountRows = await pool.query(
        'SELECT account_id, organizations, online FROM account_health_snapshots WHERE hour = $1',
        [hour],
      );
      expect(accountRows.rows).toEqual([{ account_id: 1, organizations: 2, online: 14 }]);
    });
  },
);
