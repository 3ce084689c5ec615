// Parity of the group B repositories (issue 15): the same script of repository calls runs on a
// migrated SQLite database (SqliteUnitOfWork over createSqliteRepos) and on a PostgreSQL test
// database (PgUnitOfWork over createPgReposB), both seeded with the same rows, and every result
// must be deeply equal: same rows, same order, same conditional outcomes. Then the conditional
// writes race on PostgreSQL: two transactions at once, one wins, never both.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemActor, type Actor } from '../../main/core/actor';
import { AuditChain } from '../../main/core/audit';
import { AuditLog } from '../../main/db/sqlite/audit-log';
import type { UnitOfWork } from '../../main/core/uow';
import { openDatabase, type OpenedDatabase } from '../../main/db/database';
import { createPgClient, createPgPool } from '../../main/db/pg/database';
import { createPgReposB } from '../../main/db/pg/repos';
import * as pgSchema from '../../main/db/pg/schema';
import { PgUnitOfWork } from '../../main/db/pg/uow';
import * as sqliteSchema from '../../main/db/schema';
import { createSqliteRepos } from '../../main/db/sqlite/repos';
import { SqliteUnitOfWork } from '../../main/db/sqlite/uow';
import { listAuditInput, type ListAuditInput } from '../../shared/schemas/audit.schema';
import type { Repos } from '../../main/repos';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

type B = Pick<
  Repos,
  | 'access'
  | 'accounts'
  | 'audit'
  | 'auditTrail'
  | 'automation'
  | 'featureFlags'
  | 'gdpr'
  | 'governance'
  | 'supportAccess'
  | 'users'
  | 'workflows'
  | 'afterCommit'
>;

const T0 = 1_750_000_000_000;

/** A promise both racers wait on, and its resolve. */
const barrier = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};
const blob = new Uint8Array([1, 2, 3]);

