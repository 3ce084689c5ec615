import { useMutation } from '@tanstack/react-query';
import { HealthBadges } from '../components/health';
import { ariaShortcut, shortcutLabel } from '../lib/keys';
import { OrgBadge } from '../components/org-badge';
import { useSession } from '../lib/session';
import { useTRPC, type OrgDetail } from '../lib/trpc';
import { usePrefsStore, type ThemePreference } from '../stores/prefs-store';
import { GLOBAL } from './actions';
import { NotificationBell } from './notification-bell';
import { useShell } from './shell-context';

const SWITCH = GLOBAL.switchOrg;
const SWITCH_KEYS = shortcutLabel(SWITCH.shortcut);

/** Always on screen: which tenant this window acts on, and who is acting. */
export function TitleBar({ org }: { org: OrgDetail | 'loading' | null }) {
  const { me, userKey, isAccountAdmin, openSwitcher } = useShell();
  const theme = usePrefsStore((s) => s.theme);
  const setTheme = usePrefsStore((s) => s.setTheme);
  const pinned = usePrefsStore((s) =>
    org && org !== 'loading' ? (s.pins[userKey] ?? []).includes(org.id) : false,
  );
  const togglePin = usePrefsStore((s) => s.togglePin);
  const name =
    org === null
      ? isAccountAdmin
        ? 'All organizations'
        : 'Organizations'
      : org === 'loading'
        ? 'Loading…'
        : org.name;

  return (
    <header className="titlebar">
      <div className="brand" aria-hidden="true">
        <span className="brand-mark">◆</span> Orgdesk
      </div>
      <div className="scope">
        <button
          type="button"
          className="scope-button"
          id="current-org"
          aria-haspopup="dialog"
          data-action={SWITCH.id}
          aria-keyshortcuts={ariaShortcut(SWITCH.shortcut)}
          aria-label={`${name} — switch organization (${SWITCH_KEYS})`}
          onClick={openSwitcher}
        >
          <span className="scope-kind">{org === null ? 'Scope' : 'Organization'}</span>
          {org && org !== 'loading' ? <OrgBadge org={org} /> : null}
          <span className="scope-name" data-testid="current-org-name">
            {name}
          </span>
          <span className="scope-caret" aria-hidden="true">
            ▾
          </span>
          <kbd aria-hidden="true">{SWITCH_KEYS}</kbd>
        </button>
        {org && org !== 'loading' ? (
          <>
            <button
              type="button"
              className="icon-button pin-button"
              aria-pressed={pinned}
              aria-label={pinned ? `Unpin ${org.name}` : `Pin ${org.name}`}
              title={pinned ? 'Unpin from the switcher' : 'Pin to the switcher'}
              onClick={() => togglePin(userKey, org.id)}
            >
              <span aria-hidden="true">{pinned ? '★' : '☆'}</span>
            </button>
            {!org.is_active ? <span className="tag tag-warning">Deactivated</span> : null}
            {org.kill_switch ? <span className="tag tag-danger">Kill switch on</span> : null}
            <HealthBadges stats={org.stats} compact />
          </>
        ) : null}
      </div>
      <div className="titlebar-end">
        {me.is_support_engineer ? <span className="tag tag-info">Support · view only</span> : null}
        <span className="theme-picker">
          <select
            value={theme}
            onChange={(e) => setTheme(e.target.value as ThemePreference)}
            aria-label="Theme"
          >
            <option value="system">System theme</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </span>
        <NotificationBell />
        <span className="user" title={me.email}>
          {me.name}
        </span>
        <SignOutButton />
      </div>
    </header>
  );
}

function SignOutButton() {
  const trpc = useTRPC();
  const { transport } = useShell();
  const session = useSession((s) => s.session);
  const end = useSession((s) => s.end);
  const logout = useMutation(trpc.auth.logout.mutationOptions());
  // Inside Electron without a remote session there is nobody to sign out.
  if (transport === 'ipc' && !session) return null;
  return (
    <button
      type="button"
      className="button button-ghost"
      disabled={logout.isPending}
      onClick={async () => {
        // A pasted API token is only forgotten: revoking it would break every tool using it.
        if (session?.kind === 'session') {
          try {
            await logout.mutateAsync();
          } catch {
            // Signing out locally still happens; the session expires on the server by itself.
          }
        }
        end();
      }}
    >
      Sign out
    </button>
  );
}
