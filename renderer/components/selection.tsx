// UI-13: multi-select in a server-side table (TanStack row selection keyed by row id), for bulk
// actions on the rows of the page shown. The selection is dropped whenever the page or a filter
// changes, so an action never applies to rows the user no longer sees.
import { createColumnHelper, type RowSelectionState, type Table } from '@tanstack/react-table';
import { useState, type ReactNode } from 'react';
import { formatCount } from '../lib/format';

/** Row selection that starts empty again whenever `resetKey` changes (page, filters). */
export function useSelection(resetKey: string) {
  const [state, setState] = useState<{ key: string; rows: RowSelectionState }>({
    key: resetKey,
    rows: {},
  });
  const rows = state.key === resetKey ? state.rows : {};
  const setRows = (next: RowSelectionState | ((prev: RowSelectionState) => RowSelectionState)) =>
    setState({ key: resetKey, rows: typeof next === 'function' ? next(rows) : next });
  return {
    rowSelection: rows,
    onRowSelectionChange: setRows,
    clear: () => setRows({}),
  };
}

/** The ids of the selected rows (row ids are the objects' ids). */
export const selectedIds = (table: Table<unknown>): number[] =>
  table.getSelectedRowModel().rows.map((r) => Number(r.id));

/** A first column of checkboxes: one per row, and one in the header for the whole page. */
export function selectColumn<T>(what: string, nameOf: (row: T) => string) {
  return createColumnHelper<T>().display({
    id: 'select',
    meta: { select: true },
    header: ({ table }) => (
      <input
        type="checkbox"
        className="select-box"
        aria-label={`Select every ${what} on this page`}
        checked={table.getIsAllPageRowsSelected()}
        ref={(el) => {
          if (el) el.indeterminate = table.getIsSomePageRowsSelected();
        }}
        onChange={table.getToggleAllPageRowsSelectedHandler()}
      />
    ),
    cell: ({ row }) => (
      <input
        type="checkbox"
        className="select-box"
        aria-label={`Select ${nameOf(row.original)}`}
        checked={row.getIsSelected()}
        disabled={!row.getCanSelect()}
        onChange={row.getToggleSelectedHandler()}
      />
    ),
  });
}

/** Shown while rows are selected: how many, the bulk actions, and a way out. */
export function BulkBar({
  count,
  noun,
  onClear,
  children,
}: {
  count: number;
  /** e.g. ['host', 'hosts'] */
  noun: [string, string];
  onClear(): void;
  children: ReactNode;
}) {
  if (count === 0) return null;
  return (
    <div className="bulk-bar" role="region" aria-label="Bulk actions">
      <span className="bulk-count" aria-live="polite">
        {formatCount(count)} {count === 1 ? noun[0] : noun[1]} selected
      </span>
      <span className="bulk-actions">{children}</span>
      <button type="button" className="button button-ghost" onClick={onClear}>
        Clear selection
      </button>
    </div>
  );
}
