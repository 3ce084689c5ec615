import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { EmptyState, ErrorState, Skeleton, ViewRoot } from '../../components/view-root';
import { errorMessage } from '../../lib/errors';
import { formatCount, localTimeIn } from '../../lib/format';
import { denyReason } from '../../lib/permissions';
import { useNow } from '../../lib/use-debounced';
import { useTRPC } from '../../lib/trpc';
import { confirmDiscard } from '../../shell/unsaved';
import type { OrgViewProps } from '../../shell/views';
import { IpTester } from './ip-tester';
import { LocationEditor } from './location-editor';
import { useShell } from '../../shell/shell-context';

const CHIP_PREVIEW = 3;

/** UI-4: the org's locations, an editor beside them, and the IP tester. */
export function LocationsView({ org }: OrgViewProps) {
  const { me } = useShell();
  const trpc = useTRPC();
  const locations = useQuery(trpc.locations.list.queryOptions({ organization_id: org.id }));
  const [selected, setSelected] = useState<number | 'new' | null>(null);
  // The open editor's edits are asked about before another location replaces it (UI-16).
  const editorScope = useId();
  const select = async (next: number | 'new' | null) => {
    if (next !== selected && (await confirmDiscard(editorScope))) setSelected(next);
  };
  const now = useNow(30_000);
  const reason = denyReason(me, org.permissions, 'locations.manage');
  const editing =
    selected === 'new' ? null : (locations.data?.find((l) => l.id === selected) ?? undefined);

  return (
    <ViewRoot
      view="locations"
      title="Locations"
      ready={locations.isSuccess}
      subtitle={org.name}
      actions={[
        {
          id: 'new-location',
          label: 'New location',
          shortcut: { key: 'n' },
          variant: 'primary',
          disabledReason: reason,
          run: () => void select('new'),
        },
      ]}
    >
      <IpTester orgId={org.id} />
      <div className={`split${selected !== null ? ' split-open' : ''}`}>
        <div className="split-main">
          {locations.error ? (
            <ErrorState
              error={errorMessage(locations.error)}
              onRetry={() => void locations.refetch()}
            />
          ) : (
            <div className="table-wrap">
              <table className="data-table" aria-label="Locations" aria-busy={locations.isFetching}>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Subnets</th>
                    <th scope="col">Time zone</th>
                    <th scope="col" className="numeric">
                      Hosts
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {locations.data
                    ? locations.data.map((l) => (
                        <tr key={l.id} className={l.id === selected ? 'is-selected' : undefined}>
                          <td>
                            <button
                              type="button"
                              className="link-button cell-name"
                              aria-current={l.id === selected ? 'true' : undefined}
                              onClick={() => void select(l.id)}
                            >
                              {l.name}
                            </button>
                            {l.is_default ? <span className="tag tag-info">default</span> : null}
                          </td>
                          <td>
                            {l.subnets.length === 0 ? (
                              <span className="muted">none</span>
                            ) : (
                              <span className="chip-preview">
                                {l.subnets.slice(0, CHIP_PREVIEW).map((s) => (
                                  <code key={s} className="chip chip-static">
                                    {s}
                                  </code>
                                ))}
                                {l.subnets.length > CHIP_PREVIEW ? (
                                  <span className="muted">
                                    +{l.subnets.length - CHIP_PREVIEW} more
                                  </span>
                                ) : null}
                              </span>
                            )}
                          </td>
                          <td>
                            <div className="cell-stack">
                              <span>{l.timezone}</span>
                              <span className="cell-sub">{localTimeIn(l.timezone, now)}</span>
                            </div>
                          </td>
                          <td className="numeric">{formatCount(l.host_count)}</td>
                        </tr>
                      ))
                    : Array.from({ length: 3 }, (_, i) => (
                        <tr key={i} className="skeleton-row" aria-hidden="true">
                          <td>
                            <Skeleton width="50%" />
                          </td>
                          <td>
                            <Skeleton width="70%" />
                          </td>
                          <td>
                            <Skeleton width="60%" />
                          </td>
                          <td>
                            <Skeleton width="30%" />
                          </td>
                        </tr>
                      ))}
                </tbody>
              </table>
              {locations.data?.length === 0 ? <EmptyState title="No locations" /> : null}
            </div>
          )}
        </div>
        {selected !== null && editing !== undefined ? (
          <div className="split-side">
            <LocationEditor
              key={selected}
              org={org}
              location={editing}
              canManage={reason === null}
              scope={editorScope}
              onDone={() => setSelected(null)}
            />
          </div>
        ) : null}
      </div>
    </ViewRoot>
  );
}
