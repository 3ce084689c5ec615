import { AccessService } from './core/access';
import { AuditChain } from './core/audit';
import type { Clock } from './core/clock';
import { SecretBox } from './core/crypto';
import { ExportSigner } from './core/export-key';
import type { KeyStore } from './core/key-store';
import { defaultLeaseHolder, JobLease } from './core/lease';
import { AccountsService } from './features/accounts/accounts.service';
import { AgentsService } from './features/agents/agents.service';
import {
  RegistrationLimiter,
  type RegistrationLimits,
} from './features/agents/registration-limiter';
import { AuthService, type PasswordVerifier } from './features/auth/auth.service';
import { DatabaseThrottleStore, SignInThrottle } from './features/auth/throttle';
import { MfaService } from './features/mfa/mfa.service';
import { SecondFactors } from './features/mfa/second-factor';
import { PasskeysService } from './features/passkeys/passkeys.service';
import { ExportKeyService } from './features/export-key/export-key.service';
import { AutomationService } from './features/automation/automation.service';
import { FeatureFlagsService } from './features/feature-flags/feature-flags.service';
import { FleetSnapshots } from './features/fleet/fleet-snapshots';
import { FleetService } from './features/fleet/fleet.service';
import { GdprService } from './features/gdpr/gdpr.service';
import { GovernanceService } from './features/governance/governance.service';
import { HostStatusCounts } from './features/hosts/host-status-counts';
import { HostsService } from './features/hosts/hosts.service';
import { IntegrationsService } from './features/integrations/integrations.service';
import { OutboxDrainer } from './features/integrations/outbox-drainer';
import { EmailDrainer, smtpSender } from './features/notifications/email-drainer';
import { NotificationsService } from './features/notifications/notifications.service';
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
import { OpenIdClientProvider, type OidcProvider } from './features/sso/oidc-client';
import { SsoService } from './features/sso/sso.service';
import { SupportAccessService } from './features/support-access/support-access.service';
import { UsersService } from './features/users/users.service';
import { IncidentsService } from './features/workflows/incidents.service';
import { WorkflowsService } from './features/workflows/workflows.service';
import type { Storage, StorageFactory } from './storage';

export interface ServiceDeps<S extends Storage = Storage> {
  /**
   * The storage engine (main/storage.ts), built here with the services' clock, audit chain and
   * e-mail setting: `sqliteStorage(db, …)` (main/db/sqlite/storage.ts). Services reach it only
   * through its unit of work.
   */
  storage: StorageFactory<S>;
  clock: Clock;
  keys: KeyStore;
  onboarding?: OnboardingSeeder;
  /**
   * How this installation names itself when it signs an export (EXP-1, AUD-2), e.g. "Orgdesk
   * server https://orgdesk.example.com". Informative only: a signature is trusted by its key.
   */
  installationLabel?: string;
  /** AGT-1 registration rate limits instead of the defaults (tests use small ones). */
  agentLimits?: RegistrationLimits;
  /** The sign-in password check (scrypt unless given: tests count its calls). */
  passwordVerifier?: PasswordVerifier;
  /** The server's log for events that belong in no account's trail (IDN-5); none unless given. */
  log?: (line: string) => void;
  /** IDN-4: how the server talks to OpenID providers (openid-client unless given). */
  oidcProvider?: OidcProvider;
  /**
   * INT-2: webhooks may use http:// and reach loopback, private and link-local addresses
   * (ORGDESK_WEBHOOK_ALLOW_PRIVATE=1 unless given; tests and labs only).
   */
  webhookAllowPrivate?: boolean;
  /** INT-3: where notification emails go (ORGDESK_SMTP_URL unless given; empty: no email). */
  smtpUrl?: string;
  /** INT-3: the emails' From (ORGDESK_SMTP_FROM unless given). */
  smtpFrom?: string;
  /** SCALE-2: this process's name on the scheduled jobs' leases (hostname:pid:random unless given). */
  leaseHolder?: string;
}

export const DEFAULT_INSTALLATION_LABEL = 'Orgdesk';

/**
 * The composition root's one wiring of the domain services; transports only call into these.
 * Routers see the domain services alone (`DomainServices`, the tRPC context's type); the
 * infrastructure beside them (the storage, the key box, the matchers…) is for the
 * composition roots, the agents' endpoints and the tests.
 */
