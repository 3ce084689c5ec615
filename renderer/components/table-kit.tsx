// The table frame of the organizations view (renderer/features/organizations), shared by the
// hosts, audit, recordings, requests, users and tokens tables: same markup, same skeletons, same
// pager, so every list of the console reads and behaves alike.
import { flexRender, type Header, type Table } from '@tanstack/react-table';
import { useId, useState, type ReactNode } from 'react';
import type { SortOrder } from '../../shared/schemas/common.schema';
import { Skeleton } from './view-root';
import { formatCount, lazyFormat } from '../lib/format';
import { usePrefsStore } from '../stores/prefs-store';
import './table-kit.css';

import { PAGE_SIZES } from './page-sizes';

export { PAGE_SIZES };

// Built on first use (lib/format.ts): the organizations table, the first screen, shows no time.
const sameYear = lazyFormat(
  () =>
    new Intl.DateTimeFormat(undefined, {
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    }),
);
const otherYear = lazyFormat(() => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }));
const full = lazyFormat(
  () => new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' }),
);

const relative = lazyFormat(
  () => new Intl.RelativeTimeFormat(undefined, { numeric: 'always', style: 'long' }),
);
const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['minute', 60],
  ['hour', 60],
  ['day', 24],
  ['month', 30],
  ['year', 12],
];

/** "just now", "3 minutes ago", "2 days ago" (or "in 2 minutes" for a clock ahead of ours). */
export function formatRelative(iso: string, now: number): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (Math.abs(seconds) < 60) return 'just now';
  let value = seconds / 60;
  for (let i = 0; i < RELATIVE_STEPS.length; i++) {
    const next = RELATIVE_STEPS[i + 1];
    if (!next || Math.abs(value) < next[1]) {
      return relative().format(Math.trunc(value), RELATIVE_STEPS[i]![0]);
    }
    value /= next[1];
  }
  return relative().format(Math.trunc(value), 'year');
}

/**
 * A time as how long ago ("3 minutes ago"), the full date on hover (title) and in the
 * accessible name (hidden text), so it is read out without hovering.
 */
export function RelativeTime({
  iso,
  now,
  empty = 'never',
}: {
  iso: string | null;
  now: number;
  empty?: string;
}) {
  if (!iso) return <span className="muted">{empty}</span>;
  const date = full().format(new Date(iso));
  return (
    <time className="cell-nowrap" dateTime={iso} title={date}>
      {formatRelative(iso, now)}
      <span className="visually-hidden"> ({date})</span>
    </time>
  );
}

/** A time in a table cell: short ("Nov 22, 10:02 PM"; another year: "Nov 22, 2025"), full on hover. */
export function CellTime({ iso, empty = 'never' }: { iso: string | null; empty?: string }) {
  if (!iso) return <span className="muted">{empty}</span>;
  const d = new Date(iso);
  const text =
    d.getFullYear() === new Date().getFullYear() ? sameYear().format(d) : otherYear().format(d);
  return (
    <time className="cell-nowrap" dateTime={iso} title={full().format(d)}>
      {text}
    </time>
  );
}

export interface ColumnMeta {
  numeric?: boolean;
  /** A column of row actions: right-aligned, never wrapping. */
  actions?: boolean;
  /** The checkbox column of a multi-select table (components/selection.tsx). */
  select?: boolean;
  /** UI-11: the server's sort key of this column (the header becomes a sort button). */
  sortKey?: string;
  /** The order a first click asks for (counts and times: most first). */
  firstOrder?: SortOrder;
}

/** UI-11: what a table is sorted by; `toggle` is what a header button does. */
export interface SortControl {
  sort: string;
  order: SortOrder;
  toggle(key: string, firstOrder?: SortOrder): void;
}

/** Sort state of one table: a click on the sorted column flips it, on another sorts by that. */
export function useSort<K extends string>(initial: { sort: K; order: SortOrder }) {
  const [state, setState] = useState(initial);
  const control: SortControl & { sort: K } = {
    ...state,
    toggle: (key, firstOrder = 'asc') =>
      setState((s) =>
        s.sort === key
          ? { sort: s.sort, order: s.order === 'asc' ? 'desc' : 'asc' }
          : { sort: key as K, order: firstOrder },
      ),
  };
  return control;
}

/**
 * A sort kept in the URL (UI-10, UI-11): `sort` and `order` are filters like the others, left out
 * at the table's default, so Back undoes a sort and a link keeps it. An unknown value in the URL
 * reads as the default (the server would refuse it).
 */
export function urlSort<K extends string>(
  filters: { sort: string; order: string },
  keys: readonly K[],
  initial: { sort: K; order: SortOrder },
  set: (patch: { sort: string; order: string }) => void,
): SortControl & { sort: K } {
  const sort = (keys as readonly string[]).includes(filters.sort)
    ? (filters.sort as K)
    : initial.sort;
  const order: SortOrder =
    filters.order === 'asc' || filters.order === 'desc' ? filters.order : initial.order;
  return {
    sort,
    order,
    toggle: (key, firstOrder = 'asc') =>
      set(
        sort === key
          ? { sort, order: order === 'asc' ? 'desc' : 'asc' }
          : { sort: key, order: firstOrder },
      ),
  };
}

/**
 * A header cell; sortable when its column names a sort key: a real button (Enter and Space,
 * focus ring) named by the column alone, and `aria-sort` on the sorted column's header (the
 * arrows are decoration), as the WAI-ARIA sortable table pattern has it.
 */
