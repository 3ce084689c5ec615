import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Component as ReactComponent,
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { Toaster } from '../components/toaster';
import { ErrorState, Skeleton, ViewRoot } from '../components/view-root';
import { AccessWatch } from '../features/support-access/access-watch';
import { OrgSwitcher } from '../features/org-switcher/org-switcher';
import type { Transport } from '../lib/client';
import { errorCode, errorMessage } from '../lib/errors';
import { onShellEvent } from '../lib/ipc-link';
import { accountPermissions, isAccountAdmin } from '../lib/permissions';
import { useTRPC, type Me, type OrgDetail } from '../lib/trpc';
import { useFilterMemory } from '../stores/filter-memory-store';
import { usePrefsStore, userKey } from '../stores/prefs-store';
import { useReadOnly } from '../stores/read-only-store';
import { toast, useToasts } from '../stores/toast-store';
import { useNavigation, usePlace } from './navigation';
import { DEFAULT_ALL_VIEW, DEFAULT_ORG_VIEW, placeKey } from '../../shared/console-places';
import { matchesShortcut } from '../lib/keys';
import { ActionPalette } from './action-palette';
import { allActions, GLOBAL, reasonOf, runAction, useActions, type ActionDef } from './actions';
import { isTypingIn, refreshNow } from './refresh';
import { ShortcutSheet } from './shortcut-sheet';
import { UnsavedGuard } from './unsaved';
import { ShellContext, type ShellContextValue } from './shell-context';
import { Sidebar } from './sidebar';
import { TitleBar } from './title-bar';
import { viewAt, viewsFor, type ViewDef } from './views';

// Only inside Electron: its own chunk, never fetched by the web console.
const DesktopRoot = lazy(() =>
  import('../features/desktop/desktop-root').then((m) => ({ default: m.DesktopRoot })),
);

/** After the first view is up and the browser is idle: fetch the view a user most likely opens next. */
function preloadLikelyNext(fromOrg: boolean): () => void {
  const next = fromOrg ? viewAt(null, DEFAULT_ALL_VIEW) : viewAt(0, DEFAULT_ORG_VIEW);
  const idle = (cb: () => void) =>
    typeof requestIdleCallback === 'function'
      ? requestIdleCallback(cb, { timeout: 2000 })
      : setTimeout(cb, 200);
  let handle: number | ReturnType<typeof setTimeout> | null = null;
  const frame = requestAnimationFrame(() => {
    handle = idle(() => void next?.component.preload?.());
  });
  return () => {
    cancelAnimationFrame(frame);
    if (handle !== null) {
      if (typeof cancelIdleCallback === 'function' && typeof handle === 'number')
        cancelIdleCallback(handle);
      else clearTimeout(handle);
    }
  };
}

