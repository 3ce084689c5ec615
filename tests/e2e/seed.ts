// The e2e world, made through our own services on a fresh data dir before the server starts:
// an account with an admin (password sign-in), users holding roles, organizations with locations,
// and hosts in every health state. Nothing here talks to the server.
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { ManualClock } from '../../main/core/clock';
import { FileKeyStore } from '../../main/core/key-store';
import { openDatabase, type OpenedDatabase } from '../../main/db/database';
import { createServices, type Services } from '../../main/services';
import { sqliteStorage } from '../../main/db/sqlite/storage';
import type { Actor } from '../../main/core/actor';

export const PASSWORD = 'e2e-password-Long-enough';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

export interface SeededOrg {
  id: number;
  name: string;
}

export interface Seed {
  /** The first account's admin, also the platform operator (as the first start makes one). */
  admin: { email: string; password: string };
  /** A personal API token of the admin, as the bootstrap token would be. */
  adminToken: string;
  reader: { email: string; password: string };
  technician: { email: string; password: string };
  orgs: {
    acme: SeededOrg;
    globex: SeededOrg;
    initech: SeededOrg;
    umbrella: SeededOrg;
  };
  /** Filler orgs so the table has more than one page. */
  fillerCount: number;
  locations: { acmeHq: string; acmeBranch: string; globexOffice: string };
}

export interface SeedOptions {
  /** Extra organizations named "Tenant NN" (default 30). */
  filler?: number;
}

/** A Go agent's Ed25519 public key in the registration format (raw 32 bytes, base64). */
function agentPublicKey(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url').toString('base64');
}

/**
 * Hosts enrolled the way agents enrol (AGT-1, with the org secret), each at a past moment of the
 * seed's clock so that its last-seen time gives the wanted health (AGT-3).
 */
async function registerHosts(
  services: Services,
  clock: ManualClock,
  secret: string,
  list: { hostname: string; ip: string; lastSeenAgo: number; agent: 'go' | 'legacy' }[],
): Promise<void> {
  const now = clock.now();
  for (const h of list) {
    clock.set(now - h.lastSeenAgo);
    await services.agents.register(secret, {
      hostname: h.hostname,
      ip: h.ip,
      agent_type: h.agent,
      ...(h.agent === 'go' ? { public_key: agentPublicKey() } : {}),
    });
  }
  clock.set(now);
}

const HOUR = 60 * MINUTE;

/**
 * UI-12: a day of hourly health snapshots. This hour's is taken by the real job; the 23 before
 * it are derived from it with a working day's shape (more hosts offline overnight), as the job
 * would have recorded them had the server been running.
 */
async function seedHealthHistory(
  services: Services,
  sqlite: OpenedDatabase['sqlite'],
): Promise<void> {
  await services.infra.fleetSnapshots.take();
  const hour = sqlite.prepare('SELECT max(hour) FROM org_health_snapshots').pluck().get() as number;
  const shift = sqlite.prepare(
    `INSERT INTO org_health_snapshots
       (organization_id, account_id, hour, is_active, online, offline, stale, total)
     SELECT organization_id, account_id, @at, is_active,
       online - min(online, @n), offline + min(online, @n), stale, total
     FROM org_health_snapshots WHERE hour = @hour`,
  );
  const sum = sqlite.prepare(
    `INSERT INTO account_health_snapshots
       (account_id, hour, organizations, online, offline, stale, total)
     SELECT account_id, @at, count(*), sum(online), sum(offline), sum(stale), sum(total)
     FROM org_health_snapshots WHERE hour = @at AND is_active = 1 GROUP BY account_id`,
  );
  for (let h = 1; h < 24; h++) {
    const at = hour - h * HOUR;
    // Overnight (12 to 20 hours ago) a host or two per org is switched off.
    const n = h >= 12 && h <= 20 ? (h % 3 === 0 ? 2 : 1) : 0;
    shift.run({ at, n, hour });
    sum.run({ at });
  }
}

