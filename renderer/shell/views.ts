// The view registry: every main view of the console, in sidebar order. A feature adds its view
// here (one line) and lives in renderer/features/<feature>/. Org views are remounted whenever
// the current org changes, so no state of one tenant survives into another.
import type { ComponentType } from 'react';
import { AccountsView } from '../features/accounts/accounts-view';
import { AccountAuditView, OrgAuditView } from '../features/audit/audit-view';
import { AccountGovernanceView, GovernanceView } from '../features/governance/governance-view';
import { ConnectionsView } from '../features/desktop/connections-view';
import { ExportsView } from '../features/desktop/exports-view';
import { FleetOverviewView } from '../features/fleet/fleet-overview-view';
import { HostsView } from '../features/hosts/hosts-view';
import { SupportAccessView } from '../features/support-access/support-access-view';
import { TokensView } from '../features/users/tokens-view';
import { UsersView } from '../features/users/users-view';
import { LocationsView } from '../features/locations/locations-view';
import { OrgOverviewView } from '../features/organizations/org-overview-view';
import { OrgSettingsView } from '../features/organizations/org-settings-view';
import { OrganizationsView } from '../features/organizations/organizations-view';
import type { OrgDetail } from '../lib/trpc';
import type { ShellContextValue } from './shell-context';

/** Props of an org-scoped view: the current org, loaded (with the caller's permissions on it). */
export interface OrgViewProps {
  org: OrgDetail;
}

interface BaseView {
  id: string;
  label: string;
  /** Hide the view entirely (not just disable it) for callers it can never serve. */
  visible?(ctx: ShellContextValue): boolean;
}

export interface OrgViewDef extends BaseView {
  scope: 'org';
  component: ComponentType<OrgViewProps>;
}

/** Account-wide views, shown under "All organizations" (or, `group: 'platform'`, "Platform"). */
export interface AllViewDef extends BaseView {
  scope: 'all';
  component: ComponentType;
  /** The server's own views, for platform operators (PLAT-1): beside the account's, not in it. */
  group?: 'platform';
}

export type ViewDef = OrgViewDef | AllViewDef;

export const VIEWS: readonly ViewDef[] = [
  { id: 'overview', label: 'Overview', scope: 'org', component: OrgOverviewView },
  { id: 'locations', label: 'Locations', scope: 'org', component: LocationsView },
  { id: 'hosts', label: 'Hosts', scope: 'org', component: HostsView },
  { id: 'audit', label: 'Audit trail', scope: 'org', component: OrgAuditView },
  { id: 'governance', label: 'Governance', scope: 'org', component: GovernanceView },
  { id: 'settings', label: 'Settings', scope: 'org', component: OrgSettingsView },
  { id: 'organizations', label: 'Organizations', scope: 'all', component: OrganizationsView },
  { id: 'fleet', label: 'Fleet overview', scope: 'all', component: FleetOverviewView },
  {
    id: 'support-access',
    label: 'Support access',
    scope: 'all',
    component: SupportAccessView,
    visible: (ctx) => ctx.isAccountAdmin || ctx.me.is_support_engineer,
  },
  {
    id: 'audit',
    label: 'Account audit trail',
    scope: 'all',
    component: AccountAuditView,
    visible: (ctx) => ctx.isAccountAdmin,
  },
  {
    id: 'governance',
    label: 'Retention and GDPR',
    scope: 'all',
    component: AccountGovernanceView,
    visible: (ctx) => ctx.isAccountAdmin,
  },
  {
    id: 'users',
    label: 'Users and roles',
    scope: 'all',
    component: UsersView,
    visible: (ctx) => ctx.accountPermissions.includes('users.manage'),
  },
  {
    id: 'tokens',
    label: 'API tokens',
    scope: 'all',
    component: TokensView,
    visible: (ctx) => !ctx.me.is_support_engineer,
  },
  {
    id: 'accounts',
    label: 'Accounts',
    scope: 'all',
    group: 'platform',
    component: AccountsView,
    visible: (ctx) => ctx.me.is_platform_operator,
  },
  // Desktop only (UI-8, EXP): the Electron shell's own screens.
  {
    id: 'connections',
    label: 'Connections',
    scope: 'all',
    component: ConnectionsView,
    visible: (ctx) => ctx.transport === 'ipc',
  },
  {
    id: 'exports',
    label: 'Export and review',
    scope: 'all',
    component: ExportsView,
    visible: (ctx) => ctx.transport === 'ipc',
  },
];

export function viewsFor(scope: 'org' | 'all', ctx: ShellContextValue): ViewDef[] {
  return VIEWS.filter((v) => v.scope === scope && (v.visible?.(ctx) ?? true));
}
