import { keepPreviousData, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { matchesOrgSearch } from '../../../shared/org-search';
import { Dialog } from '../../components/dialog';
import { HealthBadges } from '../../components/health';
import { errorCode } from '../../lib/errors';
import { formatCount } from '../../lib/format';
import { useDebounced } from '../../lib/use-debounced';
import { useTRPC, type OrgListItem } from '../../lib/trpc';
import { DEFAULT_ORG_VIEW } from '../../../shared/console-places';
import { useNavigation, usePlace } from '../../shell/navigation';
import { VIEWS } from '../../shell/views';
import { useShell } from '../../shell/shell-context';
import { usePrefsStore } from '../../stores/prefs-store';

const EMPTY: number[] = [];
const RESULT_LIMIT = 20;

type Section = 'Pinned' | 'Recent' | 'Organizations' | 'Matches';
type Option =
  { key: string; kind: 'all' } | { key: string; kind: 'org'; org: OrgListItem; section: Section };

/**
 * UI-1: what the switcher's list holds, said exactly: how many orgs it shows of how many there
 * are (or match), and how many of those are active or deactivated. Pinned and recent orgs count
 * once among those shown; "All organizations" is a scope, not an org.
 */
export function switcherCount(c: {
  searching: boolean;
  shown: number;
  total: number;
  deactivated: number;
}): string {
  const active = c.total - c.deactivated;
  const split =
    c.deactivated === 0
      ? 'all active'
      : active === 0
        ? 'deactivated'
        : `${formatCount(active)} active, ${formatCount(c.deactivated)} deactivated`;
  const all = `${formatCount(c.total)} ${c.searching ? 'matches' : 'organizations'}`;
  if (c.shown < c.total) return `Showing ${formatCount(c.shown)} of ${all} (${split}).`;
  if (c.searching) {
    return `${formatCount(c.total)} ${c.total === 1 ? 'organization matches' : 'organizations match'} (${split}).`;
  }
  return `${formatCount(c.total)} ${c.total === 1 ? 'organization' : 'organizations'} (${split}).`;
}

/** UI-1: Ctrl/Cmd+K, type to search on the server, arrows and Enter, recents and pins. */
export function OrgSwitcher({ open, onClose }: { open: boolean; onClose(): void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Switch organization" className="switcher">
      <SwitcherBody onClose={onClose} />
    </Dialog>
  );
}

function SwitcherBody({ onClose }: { onClose(): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { userKey, isAccountAdmin } = useShell();
  const place = usePlace();
  const currentOrgId = place?.orgId ?? null;
  const { openOrg, openAll } = useNavigation();
  const pins = usePrefsStore((s) => s.pins[userKey] ?? EMPTY);
  const recents = usePrefsStore((s) => s.recents[userKey] ?? EMPTY);
  const togglePin = usePrefsStore((s) => s.togglePin);
  const forgetOrg = usePrefsStore((s) => s.forgetOrg);
  const listboxId = useId();
  const statusId = useId();

  const [text, setText] = useState('');
  const search = useDebounced(text.trim(), 150);
  const [active, setActive] = useState(0);

  const list = useQuery({
    ...trpc.organizations.list.queryOptions({
      search: search || null,
      limit: RESULT_LIMIT,
      active_only: false,
      include_stats: true,
    }),
    placeholderData: keepPreviousData,
  });
  // How many of the same matches are deactivated, so the count can say active vs deactivated
  // by the list's own filter (deactivated orgs are listed, tagged): a count, no rows.
  const deactivated = useQuery({
    ...trpc.organizations.list.queryOptions({
      search: search || null,
      limit: 1,
      is_active: false,
      include_stats: false,
    }),
    placeholderData: keepPreviousData,
  });

  // Remembered ids are shown only once the server confirms this user still sees the org.
  const remembered = useMemo(() => [...new Set([...pins, ...recents])], [pins, recents]);
  const details = useQueries({
    queries: remembered.map((id) => ({
      ...trpc.organizations.get.queryOptions({ id }),
      retry: false,
    })),
  });
  const goneIds = details
    .map((d, i) => (errorCode(d.error) === 'NOT_FOUND' ? remembered[i] : undefined))
    .filter((id): id is number => id !== undefined);
  const goneKey = goneIds.join(',');
  useEffect(() => {
    for (const id of goneKey ? goneKey.split(',').map(Number) : []) forgetOrg(id);
  }, [goneKey, forgetOrg]);

  // What is typed now filters at once; the server search (debounced) catches up behind it. Every
  // entry shown always matches the current text, so Enter can never open a stale result. The
  // filter is the server's own matching (shared/org-search.ts), so it never hides a server match.
  const query = text.trim();
  const searching = query.length > 0;
  const settled = search === query && !list.isPlaceholderData && !list.isFetching;
  // Cheap enough to rebuild on every render: at most a few dozen entries.
  const options = ((): Option[] => {
    const byId = new Map<number, OrgListItem>();
    details.forEach((d) => {
      if (d.data) byId.set(d.data.id, d.data);
    });
    const out: Option[] = [];
    const shown = new Set<number>();
    if (!searching) {
      if (isAccountAdmin) out.push({ key: 'all', kind: 'all' });
      for (const [ids, section] of [
        [pins, 'Pinned'],
        [recents, 'Recent'],
      ] as const) {
        for (const id of ids) {
          const org = byId.get(id);
          if (org && !shown.has(id)) {
            shown.add(id);
            out.push({ key: `org-${id}`, kind: 'org', org, section });
          }
        }
      }
    }
    for (const org of list.data?.items ?? []) {
      if (shown.has(org.id) || (searching && !matchesOrgSearch(org, query))) continue;
      out.push({
        key: `org-${org.id}`,
        kind: 'org',
        org,
        section: searching ? 'Matches' : 'Organizations',
      });
    }
    return out;
  })();

  useEffect(() => setActive(0), [query]);
  const activeIndex = Math.min(active, Math.max(options.length - 1, 0));
  const activeOption = options[activeIndex];
  const optionId = (key: string) => `${listboxId}-${key}`;

  // The shell needs the org's details before its view can even ask for its own data: fetching
  // them for the highlighted org ahead of Enter takes that round trip off the switch.
  // So is the first data of the view Enter opens (navigation.openOrg keeps an org view, else
  // the default one), asked with the view's own inputs (ViewDef.opening).
  const prefetchId = activeOption?.kind === 'org' ? activeOption.org.id : null;
  const openingView = place && place.orgId !== null ? place.view : DEFAULT_ORG_VIEW;
  useEffect(() => {
    if (prefetchId === null || prefetchId === currentOrgId) return;
    void queryClient.prefetchQuery(trpc.organizations.get.queryOptions({ id: prefetchId }));
    const view = VIEWS.find((v) => v.id === openingView);
    if (view?.scope === 'org') view.opening?.({ orgId: prefetchId, queryClient, trpc });
  }, [prefetchId, currentOrgId, openingView, queryClient, trpc]);

  const activeDomId = activeOption ? optionId(activeOption.key) : null;
  useEffect(() => {
    if (activeDomId) document.getElementById(activeDomId)?.scrollIntoView({ block: 'nearest' });
  }, [activeDomId]);

  const choose = (option: Option | undefined) => {
    if (!option) return;
    if (option.kind === 'all') void openAll();
    else if (option.org.id !== currentOrgId) void openOrg(option.org.id);
    onClose();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const n = options.length;
    if (e.key === 'ArrowDown' && n > 0) {
      e.preventDefault();
      setActive((activeIndex + 1) % n);
    } else if (e.key === 'ArrowUp' && n > 0) {
      e.preventDefault();
      setActive((activeIndex - 1 + n) % n);
    } else if (e.key === 'PageDown' && n > 0) {
      e.preventDefault();
      setActive(Math.min(activeIndex + 5, n - 1));
    } else if (e.key === 'PageUp' && n > 0) {
      e.preventDefault();
      setActive(Math.max(activeIndex - 5, 0));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(activeOption);
    } else if (e.altKey && e.key.toLowerCase() === 'p' && activeOption?.kind === 'org') {
      e.preventDefault();
      togglePin(userKey, activeOption.org.id);
    }
  };

  const total = list.data?.total;
  const shownOrgs = options.filter((o) => o.kind === 'org').length;
  const countsSettled = settled && !deactivated.isPlaceholderData && !deactivated.isFetching;
  const status =
    list.isPending || deactivated.isPending
      ? 'Loading organizations…'
      : searching && !countsSettled
        ? 'Searching…'
        : searching && options.length === 0
          ? `No organization matches “${query}”.`
          : switcherCount({
              searching,
              shown: shownOrgs,
              total: total ?? 0,
              deactivated: deactivated.data?.total ?? 0,
            });

  const groups: { label: string; options: Option[] }[] = [];
  for (const o of options) {
    const label = o.kind === 'all' ? 'Scope' : o.section;
    const last = groups.at(-1);
    if (last && last.label === label) last.options.push(o);
    else groups.push({ label, options: [o] });
  }

  return (
    <div className="switcher-body">
      <input
        type="text"
        role="combobox"
        className="switcher-input"
        aria-label="Search organizations"
        aria-expanded="true"
        aria-controls={listboxId}
        aria-autocomplete="list"
        aria-activedescendant={activeDomId ?? undefined}
        aria-describedby={statusId}
        placeholder="Type to search organizations by name or description"
        autoComplete="off"
        spellCheck={false}
        value={text}
        data-autofocus
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <div id={statusId} className="switcher-status" role="status" aria-live="polite">
        {status}
      </div>
      <div role="listbox" id={listboxId} aria-label="Organizations" className="switcher-list">
        {groups.map((g) => (
          <div role="group" aria-label={g.label} key={g.label}>
            <div className="switcher-group-label" aria-hidden="true">
              {g.label}
            </div>
            {g.options.map((o) => {
              const index = options.indexOf(o);
              const selected = index === activeIndex;
              return (
                <div
                  key={o.key}
                  id={optionId(o.key)}
                  role="option"
                  aria-selected={selected}
                  className={`switcher-option${selected ? ' is-active' : ''}`}
                  onMouseMove={() => setActive(index)}
                  onClick={() => choose(o)}
                >
                  {o.kind === 'all' ? (
                    <span className="switcher-name">All organizations</span>
                  ) : (
                    <>
                      <span className="switcher-name">
                        {/* The "Pinned" group already says it to screen readers. */}
                        {pins.includes(o.org.id) ? (
                          <span className="pin-mark" aria-hidden="true">
                            ★{' '}
                          </span>
                        ) : null}
                        {o.org.name}
                      </span>
                      <span className="switcher-meta">
                        {o.org.id === currentOrgId ? <span className="tag">current</span> : null}
                        {!o.org.is_active ? (
                          <span className="tag tag-warning">deactivated</span>
                        ) : null}
                        {o.org.region ? <span className="muted">{o.org.region}</span> : null}
                        <HealthBadges stats={o.org.stats} compact />
                      </span>
                    </>
                  )}
                </div>
              );
            })}
          </div>
        ))}
      </div>
      <div className="switcher-hints" aria-hidden="true">
        <span>
          <kbd>↑</kbd> <kbd>↓</kbd> move
        </span>
        <span>
          <kbd>Enter</kbd> open
        </span>
        <span>
          <kbd>Alt</kbd>+<kbd>P</kbd> pin
        </span>
        <span>
          <kbd>Esc</kbd> close
        </span>
      </div>
    </div>
  );
}