export function Shell({ me, transport }: { me: Me; transport: Transport }) {
  const trpc = useTRPC();
  const nav = useNavigation();
  // UI-10: the URL says where this window is (shell/router.ts sends a URL naming no place to All).
  const place = usePlace();
  const orgId = place?.orgId ?? null;
  const viewId = place?.view ?? DEFAULT_ALL_VIEW;
  const [switcherOpen, setSwitcherOpen] = useState(false);
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [sheetOpen, setSheetOpen] = useState(false);
  // An action chosen in the palette runs once the palette has closed and given focus back.
  const [chosen, setChosen] = useState<ActionDef | null>(null);
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
    // In place of the org's URL: Back must not return to an org that is not there.
    void nav.openAll(undefined, { replace: true });
    toast.info('That organization is no longer available to you.', null);
  }, [gone, orgId, nav]);

  // Notices about one org never outlive a switch, whichever way it happened (Back included).
  useLayoutEffect(() => useToasts.getState().setScope(orgId), [orgId]);

  // What each place's filters were, for coming back to it by the sidebar or the switcher.
  useEffect(() => {
    if (place) useFilterMemory.getState().remember(placeKey(place), place.search ?? {});
  }, [place]);

  // Once, after the first view: the likely next view's code, so that move does not wait for it.
  const startedInOrg = useState(orgId !== null)[0];
  useEffect(() => preloadLikelyNext(startedInOrg), [startedInOrg]);

  const scope = orgId === null ? 'all' : 'org';
  const views = viewsFor(scope, ctx);
  const view = views.find((v) => v.id === viewId) ?? views[0];
  const orgName = orgId !== null ? org.data?.name : undefined;

  // A view this user has not here (or a mistyped one): the scope's first view, in its place.
  const fallback = view && view.id !== viewId ? view.id : null;
  useEffect(() => {
    if (fallback !== null) void nav.go({ orgId, view: fallback, search: {} }, { replace: true });
  }, [fallback, orgId, nav]);

  useEffect(() => {
    const where = orgId === null ? 'All organizations' : (orgName ?? 'Loading…');
    document.title = `${where}${view ? ` · ${view.label}` : ''} — Orgdesk`;
  }, [orgId, orgName, view]);

  useEffect(() => {
    if (orgId !== null && org.data) usePrefsStore.getState().touchRecent(ctx.userKey, orgId);
  }, [orgId, org.data, ctx.userKey]);

  // Inside Electron: the menu's "Switch organization", deep links to an org. A new data source
  // (session-changed) is App's: the reset unmounts this shell until `users.me` answers again.
  const queryClient = useQueryClient();
  useEffect(
    () =>
      onShellEvent((event) => {
        if (event.type === 'menu' && event.command === 'switch-organization') setSwitcherOpen(true);
        else if (event.type === 'open-organization') void nav.openOrg(event.organization_id);
      }),
    [nav],
  );

  useEffect(() => {
    // UI-16: the console's own actions, bound here; their labels and keys are in GLOBAL.
    useActions.setState({
      global: [
        { ...GLOBAL.switchOrg, mutates: false, run: () => setSwitcherOpen(true) },
        { ...GLOBAL.palette, mutates: false, run: () => setPaletteOpen(true) },
        { ...GLOBAL.shortcuts, mutates: false, run: () => setSheetOpen(true) },
        { ...GLOBAL.refresh, mutates: false, run: () => void refreshNow(queryClient) },
      ],
    });
    return () => useActions.setState({ global: [] });
  }, [queryClient]);

  useEffect(() => {
    if (!chosen) return;
    setChosen(null);
    runAction(chosen);
  }, [chosen]);

  // One key handler for every shortcut of the registry: the view's and the console's.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      // An open dialog's keys are its own (the switcher's arrows, a form's typing).
      if (document.querySelector('dialog[open]')) return;
      const action = allActions().find((a) => a.shortcut && matchesShortcut(e, a.shortcut));
      if (!action?.shortcut) return;
      if (!action.shortcut.mod && isTypingIn(e.target)) return;
      e.preventDefault();
      const reason = reasonOf(action);
      // A shortcut of a disabled control says why, as the control does.
      if (reason) toast.info(reason);
      else runAction(action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <ShellContext.Provider value={ctx}>
      <div className="app">
        {/* Focus moves by script: inside Electron the URL's "#" holds the place (shell/router.ts). */}
        <a
          href="#main"
          className="skip-link"
          onClick={(e) => {
            e.preventDefault();
            document.getElementById('main')?.focus();
          }}
        >
          Skip to main content
        </a>
        <TitleBar org={orgId === null ? null : (org.data ?? 'loading')} />
        {transport === 'ipc' ? (
          <Suspense fallback={null}>
            <DesktopRoot />
          </Suspense>
        ) : null}
        <div className="app-body">
          <Sidebar views={views} current={view?.id} orgId={orgId} />
          <main id="main" className="main" tabIndex={-1}>
            {me.is_support_engineer ? <AccessWatch orgId={orgId} /> : null}
            {/* The key remounts the whole view on every switch: no selection, draft or open
                dialog of the previous org survives. */}
            <ViewHost
              key={`${orgId ?? 'all'}:${view?.id ?? ''}:${readOnly ? 'ro' : 'rw'}`}
              view={view}
              org={org.data}
              // A refresh that failed over data already shown keeps the view (and its drafts).
              orgError={org.error && !gone && !org.data ? errorMessage(org.error) : null}
              onRetry={() => void org.refetch()}
            />
          </main>
        </div>
        <OrgSwitcher open={switcherOpen} onClose={() => setSwitcherOpen(false)} />
        <ActionPalette
          open={paletteOpen}
          onClose={() => setPaletteOpen(false)}
          onRun={(a) => {
            setPaletteOpen(false);
            setChosen(a);
          }}
        />
        <ShortcutSheet open={sheetOpen} onClose={() => setSheetOpen(false)} />
        <UnsavedGuard beforeUnload={transport === 'http'} />
        <Toaster />
      </div>
    </ShellContext.Provider>
  );
}

/** A view whose code could not be loaded says so, with a retry, instead of taking the shell down. */
class ViewBoundary extends ReactComponent<
  { view: ViewDef; children: ReactNode },
  { failed: boolean }
> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    if (!this.state.failed) return this.props.children;
    const { view } = this.props;
    return (
      <ViewRoot view={view.id} title={view.label} ready={false}>
        <ErrorState
          error="This view could not be loaded; check the connection and try again."
          onRetry={() => this.setState({ failed: false })}
        />
      </ViewRoot>
    );
  }
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
  // The view's own chunk may still be on its way (lazyView): its frame shows meanwhile.
  const loading = (
    <ViewRoot view={view.id} title={view.label} ready={false}>
      <div className="panel">
        <Skeleton width="40%" />
        <Skeleton width="70%" />
        <Skeleton width="55%" />
      </div>
    </ViewRoot>
  );
  if (view.scope === 'all') {
    const Component = view.component;
    return (
      <ViewBoundary view={view}>
        <Suspense fallback={loading}>
          <Component />
        </Suspense>
      </ViewBoundary>
    );
  }
  if (orgError) {
    return (
      <ViewRoot view={view.id} title={view.label} ready={false}>
        <ErrorState error={orgError} onRetry={onRetry} />
      </ViewRoot>
    );
  }
  if (!org) return loading;
  const Component = view.component;
  return (
    <ViewBoundary view={view}>
      <Suspense fallback={loading}>
        <Component org={org} />
      </Suspense>
    </ViewBoundary>
  );
}