export function HeaderCell<T>({
  header,
  sort,
}: {
  header: Header<T, unknown>;
  sort?: SortControl;
}) {
  const meta = metaOf(header.column.columnDef.meta);
  const content = flexRender(header.column.columnDef.header, header.getContext());
  if (!sort || !meta.sortKey) {
    return (
      <th scope="col" className={cellClass(meta)}>
        {content}
      </th>
    );
  }
  const active = sort.sort === meta.sortKey;
  const key = meta.sortKey;
  return (
    <th
      scope="col"
      className={cellClass(meta)}
      aria-sort={active ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined}
    >
      <button
        type="button"
        className={`sort-button${active ? ' is-sorted' : ''}`}
        onClick={() => sort.toggle(key, meta.firstOrder)}
      >
        {content}
        <span className="sort-mark" aria-hidden="true">
          {active ? (sort.order === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}

const metaOf = (meta: unknown): ColumnMeta =>
  typeof meta === 'object' && meta !== null ? (meta as ColumnMeta) : {};

export const cellClass = (meta: unknown): string | undefined => {
  const m = metaOf(meta);
  return m.numeric ? 'numeric' : m.actions ? 'cell-actions' : m.select ? 'cell-select' : undefined;
};

export function DataTable<T>({
  table,
  label,
  loading,
  fetching,
  refreshing,
  skeletonRows = 6,
  empty,
  sort,
}: {
  table: Table<T>;
  /** The accessible name of the table. */
  label: string;
  /** No data yet: skeleton rows keep the height the data will take. */
  loading: boolean;
  fetching?: boolean;
  /** Showing the previous page while the next one loads. */
  refreshing?: boolean;
  skeletonRows?: number;
  /** Shown under the header when there are no rows. */
  empty?: ReactNode;
  /** UI-11: the table's sort; columns with a `sortKey` get sort buttons. */
  sort?: SortControl;
}) {
  const columns = table.getVisibleLeafColumns();
  const rows = table.getRowModel().rows;
  return (
    <div className={`table-wrap${refreshing ? ' is-refreshing' : ''}`}>
      <table className="data-table" aria-busy={fetching ?? loading} aria-label={label}>
        <thead>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((h) => (
                <HeaderCell key={h.id} header={h} sort={sort} />
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {loading
            ? Array.from({ length: skeletonRows }, (_, i) => (
                <tr key={i} className="skeleton-row" aria-hidden="true">
                  {columns.map((c, j) => (
                    <td key={c.id}>
                      <Skeleton width={j === 0 ? '60%' : '40%'} />
                    </td>
                  ))}
                </tr>
              ))
            : rows.map((row) => (
                <tr key={row.id} className={row.getIsSelected() ? 'is-selected' : undefined}>
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className={cellClass(cell.column.columnDef.meta)}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))}
        </tbody>
      </table>
      {!loading && rows.length === 0 ? empty : null}
    </div>
  );
}

/** A page kept in the URL (UI-10): `page` is 1-based there, as people count pages. */
export interface UrlPage {
  index: number;
  goTo(index: number): void;
}

export const urlPage = (page: string, set: (patch: { page: string }) => void): UrlPage => ({
  index: Math.max(0, (Number.parseInt(page, 10) || 1) - 1),
  goTo: (index) => set({ page: String(index + 1) }),
});

/**
 * Server-side paging state. Any change of `filterKey` (or of the page size) starts again at the
 * first page without first fetching the old page of the new filter. With `url`, the page is the
 * URL's (whose filters already start again at the first page when they change).
 */
export function usePaging(tableKey: string, filterKey: string, url?: UrlPage) {
  const pageSize = usePrefsStore((s) => s.tables[tableKey]?.pageSize ?? PAGE_SIZES[0]);
  const key = `${filterKey}|${pageSize}`;
  const [paging, setPaging] = useState({ key, index: 0 });
  const pageIndex = url ? url.index : paging.key === key ? paging.index : 0;
  return {
    tableKey,
    pageIndex,
    pageSize,
    skip: pageIndex * pageSize,
    goTo: url ? url.goTo : (index: number) => setPaging({ key, index }),
    /** A new page size: back to the first page. */
    onPageSize: () => url?.goTo(0),
  };
}

export function Pager({
  paging,
  total,
  label,
}: {
  paging: ReturnType<typeof usePaging>;
  /** undefined while the first page loads: the bar keeps its height. */
  total: number | undefined;
  /** e.g. "Pages of hosts". */
  label: string;
}) {
  const id = useId();
  const setTablePrefs = usePrefsStore((s) => s.setTablePrefs);
  const { pageIndex, pageSize, goTo } = paging;
  const count = total ?? 0;
  const first = count === 0 ? 0 : pageIndex * pageSize + 1;
  const last = Math.min(count, (pageIndex + 1) * pageSize);
  const pageCount = Math.max(1, Math.ceil(count / pageSize));
  return (
    <nav className="pagination" aria-label={label}>
      <div className="toolbar-field">
        <label className="toolbar-label" htmlFor={`${id}-size`}>
          Rows per page
        </label>
        <select
          id={`${id}-size`}
          value={pageSize}
          onChange={(e) => {
            setTablePrefs(paging.tableKey, { pageSize: Number(e.target.value) });
            paging.onPageSize();
          }}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <span className="pagination-range" aria-live="polite">
        {total !== undefined
          ? `${formatCount(first)}–${formatCount(last)} of ${formatCount(count)}`
          : ' '}
      </span>
      <button
        type="button"
        className="button button-secondary"
        disabled={pageIndex === 0}
        onClick={() => goTo(pageIndex - 1)}
      >
        ‹ Previous
      </button>
      <span className="pagination-page">
        Page {pageIndex + 1} of {pageCount}
      </span>
      <button
        type="button"
        className="button button-secondary"
        disabled={pageIndex + 1 >= pageCount}
        onClick={() => goTo(pageIndex + 1)}
      >
        Next ›
      </button>
    </nav>
  );
}