/** The seed, table by table in foreign-key order, explicit ids (the same on both engines). */
const SEED: [keyof typeof pgSchema & keyof typeof sqliteSchema, Record<string, unknown>[]][] = [
  [
    'accounts',
    [
      { id: 1, name: 'beta', createdAt: T0 },
      { id: 2, name: 'Alpha', createdAt: T0 },
      { id: 3, name: 'gamma', createdAt: T0, isActive: false },
      { id: 4, name: 'alpha', createdAt: T0 },
    ],
  ],
  [
    'users',
    [
      ...[
        [1, 1, 'zed@b.example'],
        [2, 1, 'Amy@b.example'],
        [3, 1, 'bob@b.example'],
        [4, 2, 'eng@support.example'],
        [5, 3, 'c@g.example'],
      ].map(([id, accountId, email]) => ({
        id,
        accountId,
        email,
        emailKey: String(email).toLowerCase(),
        name: `User ${id}`,
        passwordHash: 'x',
        isSupportEngineer: id === 4,
        isPlatformOperator: id === 1,
        isActive: id !== 3,
        createdAt: T0,
        updatedAt: T0,
      })),
    ],
  ],
  [
    'organizations',
    [
      [10, 1, 'Org Ten'],
      [11, 1, 'Org Eleven'],
      [20, 2, 'Org Twenty'],
      [30, 3, 'Org Thirty'],
    ].map(([id, accountId, name]) => ({
      id,
      accountId,
      name,
      nameKey: String(name).toLowerCase(),
      searchText: String(name).toLowerCase(),
      automationLevel: id === 10 ? 'semi_auto' : 'manual',
      killSwitch: id === 11,
      majorIncidentWorkflowId: id === 10 ? 1 : null,
      secretCiphertext: blob,
      secretDigest: `d${id}`,
      createdAt: T0,
      updatedAt: T0,
    })),
  ],
  [
    'roleAssignments',
    [
      { id: 1, userId: 1, accountId: 1, organizationId: null, role: 'account_admin' },
      { id: 2, userId: 2, accountId: 1, organizationId: 11, role: 'technician' },
      { id: 3, userId: 2, accountId: 1, organizationId: 10, role: 'reader' },
      { id: 4, userId: 3, accountId: 1, organizationId: null, role: 'account_admin' },
      { id: 5, userId: 5, accountId: 3, organizationId: null, role: 'account_admin' },
    ],
  ],
  [
    'apiTokens',
    [
      [1, 2, 'session', null],
      [2, 2, 'personal', null],
      [3, 2, 'session', T0 - 5],
      [4, 1, 'session', null],
    ].map(([id, userId, kind, revokedAt]) => ({
      id,
      userId,
      kind,
      name: `token ${id} of Amy`,
      tokenDigest: `digest-${id}`,
      createdAt: T0,
      revokedAt,
    })),
  ],
  [
    'supportGrants',
    [
      // account 1: a customer grant open now; account 2: one for engineer 4 only;
      // account 3 (inactive): open but closed by the account; expired and revoked ones.
      { id: 1, accountId: 1, kind: 'customer', startsAt: T0 - 10, expiresAt: T0 + 1e6 },
      {
        id: 2,
        accountId: 2,
        kind: 'request',
        engineerUserId: 4,
        startsAt: T0 - 10,
        expiresAt: T0 + 1e6,
      },
      { id: 3, accountId: 3, kind: 'customer', startsAt: T0 - 10, expiresAt: T0 + 1e6 },
      { id: 4, accountId: 4, kind: 'customer', startsAt: T0 - 10, expiresAt: T0 - 1 },
      {
        id: 5,
        accountId: 4,
        kind: 'customer',
        startsAt: T0 - 10,
        expiresAt: T0 + 1e6,
        revokedAt: T0 - 2,
      },
      { id: 6, accountId: 1, kind: 'customer', startsAt: T0 - 20, expiresAt: T0 + 2e6 },
    ],
  ],
  [
    'supportRequests',
    [
      [1, 1, 4, 'pending', T0 + 1e5],
      [2, 1, 4, 'pending', T0 - 1],
      [3, 1, 4, 'denied', T0 + 1e5],
      [4, 2, 4, 'pending', T0 + 1e5],
      [5, 1, 4, 'expired', T0 - 100],
      [6, 1, 4, 'pending', T0 + 2e5],
    ].map(([id, accountId, engineerUserId, status, expiresAt]) => ({
      id,
      accountId,
      engineerUserId,
      reason: `reason ${id}`,
      durationHours: 4,
      status,
      createdAt: T0 - 1000 + Number(id),
      expiresAt,
    })),
  ],
  [
    'locations',
    [10, 11].map((orgId) => ({
      id: orgId,
      organizationId: orgId,
      name: 'Default',
      nameKey: 'default',
      isDefault: true,
      createdAt: T0,
      updatedAt: T0,
    })),
  ],
  [
    'hosts',
    [
      [1, 10, 'web-1'],
      [2, 10, 'Web-2'],
      [3, 11, 'db-1'],
    ].map(([id, orgId, hostname]) => ({
      id,
      organizationId: orgId,
      locationId: orgId,
      hostname,
      ip: `10.0.0.${id}`,
      agentType: 'go',
      registeredAt: T0,
    })),
  ],
  [
    'workflows',
    [
      [1, 10, 'b-flow', true],
      [2, 10, 'B-flow', false],
      [3, 10, 'a-flow', true],
      [4, 11, 'other', true],
    ].map(([id, organizationId, name, isActive]) => ({
      id,
      organizationId,
      name,
      isActive,
      createdAt: T0,
      updatedAt: T0,
    })),
  ],
  [
    'recordings',
    [
      [1, 10, 1, 2, T0 - 5000],
      [2, 10, 2, 2, T0 - 9000],
      [3, 10, null, null, T0 - 5000],
      [4, 11, 3, 1, T0 - 1],
      [5, 10, 1, 2, T0],
    ].map(([id, organizationId, hostId, userId, startedAt]) => ({
      id,
      organizationId,
      hostId,
      userId,
      kind: id === 4 ? 'remote_desktop' : 'terminal',
      capture: id === 3 ? 'full' : 'metadata',
      startedAt,
      endedAt: id === 5 ? null : Number(startedAt) + 100,
      sizeBytes: Number(id) * 1000,
    })),
  ],
  [
    'featureFlags',
    [
      { id: 1, accountId: 1, organizationId: null, feature: 'zeta', enabled: true, updatedAt: T0 },
      { id: 2, accountId: 1, organizationId: 10, feature: 'zeta', enabled: false, updatedAt: T0 },
      {
        id: 3,
        accountId: 1,
        organizationId: null,
        feature: 'alpha',
        enabled: false,
        updatedAt: T0,
      },
      { id: 4, accountId: 1, organizationId: 11, feature: 'alpha', enabled: true, updatedAt: T0 },
    ],
  ],
];

