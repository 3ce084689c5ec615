import { AccessService } from './core/access';
import { AuditChain, AuditLog } from './core/audit';
import type { Clock } from './core/clock';
import { SecretBox } from './core/crypto';
import { GroupCommit } from './core/group-commit';
import type { KeyStore } from './core/key-store';
import type { Db } from './db/database';
import { AccountsService } from './features/accounts/accounts.service';
import { AgentsService } from './features/agents/agents.service';
import { AuthService } from './features/auth/auth.service';
import { AutomationService } from './features/automation/automation.service';
import { FeatureFlagsService } from './features/feature-flags/feature-flags.service';
import { FleetSnapshots } from './features/fleet/fleet-snapshots';
import { FleetService } from './features/fleet/fleet.service';
import { GdprService } from './features/gdpr/gdpr.service';
import { GovernanceService } from './features/governance/governance.service';
import { HostsService } from './features/hosts/hosts.service';
import { LocationMatcherCache } from './features/locations/location-matcher';
import { LocationsService } from './features/locations/locations.service';
import {
  defaultOnboardingSeeder,
  type OnboardingSeeder,
} from './features/onboarding/onboarding.service';
import { OnboardingDefaultsService } from './features/onboarding/onboarding-defaults.service';
import { OrganizationsService } from './features/organizations/organizations.service';
import { SecretsService } from './features/organizations/secrets.service';
import { AuditService } from './features/audit/audit.service';
import { SupportAccessService } from './features/support-access/support-access.service';
import { UsersService } from './features/users/users.service';
import { IncidentsService } from './features/workflows/incidents.service';
import { WorkflowsService } from './features/workflows/workflows.service';

export interface ServiceDeps {
  db: Db;
  clock: Clock;
  keys: KeyStore;
  onboarding?: OnboardingSeeder;
}

/**
 * The composition root's one wiring of the domain services; transports only call into these.
 * Routers see the domain services alone (`DomainServices`, the tRPC context's type); the
 * infrastructure beside them (the database, the key box, the group commit…) is for the
 * composition roots, the agents' endpoints and the tests.
 */
export function createServices(deps: ServiceDeps) {
  const { db, clock } = deps;
  const box = new SecretBox(deps.keys);
  const chain = new AuditChain(deps.keys);
  const access = new AccessService(db, clock);
  const audit = new AuditLog(db, clock, chain);
  const matchers = new LocationMatcherCache(db);
  const hosts = new HostsService({ db, clock, access, audit, matchers });
  const secrets = new SecretsService({ db, clock, box, access, audit });
  const supportAccess = new SupportAccessService({ db, clock, access, audit });
  const domain = {
    accounts: new AccountsService(db, clock),
    auth: new AuthService({ db, clock, box, access, audit }),
    users: new UsersService({ db, clock, access, audit }),
    organizations: new OrganizationsService({
      db,
      clock,
      box,
      access,
      audit,
      onboarding: deps.onboarding ?? defaultOnboardingSeeder,
      onOrgChanged: (id) => matchers.invalidate(id),
    }),
    secrets,
    agents: new AgentsService({ db, clock, audit, secrets, matchers }),
    locations: new LocationsService({ db, clock, access, audit, matchers, hosts }),
    hosts,
    supportAccess,
    auditTrail: new AuditService({ db, clock, access, chain }),
    automation: new AutomationService({ db, access }),
    workflows: new WorkflowsService({ db, clock, access, audit }),
    incidents: new IncidentsService({ db, clock, access, audit }),
    featureFlags: new FeatureFlagsService({ db, clock, access, audit }),
    onboarding: new OnboardingDefaultsService({ db, clock, access, audit }),
    governance: new GovernanceService({ db, clock, access, audit }),
    gdpr: new GdprService({ db, clock, access, audit }),
    fleet: new FleetService({ db, clock, access, supportAccess }),
  };
  const infra = {
    db,
    clock,
    box,
    chain,
    access,
    audit,
    matchers,
    /** Shares one COMMIT among agent writes arriving together (see group-commit.ts). */
    groupCommit: new GroupCommit(db),
    /** UI-12: the hourly health snapshots; the composition roots schedule them. */
    fleetSnapshots: new FleetSnapshots({ db, clock }),
  };
  return { ...domain, infra };
}

export type Services = ReturnType<typeof createServices>;
/** What routers may reach: the domain services, never the database or other infrastructure. */
export type DomainServices = Omit<Services, 'infra'>;