export async function seedDataDir(dir: string, opts: SeedOptions = {}): Promise<Seed> {
  // A world seeded (its clock fixed here) just before the top of the hour would read its chart
  // after it, when this hour's snapshot is not yet taken (the job takes it within 10 minutes):
  // one point short. Seeding after the hour turns keeps every test's day whole (at most a
  // minute's wait, once an hour).
  const toNextHour = HOUR - (Date.now() % HOUR);
  if (toNextHour < MINUTE) await new Promise((resolve) => setTimeout(resolve, toNextHour + 1000));
  const opened = openDatabase({ file: join(dir, 'orgdesk.db') });
  const clock = new ManualClock(Date.now());
  const services = createServices({
    storage: sqliteStorage(opened.db),
    clock,
    keys: new FileKeyStore(join(dir, 'master.key')),
  });
  try {
    const adminEmail = 'admin@northwind.test';
    const provisioned = await services.accounts.provision({
      accountName: 'Northwind MSP',
      adminEmail,
      adminName: 'Ada Admin',
      adminPassword: PASSWORD,
      // As the first start makes the bootstrap admin (PLAT-1).
      platformOperator: true,
    });
    const admin: Actor = (await services.auth.actorForUser(provisioned.adminUserId))!;
    const adminToken = await services.auth.issueToken(
      provisioned.adminUserId,
      'personal',
      'e2e bootstrap',
    );

    const org = async (name: string, region: string | null, description: string | null) => {
      const created = await services.organizations.create(admin, { name, region, description });
      return { id: created.id, name: created.name, secret: created.secret };
    };
    const acme = await org('Acme Corp', 'eu-west', 'Manufacturing, two sites');
    const globex = await org('Globex', 'us-east', 'Logistics');
    const initech = await org('Initech', 'us-east', null);
    const umbrella = await org('Umbrella Health', 'eu-central', 'Clinics');

    await services.locations.create(admin, {
      organization_id: acme.id,
      name: 'Headquarters',
      subnets: ['10.1.0.0/16', '2001:db8:1::/48'],
      timezone: 'Europe/Berlin',
    });
    await services.locations.create(admin, {
      organization_id: acme.id,
      name: 'Branch Lyon',
      subnets: ['10.2.0.0/16'],
      timezone: 'Europe/Paris',
    });
    await services.locations.create(admin, {
      organization_id: globex.id,
      name: 'Globex Office',
      subnets: ['172.16.0.0/12'],
      timezone: 'America/New_York',
    });

    await registerHosts(services, clock, acme.secret, [
      { hostname: 'acme-dc01', ip: '10.1.0.10', lastSeenAgo: MINUTE, agent: 'go' },
      { hostname: 'acme-fs01', ip: '10.1.0.11', lastSeenAgo: 2 * MINUTE, agent: 'go' },
      { hostname: 'acme-ws-lyon', ip: '10.2.3.4', lastSeenAgo: 3 * MINUTE, agent: 'legacy' },
      { hostname: 'acme-laptop7', ip: '192.168.1.7', lastSeenAgo: 2 * DAY, agent: 'go' },
      { hostname: 'acme-old-kiosk', ip: '10.1.9.9', lastSeenAgo: 45 * DAY, agent: 'legacy' },
    ]);
    await registerHosts(services, clock, initech.secret, [
      { hostname: 'initech-app1', ip: '10.9.0.1', lastSeenAgo: MINUTE, agent: 'go' },
      { hostname: 'initech-app2', ip: '10.9.0.2', lastSeenAgo: 10 * MINUTE, agent: 'go' },
    ]);

    // AUT-4: one active definition Acme may bind, one inactive that must not be offered.
    await services.workflows.create(admin, {
      organization_id: acme.id,
      name: 'Major incident bridge',
      is_active: true,
    });
    await services.workflows.create(admin, {
      organization_id: acme.id,
      name: 'Retired escalation',
      is_active: false,
    });

    const filler = opts.filler ?? 30;
    for (let i = 1; i <= filler; i++) {
      await org(`Tenant ${String(i).padStart(2, '0')}`, i % 2 === 0 ? 'us-west' : 'ap-south', null);
    }
    await services.organizations.delete(admin, umbrella.id);

    const reader = await services.users.create(admin, {
      email: 'reader@northwind.test',
      name: 'Rita Reader',
      password: PASSWORD,
    });
    await services.users.setRoles(admin, {
      id: reader.id,
      roles: [
        { role: 'reader', organization_id: acme.id },
        { role: 'reader', organization_id: globex.id },
      ],
    });
    const technician = await services.users.create(admin, {
      email: 'tech@northwind.test',
      name: 'Theo Technician',
      password: PASSWORD,
    });
    await services.users.setRoles(admin, {
      id: technician.id,
      roles: [{ role: 'technician', organization_id: acme.id }],
    });

    await seedHealthHistory(services, opened.sqlite);

    return {
      admin: { email: adminEmail, password: PASSWORD },
      adminToken,
      reader: { email: reader.email, password: PASSWORD },
      technician: { email: technician.email, password: PASSWORD },
      orgs: {
        acme: { id: acme.id, name: acme.name },
        globex: { id: globex.id, name: globex.name },
        initech: { id: initech.id, name: initech.name },
        umbrella: { id: umbrella.id, name: umbrella.name },
      },
      fillerCount: filler,
      locations: {
        acmeHq: 'Headquarters',
        acmeBranch: 'Branch Lyon',
        globexOffice: 'Globex Office',
      },
    };
  } finally {
    opened.close();
  }
}