/** The script: every method of the group's ports, each result logged under a name. */
async function script(uow: UnitOfWork<B>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const log = (name: string, v: unknown) => {
    out[name] = v;
  };
  // What the SQLite adapter selects without ORDER BY comes in the order of whichever index
  // served it (role_assignments by (user_id, organization_id), say): no order the port promises,
  // so it is compared as a set. The PG adapter orders those by id, to be deterministic.
  const set = <T>(xs: T[]) =>
    [...xs].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  const flags = (x: { accountId: number; rows: unknown[] } | undefined) =>
    x && { accountId: x.accountId, rows: set(x.rows) };
  // access
  await uow.read(async (r) => {
    log('access.userState', [await r.access.userState(1), await r.access.userState(99)]);
    log('access.support', [
      set(await r.access.supportAccountIds(4, T0)),
      set(await r.access.supportAccountIds(2, T0)),
    ]);
    log('access.roles', [set(await r.access.roles(2, 1)), set(await r.access.roles(2, 2))]);
    log('access.orgRef', [await r.access.orgRef(10), await r.access.orgRef(99)]);
  });
  // automation
  await uow.read(async (r) =>
    log('automation', [
      await r.automation.orgAutomation(10),
      await r.automation.orgAutomation(11),
      await r.automation.orgAutomation(99),
    ]),
  );
  // accounts
  await uow.write(async (r) => {
    log('accounts.isEmpty', await r.accounts.isEmpty());
    log('accounts.byId', [
      await r.accounts.byId(1),
      await r.accounts.byId(2, { forUpdate: true }),
      await r.accounts.byId(99, { forUpdate: true }),
    ]);
    log('accounts.withCounts', [await r.accounts.withCounts(1), await r.accounts.withCounts(99)]);
    log(
      'accounts.insertWithAdmin',
      await r.accounts.insertWithAdmin(
        'delta',
        {
          email: 'Dee@d.example',
          emailKey: 'dee@d.example',
          name: 'Dee',
          passwordHash: 'h',
          isPlatformOperator: false,
        },
        T0 + 1,
      ),
    );
    log('accounts.update', [
      await r.accounts.update(2, { name: 'ALPHA', isActive: false }),
      await r.accounts.update(99, { name: 'none' }),
    ]);
  });
  await uow.read(async (r) => {
    log('accounts.page', [await r.accounts.page(0, 3), await r.accounts.page(3, 10)]);
  });
  // users
  await uow.write(async (r) => {
    log('users.ofAccount', await r.users.ofAccount(1));
    log('users.byId', [await r.users.byId(2), await r.users.byId(99)]);
    log('users.inAccount', [
      await r.users.inAccount(1, 2),
      await r.users.inAccount(2, 2, { forUpdate: true }),
      await r.users.inAccount(1, 3, { forUpdate: true }),
    ]);
    log('users.rolesOf', [await r.users.rolesOf([2, 1, 5]), await r.users.rolesOf([])]);
    log(
      'users.insert',
      await r.users.insert({
        accountId: 1,
        email: 'New@b.example',
        emailKey: 'new@b.example',
        name: 'New',
        passwordHash: null,
        isSupportEngineer: false,
        createdAt: T0 + 2,
        updatedAt: T0 + 2,
      }),
    );
    log('users.update', [
      await r.users.update(3, { name: 'Bobby', isActive: true, updatedAt: T0 + 3 }),
      await r.users.update(99, { updatedAt: T0 }),
    ]);
    log('users.orgIdsIn', [
      set(await r.users.orgIdsIn(1, [20, 11, 10, 99])),
      await r.users.orgIdsIn(1, []),
    ]);
    log('users.activeAdminIds', [await r.users.activeAdminIds(1), await r.users.activeAdminIds(2)]);
    await r.users.revokeTokens(2, T0 + 4, { sessionsOnly: true });
    await r.users.replaceRoles(2, 1, [
      { role: 'org_admin', organizationId: 10 },
      { role: 'reader', organizationId: null },
    ]);
    await r.users.replaceRoles(3, 1, []);
    log('users.afterWrites', [await r.users.rolesOf([2, 3]), await r.users.activeAdminIds(1)]);
  });
  // feature flags
  await uow.write(async (r) => {
    log('flags.forOrg', [
      flags(await r.featureFlags.forOrg(10)),
      flags(await r.featureFlags.forOrg(10, 'zeta')),
      flags(await r.featureFlags.forOrg(99)),
    ]);
    log('flags.ofAccount', await r.featureFlags.ofAccount(1));
    const acct = { accountId: 1, organizationId: null, feature: 'zeta' };
    const org = { accountId: 1, organizationId: 10, feature: 'zeta' };
    log('flags.get', [
      await r.featureFlags.get(acct),
      await r.featureFlags.get(org, { forUpdate: true }),
      await r.featureFlags.get({ ...org, feature: 'none' }),
    ]);
    log('flags.upsert', [
      await r.featureFlags.upsert(acct, false, T0 + 5),
      await r.featureFlags.upsert({ ...org, feature: 'new' }, true, T0 + 6),
      await r.featureFlags.upsert({ ...acct, feature: 'new' }, true, T0 + 7),
    ]);
    log('flags.clear', [
      await r.featureFlags.clear(org),
      await r.featureFlags.clear(org),
      await r.featureFlags.clear({ ...acct, feature: 'alpha' }),
    ]);
    log('flags.after', flags(await r.featureFlags.forOrg(10)));
  });
  // workflows
  await uow.write(async (r) => {
    log('wf.byId', [
      await r.workflows.byId(1),
      await r.workflows.byId(2, { forUpdate: true }),
      await r.workflows.byId(99),
    ]);
    log('wf.ofOrg', [await r.workflows.ofOrg(10, false), await r.workflows.ofOrg(10, true)]);
    log('wf.names', set(await r.workflows.namesOfOrg(10)));
    const wf = await r.workflows.insert({
      organizationId: 11,
      name: 'Fresh',
      isActive: true,
      createdAt: T0 + 8,
      updatedAt: T0 + 8,
    });
    log('wf.insert', wf);
    log('wf.update', [
      await r.workflows.update(wf.id, { name: 'Fresher', isActive: false }, T0 + 9),
      await r.workflows.update(99, { name: 'x' }, T0),
    ]);
    log('wf.settings', [
      await r.workflows.incidentSettings(10),
      await r.workflows.incidentSettings(99),
    ]);
    log('wf.boundId', [await r.workflows.boundId(10), await r.workflows.boundId(99)]);
    await r.workflows.clearBinding(10, T0 + 10);
    log('wf.afterClear', [
      await r.workflows.boundId(10),
      await r.workflows.incidentSettings(10),
      await r.workflows.boundId(11),
    ]);
    log('wf.inOrg', [
      await r.workflows.workflowInOrg(10, 1),
      await r.workflows.workflowInOrg(11, 1),
    ]);
    log('wf.hosts', [
      set(await r.workflows.hostsOfOrg(10, [3, 2, 1, 99])),
      await r.workflows.hostsOfOrg(10, []),
    ]);
    const incident = await r.workflows.insertIncident({
      organizationId: 10,
      priority: 'P1',
      title: 'Down',
      affectedHostIds: '[1,2]',
      reportedByUserId: 1,
      createdAt: T0 + 11,
    });
    log('wf.incident', incident);
    await r.workflows.insertIncident({
      organizationId: 10,
      priority: 'P3',
      title: 'Later',
      affectedHostIds: '[]',
      reportedByUserId: null,
      createdAt: T0 + 11,
    });
    for (const [workflowId, status, at] of [
      [1, 'running', T0 + 12],
      [3, 'suppressed', T0 + 12],
      [1, 'awaiting_approval', T0 + 13],
    ] as const) {
      log(
        `wf.run.${workflowId}.${status}`,
        await r.workflows.insertRun({
          organizationId: 10,
          workflowId,
          incidentId: incident.id,
          status,
          reason: status === 'suppressed' ? 'kill switch' : null,
          createdAt: at,
        }),
      );
    }
  });
  await uow.read(async (r) => {
    log('wf.runsPage', [
      await r.workflows.runsPage(10, 0, 2),
      await r.workflows.runsPage(10, 2, 2),
      await r.workflows.runsPage(11, 0, 2),
    ]);
    log('wf.incidentsPage', [
      await r.workflows.incidentsPage(10, 0, 1),
      await r.workflows.incidentsPage(10, 1, 5),
    ]);
  });
  // support access
  await uow.write(async (r) => {
    const sa = r.supportAccess;
    log('sa.liveGrants', [
      await sa.liveGrants(1, T0, { kind: 'all' }),
      await sa.liveGrants(2, T0, { kind: 'customer' }),
      await sa.liveGrants(2, T0, { kind: 'customer-or-engineer', engineerUserId: 4 }),
    ]);
    log('sa.engineer', set(await sa.activeGrantsOfEngineer(4, T0)));
    await sa.lockAccountGrants(1);
    await sa.lockAccountGrants(99);
    const g = await sa.insertGrant({
      accountId: 2,
      kind: 'customer',
      grantedByUserId: 4,
      reason: 'help',
      startsAt: T0,
      expiresAt: T0 + 500,
    });
    log('sa.insertGrant', g);
    log('sa.extend', [
      await sa.extendGrant(g.id, T0 + 900),
      await sa.extendGrant(g.id, T0 + 100),
      await sa.extendGrant(5, T0 + 9e6),
    ]);
    log('sa.revoke', [
      await sa.revokeGrant(g.id, T0 + 1, 1, 'done'),
      await sa.revokeGrant(g.id, T0 + 2, 1, 'again'),
    ]);
    log('sa.accountExists', [await sa.accountExists(1), await sa.accountExists(99)]);
    log(
      'sa.emails',
      [...(await sa.emails([4, 1, 4, 99]))].sort((a, b) => a[0] - b[0]),
    );
    log('sa.emailsNone', [...(await sa.emails([]))]);
    log('sa.requestOf', [
      await sa.requestOf(1, 1),
      await sa.requestOf(1, 4, { forUpdate: true }),
      await sa.requestOf(2, 4, { forUpdate: true }),
    ]);
    log('sa.pending', [await sa.pendingRequestOf(2, 4, T0), await sa.pendingRequestOf(1, 1, T0)]);
    log(
      'sa.insertRequest',
      await sa.insertRequest({
        accountId: 3,
        engineerUserId: 4,
        reason: 'new',
        durationHours: 2,
        status: 'pending',
        createdAt: T0,
        expiresAt: T0 + 10,
      }),
    );
    for (const status of ['all', 'pending', 'expired', 'denied', 'approved'] as const) {
      log(`sa.page.${status}`, await sa.requestsPage(1, status, T0, 0, 10));
    }
    log('sa.page.skip', await sa.requestsPage(1, 'all', T0, 2, 2));
    log('sa.ofEngineer', await sa.requestsOfEngineer(4, 3));
    const decision = {
      status: 'approved' as const,
      decidedAt: T0 + 3,
      decidedByUserId: 1,
      decisionReason: null,
      grantId: g.id,
    };
    log('sa.decide', [await sa.decideRequest(1, decision), await sa.decideRequest(1, decision)]);
    log('sa.accountsWithExpiries', await sa.accountsWithExpiries(T0, 1e6));
    log('sa.expire', [await sa.expireStaleRequests(1, T0), await sa.expireStaleRequests(1, T0)]);
    log('sa.claim', [await sa.claimEndedGrants(4, T0, 1e6), await sa.claimEndedGrants(4, T0, 1e6)]);
    log('sa.cancel', [
      await sa.cancelPendingRequests(1, T0 + 4, 1, 'closed'),
      await sa.cancelPendingRequests(1, T0 + 4, 1, 'closed'),
    ]);
  });
  // governance
  await uow.write(async (r) => {
    const gov = r.governance;
    log('gov.org', [await gov.orgGovernance(10), await gov.orgGovernance(99)]);
    log('gov.page', [await gov.recordingsPage(10, 0, 2), await gov.recordingsPage(10, 2, 5)]);
    log('gov.recording', [await gov.recording(4), await gov.recording(99)]);
    log('gov.hostInOrg', [await gov.hostInOrg(10, 1), await gov.hostInOrg(10, 3)]);
    log('gov.userInAccount', [await gov.userInAccount(1, 2), await gov.userInAccount(2, 2)]);
    const rec = await gov.insertRecording({
      organizationId: 11,
      hostId: 3,
      userId: 1,
      kind: 'terminal',
      capture: 'full',
      startedAt: T0 - 20,
      endedAt: null,
      sizeBytes: 42,
    });
    log('gov.insert', rec);
    await gov.deleteRecording(rec.id);
    log('gov.afterDelete', await gov.recording(rec.id));
    log('gov.retention', [await gov.accountRetention(1), await gov.accountRetention(99)]);
    await gov.setAccountRetention(1, 30);
    log('gov.retentionSet', await gov.accountRetention(1));
    log('gov.candidates', [await gov.cleanupCandidates(null), await gov.cleanupCandidates(1)]);
    log('gov.hold', [await gov.legalHoldOf(10), await gov.legalHoldOf(99)]);
    const expired = await gov.expiredRecordings(10, T0 - 1, 2);
    log('gov.expired', [expired, await gov.expiredRecordings(10, T0 - 1, 10)]);
    await gov.deleteRecordings(expired);
    await gov.deleteRecordings([]);
    log('gov.afterBatch', await gov.recordingsPage(10, 0, 10));
  });
  // audit append and audit trail: the same actors, events and clock give the same chain
  const actor = (userId: number, label: string): Actor => ({
    ...systemActor(1),
    via: 'session',
    userId,
    label,
  });
  const events: [Actor, string, string, string | number | null, number | null][] = [
    [actor(1, 'zed@b.example'), 'organization.created', 'organization', 10, 10],
    [actor(2, 'Amy@b.example'), 'host.updated', 'host', 1, 10],
    [actor(2, 'Amy@b.example'), 'host.deleted', 'host', 99, 10],
    [actor(1, 'zed@b.example'), 'user.updated', 'user', 2, null],
    [actor(1, 'zed@b.example'), 'api_token.created', 'api_token', 1, null],
    [actor(1, 'zed@b.example'), 'account.updated', 'account', 1, null],
    [actor(2, 'Amy@b.example'), 'workflow.created', 'workflow', 3, 10],
    [actor(2, 'Amy@b.example'), 'location.updated', 'location', 11, 11],
    [systemActor(1), 'support_access.expired', 'support_grant', 1, null],
    [systemActor(1), 'organization_x', 'organization', 'abc', 20],
    [actor(3, 'bob%_@b.example'), 'organization.updated', 'organization', 20, 20],
  ];
  await uow.write(async (r) => {
    for (const [a, action, targetType, targetId, organizationId] of events.slice(0, 6)) {
      await r.audit.record(a, {
        accountId: 1,
        organizationId,
        action,
        targetType,
        targetId,
        details: { token: 'secret', n: 1 },
      });
    }
  });
  await uow.write(async (r) => {
    for (const [a, action, targetType, targetId, organizationId] of events.slice(6)) {
      await r.audit.record(a, { accountId: 1, organizationId, action, targetType, targetId });
    }
    // The agents' synchronous form appends the same way.
    r.audit.recordSync(systemActor(2), { accountId: 2, action: 'other', targetType: 'x' });
  });
  await uow.read(async (r) => {
    const at = new Date(T0 + 3).toISOString();
    const filters: [string, { accountId: number } | { organizationId: number }, ListAuditInput][] =
      [
        ['account', { accountId: 1 }, {}],
        ['org10', { organizationId: 10 }, {}],
        ['asc', { accountId: 1 }, { order: 'asc', skip: 2, limit: 3 }],
        ['actor', { accountId: 1 }, { actor: 'AMY' }],
        ['actorLiteral', { accountId: 1 }, { actor: '%_' }],
        ['actorUser', { accountId: 1 }, { actor_user_id: 1 }],
        ['prefix', { accountId: 1 }, { action: 'host.' }],
        ['star', { accountId: 1 }, { action: 'organization*' }],
        ['exact', { accountId: 1 }, { action: 'host.updated' }],
        ['target', { accountId: 1 }, { target_type: 'host', target_id: '1' }],
        ['range', { accountId: 1 }, { from: at, to: new Date(T0 + 8).toISOString() }],
        ['other', { accountId: 2 }, {}],
      ];
    for (const [name, scope, input] of filters) {
      log(`trail.${name}`, await r.auditTrail.page(scope, listAuditInput.parse(input)));
    }
    const page = await r.auditTrail.page({ accountId: 1 }, listAuditInput.parse({}));
    log('trail.names.account', await r.auditTrail.nameTargets({ accountId: 1 }, page.items));
    log(
      'trail.names.org',
      await r.auditTrail.nameTargets({ accountId: 1, organizationId: 10 }, page.items),
    );
    log('trail.names.none', await r.auditTrail.nameTargets({ accountId: 1 }, []));
  });
  // gdpr
  await uow.write(async (r) => {
    log('gdpr.userOfAccount', [
      await r.gdpr.userOfAccount(1, 2, { forUpdate: true }),
      await r.gdpr.userOfAccount(2, 2),
    ]);
    log('gdpr.isAccountAdmin', [await r.gdpr.isAccountAdmin(1), await r.gdpr.isAccountAdmin(2)]);
    const revoked = await r.gdpr.revokeTokens(2, T0 + 20);
    log('gdpr.revokeTokens', set(revoked.map((t) => t.kind)));
    log('gdpr.removeRoles', [await r.gdpr.removeRoles(2), await r.gdpr.removeRoles(2)]);
    log(
      'gdpr.anonymise',
      await r.gdpr.anonymise(
        2,
        { email: 'erased-2@invalid', emailKey: 'erased-2@invalid', name: 'Erased' },
        T0 + 21,
      ),
    );
    // An entry of the same transaction is relabelled too (on PG it is still in the buffer).
    await r.audit.record(actor(2, 'Amy@b.example'), {
      accountId: 1,
      action: 'user.signed_out',
      targetType: 'user',
      targetId: 2,
    });
    log('gdpr.relabel', await r.audit.relabelActor(2, 'erased'));
  });
  await uow.read(async (r) => {
    log(
      'gdpr.trailAfter',
      await r.auditTrail.page({ accountId: 1 }, listAuditInput.parse({ actor_user_id: 2 })),
    );
  });
  return out;
}

