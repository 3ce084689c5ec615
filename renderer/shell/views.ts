// The view registry: every main view of the console, in sidebar order. A feature adds its view
// here (one line) and lives in renderer/features/<feature>/. Org views are remounted whenever
// the current org changes, so no state of one tenant survives into another. Its id is its URL
// (`/<id>` or `/org/<org>/<id>`, UI-10), and its code is a chunk of its own, loaded when the
// view is first shown or preloaded (lazyView below), so the console starts with the shell only.
import type { QueryClient } from '@tanstack/react-query';
import { createElement, use, type ComponentType } from 'react';
import type { Search } from '../../shared/console-places';
import type { BootRequest } from './early-boot';
import { bootListInput } from '../features/organizations/organizations-query';
import { openingHostsInput } from '../features/hosts/hosts-query';
import type { OrgDetail, useTRPC } from '../lib/trpc';
import type { ShellContextValue } from './shell-context';

/** A view's component, fetched on first use; `preload` fetches it ahead (idempotent). */
export type LazyView<P> = ComponentType<P> & { preload(): Promise<unknown> };

type Tracked<T> = Promise<T> & { status?: 'fulfilled' | 'rejected'; value?: T; reason?: unknown };

/**
 * A view whose code is its own chunk. Not React.lazy: a lazy component suspends on its first
 * render even when its chunk has long arrived, and React then holds the revealed view back for
 * its fallback throttle (300 ms), which the console's first view paid on every load. Here the
 * promise records its outcome, and `use` reads a fulfilled one synchronously: a preloaded view
 * renders at once, and only a view still on its way suspends.
 */
export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): LazyView<P> {
  let loading: Tracked<ComponentType<P>> | null = null;
  const preload = (): Tracked<ComponentType<P>> => {
    if (!loading) {
      const p: Tracked<ComponentType<P>> = load();
      p.then(
        (value) => Object.assign(p, { status: 'fulfilled', value }),
        (reason: unknown) => {
          Object.assign(p, { status: 'rejected', reason });
          // A chunk that failed to arrive (a new build, the network) is asked for again next time.
          loading = null;
        },
      );
      loading = p;
    }
    return loading;
  };
  function View(props: P) {
    return createElement(use<ComponentType<P>>(preload() as Promise<ComponentType<P>>), props);
  }
  return Object.assign(View, { preload });
}

export type ViewComponent<P> = ComponentType<P> & { preload?: () => Promise<unknown> };

/** What a view's `opening` is given to ask for an org's first data with. */
export interface OpeningContext {
  orgId: number;
  queryClient: QueryClient;
  trpc: ReturnType<typeof useTRPC>;
}

/** Props of an org-scoped view: the current org, loaded (with the caller's permissions on it). */
export interface OrgViewProps {
  org: OrgDetail;
}

interface BaseView {
  id: string;
  label: string;
  /** Hide the view entirely (not just disable it) for callers it can never serve. */
  visible?(ctx: ShellContextValue): boolean;
  /**
   * When the console starts on this view: the first data it will ask for, asked at boot beside
   * the caller's own first call instead of after it (one round trip less before it shows).
   */
  prefetch?(search: Search): BootRequest[];
}

export interface OrgViewDef extends BaseView {
  scope: 'org';
  /** Best a lazyView; a plain component works too (it is then part of the shell's chunk). */
  component: ViewComponent<OrgViewProps>;
  /**
   * The queries the view opens an org with, asked by the org switcher while that org is
   * highlighted (UI-1): Enter then finds them answered or on their way, where the view would
   * ask only once the shell had rendered it for the new org. Same inputs as the view's own.
   */
  opening?(q: OpeningContext): void;
}

/** Account-wide views, shown under "All organizations" (or, `group: 'platform'`, "Platform"). */
export interface AllViewDef extends BaseView {
  scope: 'all';
  component: ViewComponent<object>;
  /** The server's own views, for platform operators (PLAT-1): beside the account's, not in it. */
  group?: 'platform';
}

export type ViewDef = OrgViewDef | AllViewDef;

