import { SWITCH_SHORTCUT } from '../lib/keys';
import { PlaceLink } from './place-link';
import { useShell } from './shell-context';
import { viewsFor, type ViewDef } from './views';

export function Sidebar({
  views,
  current,
  orgId,
}: {
  views: ViewDef[];
  current: string | undefined;
  /** null: All organizations. */
  orgId: number | null;
}) {
  const ctx = useShell();
  const inOrg = orgId !== null;
  const allViews = inOrg ? viewsFor('all', ctx) : views;
  const isPlatform = (v: ViewDef) => v.scope === 'all' && v.group === 'platform';
  const accountViews = allViews.filter((v) => !isPlatform(v));
  const platformViews = allViews.filter(isPlatform);

  return (
    <nav className="sidebar" aria-label="Views">
      {inOrg ? (
        <div className="nav-group">
          <h2 className="nav-heading">Organization</h2>
          <ul>
            {views.map((v) => (
              <li key={v.id}>
                <PlaceLink
                  className="nav-item"
                  aria-current={v.id === current ? 'page' : undefined}
                  place={{ orgId, view: v.id }}
                >
                  {v.label}
                </PlaceLink>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <div className="nav-group">
          <h2 className="nav-heading">Organization</h2>
          <button type="button" className="nav-item nav-hint" onClick={ctx.openSwitcher}>
            Choose an organization… <kbd>{SWITCH_SHORTCUT}</kbd>
          </button>
        </div>
      )}
      <div className="nav-group">
        <h2 className="nav-heading">{ctx.isAccountAdmin ? 'All organizations' : 'Account'}</h2>
        <AllViewsList views={accountViews} current={inOrg ? undefined : current} />
      </div>
      {platformViews.length > 0 ? (
        <div className="nav-group">
          <h2 className="nav-heading">Platform</h2>
          <AllViewsList views={platformViews} current={inOrg ? undefined : current} />
        </div>
      ) : null}
    </nav>
  );
}

/** Views outside any org (account-wide, or the platform's): each opens under All organizations. */
function AllViewsList({ views, current }: { views: ViewDef[]; current: string | undefined }) {
  return (
    <ul>
      {views.map((v) => (
        <li key={v.id}>
          <PlaceLink
            className="nav-item"
            aria-current={v.id === current ? 'page' : undefined}
            place={{ orgId: null, view: v.id }}
          >
            {v.label}
          </PlaceLink>
        </li>
      ))}
    </ul>
  );
}