describe.skipIf(!pgAvailable)('group B repositories: SQLite and PostgreSQL agree', () => {
  let env: PgTestEnv;
  let db: TestDatabase;
  let pool: pg.Pool;
  let dir: string;
  let opened: OpenedDatabase;
  const chain = AuditChain.fromKey(randomBytes(32));

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
  });
  afterAll(async () => {
    if (env?.available) await env.release();
  });
  beforeEach(async () => {
    db = await createTestDatabase(env.available ? env.url : '');
    pool = createPgPool(db.url, { max: 8 });
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-repos-b-'));
    opened = openDatabase({ file: join(dir, 'orgdesk.db') });
    const pgDb = drizzle(pool);
    for (const [table, rows] of SEED) {
      opened.db
        .insert(sqliteSchema[table] as typeof sqliteSchema.accounts)
        .values(rows as never)
        .run();
      await pgDb.insert(pgSchema[table] as typeof pgSchema.accounts).values(rows as never);
      // Explicit ids do not move an identity: the next generated id must follow the seed's.
      await pool.query(
        `SELECT setval(pg_get_serial_sequence($1, 'id'), (SELECT max(id) FROM ${
          (pgSchema[table] as unknown as { [k: symbol]: string })[Symbol.for('drizzle:Name')]
        }))`,
        [(pgSchema[table] as unknown as { [k: symbol]: string })[Symbol.for('drizzle:Name')]],
      );
    }
  });
  afterEach(async () => {
    opened.close();
    rmSync(dir, { recursive: true, force: true });
    await pool.end();
    // pool.end() resolves before the server has closed every backend; DROP … WITH (FORCE) would
    // then terminate the stragglers and their clients throw (57P01) after the test.
    const c = createPgClient(env.available ? env.url : '');
    await c.connect();
    for (let i = 0; i < 200; i++) {
      const { rows } = await c.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
        [db.name],
      );
      if (rows[0]!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await c.end();
    await db.drop();
  });

  const clockFrom = (t: number) => ({ now: () => t++ });
  const sqliteUow = () =>
    new SqliteUnitOfWork<B>(
      opened.sqlite,
      createSqliteRepos(opened.db, new AuditLog(opened.db, clockFrom(T0), chain)),
    );
  const pgUow = (maxAttempts = 5) => {
    const clock = clockFrom(T0);
    return new PgUnitOfWork<B>(pool, (tx) => createPgReposB(tx, { chain, clock }), {
      maxAttempts,
    });
  };

  it('every method answers the same on both engines', async () => {
    const onSqlite = await script(sqliteUow());
    const onPg = await script(pgUow());
    for (const name of Object.keys(onSqlite)) {
      expect({ [name]: onPg[name] }).toEqual({ [name]: onSqlite[name] });
    }
    expect(Object.keys(onPg)).toEqual(Object.keys(onSqlite));
    // The script reached real rows, not a run of undefineds that agree.
    expect((onPg['trail.account'] as { total: number }).total).toBe(11);
    expect((onPg['accounts.page'] as { rows: unknown[] }[])[0]!.rows).toHaveLength(3);
    expect(onPg['gdpr.relabel']).toBe(5);
    expect((onPg['sa.decide'] as unknown[])[0]).toMatchObject({ status: 'approved' });
  });

  it('two transactions clearing one flag at once: one gets the row, the other undefined', async () => {
    const uow = pgUow();
    const scope = { accountId: 1, organizationId: 10, feature: 'zeta' };
    // Both read first, then delete: without a conditional write both would report the row.
    const gate = barrier();
    let ready = 0;
    const clear = () =>
      uow.write(async (r) => {
        await r.featureFlags.get(scope);
        if (++ready === 2) gate.resolve();
        await gate.promise;
        return r.featureFlags.clear(scope);
      });
    const results = await Promise.all([clear(), clear()]);
    expect(results.filter((x) => x !== undefined)).toHaveLength(1);
    expect(results.filter((x) => x === undefined)).toHaveLength(1);
  });

  it('two transactions deciding one request at once: one decides it, the other gets undefined', async () => {
    const uow = pgUow();
    const gate = barrier();
    let ready = 0;
    const decide = (userId: number) =>
      uow.write(async (r) => {
        const before = await r.supportAccess.requestOf(1, 1);
        if (++ready === 2) gate.resolve();
        await gate.promise;
        if (before?.status !== 'pending') return undefined;
        return r.supportAccess.decideRequest(1, {
          status: 'approved',
          decidedAt: T0,
          decidedByUserId: userId,
          decisionReason: null,
          grantId: null,
        });
      });
    const results = await Promise.all([decide(1), decide(3)]);
    expect(results.filter((x) => x !== undefined)).toHaveLength(1);
  });

  it('two transactions claiming the ended grants at once: each grant is claimed once', async () => {
    const uow = pgUow();
    const gate = barrier();
    let ready = 0;
    const claim = () =>
      uow.write(async (r) => {
        await r.supportAccess.liveGrants(4, T0, { kind: 'all' });
        if (++ready === 2) gate.resolve();
        await gate.promise;
        return r.supportAccess.claimEndedGrants(4, T0, 1e6);
      });
    const [a, b] = await Promise.all([claim(), claim()]);
    expect([...a, ...b].map((g) => g.id)).toEqual([4]);
  });

  it('lockAccountGrants holds the account row: a second locker waits for the first COMMIT', async () => {
    const uow = pgUow();
    const order: string[] = [];
    let first!: () => void;
    const held = new Promise<void>((r) => (first = r));
    const a = uow.write(async (r) => {
      await r.supportAccess.lockAccountGrants(1);
      order.push('a locked');
      first();
      // Hold the lock across a round trip of another transaction's attempt.
      await new Promise((resolve) => setTimeout(resolve, 200));
      order.push('a commits');
    });
    await held;
    const b = uow.write(async (r) => {
      await r.supportAccess.lockAccountGrants(1);
      order.push('b locked');
    });
    await Promise.all([a, b]);
    expect(order).toEqual(['a locked', 'a commits', 'b locked']);
  });

  it('legalHoldOf holds the org row FOR SHARE: a hold set meanwhile waits for the batch to commit', async () => {
    const uow = pgUow();
    const order: string[] = [];
    let first!: () => void;
    const held = new Promise<void>((r) => (first = r));
    const batch = uow.write(async (r) => {
      const hold = await r.governance.legalHoldOf(10);
      order.push(`batch read hold ${hold}`);
      first();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await r.governance.deleteRecordings(await r.governance.expiredRecordings(10, T0, 10));
      order.push('batch deletes and commits');
    });
    await held;
    const hold = pool
      .query('UPDATE organizations SET legal_hold = true WHERE id = 10')
      .then(() => order.push('hold committed'));
    await Promise.all([batch, hold]);
    expect(order).toEqual(['batch read hold false', 'batch deletes and commits', 'hold committed']);
  });

  it('two transactions upserting one new flag at once: both succeed, one row remains', async () => {
    const uow = pgUow();
    const scope = { accountId: 1, organizationId: 11, feature: 'raced' };
    const gate = barrier();
    let ready = 0;
    const upsert = (enabled: boolean, now: number) =>
      uow.write(async (r) => {
        await r.featureFlags.get(scope);
        if (++ready === 2) gate.resolve();
        await gate.promise;
        return r.featureFlags.upsert(scope, enabled, now);
      });
    const [a, b] = await Promise.all([upsert(true, T0 + 1), upsert(false, T0 + 2)]);
    expect(a.id).toBe(b.id);
    const { rows } = await pool.query(
      "SELECT enabled FROM feature_flags WHERE organization_id = 11 AND feature = 'raced'",
    );
    expect(rows).toHaveLength(1);
  });
});
