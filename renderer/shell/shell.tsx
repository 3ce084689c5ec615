import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Toaster } from '../components/toaster';
import { ErrorState, Skeleton, ViewRoot } from '../components/view-root';
import { DesktopRoot } from '../features/desktop/desktop-root';
import { OrgSwitcher } from '../features/org-switcher/org-switcher';
import type { Transport } from '../lib/client';
import { errorCode, errorMessage } from '../lib/errors';
import { onShellEvent } from '../lib/ipc-link';
import { accountPermissions, isAccountAdmin } from '../lib/permissions';
import { useTRPC, type Me, type OrgDetail } from '../lib/trpc';
import { usePrefsStore, userKey } from '../stores/prefs-store';
import { useReadOnly } from '../stores/read-only-store';
import { toast } from '../stores/toast-store';
import { useWindowStore } from '../stores/window-store';
import { ShellContext, type ShellContextValue } from './shell-context';
import { Sidebar } from './sidebar';
import { TitleBar } from './title-bar';
import { viewsFor, type ViewDef } from './views';

export function Shell({ me, transport }: { me: Me; transport: Transport }) {
  const trpc = useTRPC();
  const orgId = useWindowStore((s) => s.orgId);
  const viewId = useWindowStore((s) => s.view);
  const [switcherOpen, setSwitcherOpen] = useState(false);
  // Views read the read-only flag (denyReason) as they render: remount them when it changes.
  const readOnly = useReadOnly((s) => s.reason !== null);
  const openSwitcher = useCallback(() => setSwitcherOpen(true), []);

  const ctx: ShellContextValue = useMemo(
    () => ({
      me,
      userKey: userKey(me),
      isAccountAdmin: isAccountAdmin(me),
      accountPermissions: accountPermissions(me),
      transport,
      openSwitcher,
    }),
    [me, transport, openSwitcher],
  );

  const org = useQuery({
    ...trpc.organizations.get.queryOptions({ id: orgId ?? 0 }),
    enabled: orgId !== null,
  });

  // The org went away (deleted, or this user lost access): leave it, never show stale data.
  const gone = orgId !== null && errorCode(org.error) === 'NOT_FOUND';
  useEffect(() => {
    if (!gone || orgId === null) return;
    usePrefsStore.getState().forgetOrg(orgId);
    useWindowStore.getState().openAll();
    toast.info('That organization is no longer available to you.');
  }, [gone, orgId]);

  const scope = orgId === null ? 'all' : 'org';
  const views = viewsFor(scope, ctx);
  const view = views.find((v) => v.id === viewId) ?? views[0];
  const orgName = orgId !== null ? org.data?.name : undefined;

  useEffect(() => {
    const where = orgId === null ? 'All organizations' : (orgName ?? 'Loading…');
    document.title = `${where}${view ? ` · ${view.label}` : ''} — Orgdesk`;
  }, [orgId, orgName, view]);

  useEffect(() => {
    if (orgId !== null && org.data) usePrefsStore.getState().touchRecent(ctx.userKey, orgId);
  }, [orgId, org.data, ctx.userKey]);

  // Inside Electron: the menu's "Switch organization", deep links to an org, a new data source.
  const queryClient = useQueryClient();
  useEffect(
    () =>
      onShellEvent((event) => {
        if (event.type === 'menu' && event.command === 'switch-organization') setSwitcherOpen(true);
        else if (event.type === 'open-organization')
          useWindowStore.getState().openOrg(event.organization_id);
        else if (event.type === 'session-changed') {
          useWindowStore.getState().reset();
          void queryClient.resetQueries();
        }
      }),
    [queryClient],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setSwitcherOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <ShellContext.Provider value={ctx}>
      <div className="app">
        <a href="#main" className="skip-link">
          Skip to main content
        </a>
        <TitleBar org={orgId === null ? null : (org.data ?? 'loading')} />
        {transport === 'ipc' ? <DesktopRoot /> : null}
        <div className="app-body">
          <Sidebar views={views} current={view?.id} org={orgId === null ? null : org.data} />
          <main id="main" className="main" tabIndex={-1}>
            {/* The key remounts the whole view on every switch: no selection, draft or open
                dialog of the previous org survives. */}
            <ViewHost
              key={`${orgId ?? 'all'}:${view?.id ?? ''}:${readOnly ? 'ro' : 'rw'}`}
              view={view}
              org={org.data}
              orgError={org.error && !gone ? errorMessage(org.error) : null}
              onRetry={() => void org.refetch()}
            />
          </main>
        </div>
        <OrgSwitcher open={switcherOpen} onClose={() => setSwitcherOpen(false)} />
        <Toaster />
      </div>
    </ShellContext.Provider>
  );
}

function ViewHost({
  view,
  org,
  orgError,
  onRetry,
}: {
  view: ViewDef | undefined;
  org: OrgDetail | undefined;
  orgError: string | null;
  onRetry(): void;
}) {
  if (!view) return null;
  if (view.scope === 'all') {
    const Component = view.component;
    return <Component />;
  }
  if (orgError) {
    return (
      <ViewRoot view={view.id} title={view.label} ready={false}>
        <ErrorState error={orgError} onRetry={onRetry} />
      </ViewRoot>
    );
  }
  if (!org) {
    return (
      <ViewRoot view={view.id} title={view.label} ready={false}>
        <div className="panel">
          <Skeleton width="40%" />
          <Skeleton width="70%" />
          <Skeleton width="55%" />
        </div>
      </ViewRoot>
    );
  }
  const Component = view.component;
  return <Component org={org} />;
}