export const VIEWS: readonly ViewDef[] = [
  {
    id: 'overview',
    label: 'Overview',
    scope: 'org',
    component: lazyView(() =>
      import('../features/organizations/org-overview-view').then((m) => m.OrgOverviewView),
    ),
  },
  {
    id: 'locations',
    label: 'Locations',
    scope: 'org',
    opening: ({ orgId, queryClient, trpc }) =>
      void queryClient.prefetchQuery(trpc.locations.list.queryOptions({ organization_id: orgId })),
    component: lazyView(() =>
      import('../features/locations/locations-view').then((m) => m.LocationsView),
    ),
  },
  {
    id: 'hosts',
    label: 'Hosts',
    scope: 'org',
    opening: ({ orgId, queryClient, trpc }) => {
      void queryClient.prefetchQuery(trpc.locations.list.queryOptions({ organization_id: orgId }));
      void queryClient.prefetchQuery(trpc.hosts.list.queryOptions(openingHostsInput(orgId)));
    },
    component: lazyView(() => import('../features/hosts/hosts-view').then((m) => m.HostsView)),
  },
  {
    id: 'audit',
    label: 'Audit trail',
    scope: 'org',
    component: lazyView(() => import('../features/audit/audit-view').then((m) => m.OrgAuditView)),
  },
  {
    id: 'governance',
    label: 'Governance',
    scope: 'org',
    component: lazyView(() =>
      import('../features/governance/governance-view').then((m) => m.GovernanceView),
    ),
  },
  {
    id: 'settings',
    label: 'Settings',
    scope: 'org',
    component: lazyView(() =>
      import('../features/organizations/org-settings-view').then((m) => m.OrgSettingsView),
    ),
  },
  {
    id: 'organizations',
    label: 'Organizations',
    scope: 'all',
    prefetch: (search) => [
      { path: 'organizations.list', input: bootListInput(search) },
      // The region filter's options: the table is drawn without them (they fill in).
      { path: 'organizations.regions', hold: false },
    ],
    component: lazyView(() =>
      import('../features/organizations/organizations-view').then((m) => m.OrganizationsView),
    ),
  },
  {
    id: 'fleet',
    label: 'Fleet overview',
    scope: 'all',
    component: lazyView(() =>
      import('../features/fleet/fleet-overview-view').then((m) => m.FleetOverviewView),
    ),
  },
  {
    id: 'support-access',
    label: 'Support access',
    scope: 'all',
    component: lazyView(() =>
      import('../features/support-access/support-access-view').then((m) => m.SupportAccessView),
    ),
    visible: (ctx) => ctx.isAccountAdmin || ctx.me.is_support_engineer,
  },
  {
    id: 'audit',
    label: 'Account audit trail',
    scope: 'all',
    component: lazyView(() =>
      import('../features/audit/audit-view').then((m) => m.AccountAuditView),
    ),
    visible: (ctx) => ctx.isAccountAdmin,
  },
  {
    id: 'governance',
    label: 'Retention and GDPR',
    scope: 'all',
    component: lazyView(() =>
      import('../features/governance/governance-view').then((m) => m.AccountGovernanceView),
    ),
    visible: (ctx) => ctx.isAccountAdmin,
  },
  {
    id: 'users',
    label: 'Users and roles',
    scope: 'all',
    component: lazyView(() => import('../features/users/users-view').then((m) => m.UsersView)),
    visible: (ctx) => ctx.accountPermissions.includes('users.manage'),
  },
  {
    id: 'sso',
    label: 'Single sign-on',
    scope: 'all',
    component: lazyView(() =>
      import('../features/sso/sso-settings-view').then((m) => m.SsoSettingsView),
    ),
    visible: (ctx) => ctx.accountPermissions.includes('users.manage'),
  },
  {
    id: 'integrations',
    label: 'Integrations',
    scope: 'all',
    component: lazyView(() =>
      import('../features/integrations/integrations-view').then((m) => m.IntegrationsView),
    ),
    // INT-1/INT-2: a destination receives the whole account's audit trail (settings.manage).
    visible: (ctx) => ctx.accountPermissions.includes('settings.manage'),
  },
  {
    id: 'tokens',
    label: 'API tokens',
    scope: 'all',
    component: lazyView(() => import('../features/users/tokens-view').then((m) => m.TokensView)),
    visible: (ctx) => !ctx.me.is_support_engineer,
  },
  {
    id: 'security',
    label: 'Security',
    scope: 'all',
    component: lazyView(() =>
      import('../features/security/security-view').then((m) => m.SecurityView),
    ),
    // IDN-1: a second factor signs in to a server; the local desktop has no sign-in.
    visible: (ctx) => ctx.transport === 'http',
  },
  {
    id: 'sessions',
    label: 'Sessions',
    scope: 'all',
    component: lazyView(() =>
      import('../features/users/sessions-view').then((m) => m.SessionsView),
    ),
    // IDN-5: every caller has sessions to see (the local desktop database, none: it says so).
  },
  {
    id: 'accounts',
    label: 'Accounts',
    scope: 'all',
    group: 'platform',
    component: lazyView(() =>
      import('../features/accounts/accounts-view').then((m) => m.AccountsView),
    ),
    visible: (ctx) => ctx.me.is_platform_operator,
  },
  // Desktop only (UI-8, EXP): the Electron shell's own screens.
  {
    id: 'connections',
    label: 'Connections',
    scope: 'all',
    component: lazyView(() =>
      import('../features/desktop/connections-view').then((m) => m.ConnectionsView),
    ),
    visible: (ctx) => ctx.transport === 'ipc',
  },
  {
    id: 'exports',
    label: 'Export and review',
    scope: 'all',
    component: lazyView(() =>
      import('../features/desktop/exports-view').then((m) => m.ExportsView),
    ),
    visible: (ctx) => ctx.transport === 'ipc',
  },
];

export function viewsFor(scope: 'org' | 'all', ctx: ShellContextValue): ViewDef[] {
  return VIEWS.filter((v) => v.scope === scope && (v.visible?.(ctx) ?? true));
}

/** The view a place shows, as far as its path says (visibility is the shell's to check). */
export function viewAt(orgId: number | null, id: string): ViewDef | undefined {
  return VIEWS.find((v) => v.scope === (orgId === null ? 'all' : 'org') && v.id === id);
}