export function createServices<S extends Storage>(deps: ServiceDeps<S>) {
  const { clock } = deps;
  const box = new SecretBox(deps.keys);
  const chain = new AuditChain(deps.keys);
  const signer = new ExportSigner(deps.keys, deps.installationLabel ?? DEFAULT_INSTALLATION_LABEL);
  // INT-3: with SMTP configured, each notification is queued for email in its own transaction.
  const smtpUrl = deps.smtpUrl ?? process.env.ORGDESK_SMTP_URL ?? '';
  const storage = deps.storage({ clock, chain, email: smtpUrl !== '' });
  const { uow, offload } = storage;
  // Loads through the unit of work; the agents' batch jobs check it at their revision.
  const matchers = new LocationMatcherCache(uow);
  const checks = new AccessService(clock);
  const hosts = new HostsService({ uow, clock, access: checks, matchers, offload });
  const secrets = new SecretsService({ uow, clock, box, access: checks });
  // IDN-1: one checker of second-factor codes and one count of wrong codes per user, shared by
  // sign-in's second step and the caller's own MFA use cases.
  const factors = new SecondFactors({ box, clock });
  // SCALE-2: in the database (sign_in_throttle), so every process on it shares the counts; the
  // code keys (`mfa:user:<id>`) never meet the sign-in ones (`email:`, `addr:`).
  const mfaThrottle = new SignInThrottle({}, new DatabaseThrottleStore(uow));
  const passkeys = new PasskeysService({ uow, clock, box });
  const auth = new AuthService({
    uow,
    clock,
    box,
    verifyPassword: deps.passwordVerifier,
    factors,
    mfaThrottle,
    passkeys,
    log: deps.log,
  });
  const supportAccess = new SupportAccessService({ uow, clock, access: checks });
  const allowPrivate =
    deps.webhookAllowPrivate ?? process.env.ORGDESK_WEBHOOK_ALLOW_PRIVATE === '1';
  // INT-1/INT-2: the outbox's one drain; the server composition runs it on a timer.
  const drainer = new OutboxDrainer({ uow, clock, box, allowPrivate });
  const domain = {
    accounts: new AccountsService({
      uow,
      clock,
      access: checks,
      issueToken: (r, userId, kind, name) => auth.issueTokenIn(r, userId, kind, name),
    }),
    auth,
    sso: new SsoService({
      uow,
      clock,
      box,
      access: checks,
      auth,
      provider: deps.oidcProvider ?? new OpenIdClientProvider(),
    }),
    mfa: new MfaService({ uow, clock, box, access: checks, factors, throttle: mfaThrottle }),
    passkeys,
    users: new UsersService({ uow, clock, access: checks }),
    organizations: new OrganizationsService({
      uow,
      clock,
      box,
      offload,
      access: checks,
      onboarding: deps.onboarding ?? defaultOnboardingSeeder,
      onOrgChanged: (id) => matchers.invalidate(id),
    }),
    secrets,
    agents: new AgentsService({
      uow,
      clock,
      secrets,
      matchers,
      limiter: new RegistrationLimiter(deps.agentLimits),
      beats: storage.signedHeartbeats,
    }),
    locations: new LocationsService({ uow, clock, access: checks, matchers, hosts }),
    hosts,
    supportAccess,
    auditTrail: new AuditService({
      uow,
      clock,
      access: checks,
      offload,
      signer,
    }),
    exportKey: new ExportKeyService(signer),
    automation: new AutomationService({ uow, access: checks }),
    workflows: new WorkflowsService({ uow, clock, access: checks }),
    incidents: new IncidentsService({ uow, clock, access: checks }),
    featureFlags: new FeatureFlagsService({ uow, clock, access: checks }),
    onboarding: new OnboardingDefaultsService({ uow, clock, access: checks }),
    governance: new GovernanceService({ uow, clock, access: checks }),
    gdpr: new GdprService({ uow, clock, access: checks, offload }),
    fleet: new FleetService({ uow, clock, access: checks, supportAccess }),
    integrations: new IntegrationsService({
      uow,
      clock,
      access: checks,
      box,
      drainer,
      allowPrivate,
    }),
    notifications: new NotificationsService({ uow, clock }),
  };
  const leaseHolder = deps.leaseHolder ?? defaultLeaseHolder();
  const infra = {
    /** The storage engine the services run on: close() it before the database. */
    storage,
    clock,
    box,
    chain,
    /** The installation's export key: signs .orgdesk-export manifests and audit exports. */
    signer,
    matchers,
    /** The worker threads of the heavy reads (the storage's; its close() stops them). */
    offload,
    /** ORG-2: re-counts the host statuses that time alone changed (a job runs it). */
    hostCounts: new HostStatusCounts(uow),
    /**
     * The unit of work over the database (main/core/uow.ts): converted services get it; its
     * agentBatch shares one COMMIT among agent writes arriving together.
     */
    uow,
    /**
     * SCALE-2: the named lease a scheduled job runs under, so it runs in one process at a time
     * across replicas (core/lease.ts); this process's holder name on every lease it takes.
     */
    lease: (name: string, ttlMs: number) =>
      new JobLease({ uow, clock, name, holder: leaseHolder, ttlMs }),
    /** UI-12: the hourly health snapshots; the composition roots schedule them. */
    fleetSnapshots: new FleetSnapshots({ uow, clock }),
    /** INT-1/INT-2: drains the outbox (one pass per call; the server runs it on a timer). */
    outbox: drainer,
    /** INT-3: sends the queued notification emails; null without ORGDESK_SMTP_URL. */
    email:
      smtpUrl === ''
        ? null
        : new EmailDrainer({
            uow,
            clock,
            send: smtpSender(
              smtpUrl,
              deps.smtpFrom ?? process.env.ORGDESK_SMTP_FROM ?? 'Orgdesk <orgdesk@localhost>',
            ),
          }),
  };
  return { ...domain, infra };
}

export type Services<S extends Storage = Storage> = ReturnType<typeof createServices<S>>;
/** What routers may reach: the domain services, never the database or other infrastructure. */
export type DomainServices = Omit<Services, 'infra'>;
