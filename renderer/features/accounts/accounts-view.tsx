import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import type { Account } from '../../../shared/schemas/accounts.schema';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { GuardedButton } from '../../components/guarded-button';
import { CellTime, DataTable, Pager, usePaging } from '../../components/table-kit';
import { EmptyState, ErrorState, ViewRoot } from '../../components/view-root';
import { errorMessage } from '../../lib/errors';
import { formatCount, plural } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { useShell } from '../../shell/shell-context';
import { toast } from '../../stores/toast-store';
import { CreateAccountDialog } from './create-account-dialog';
import { RenameAccountDialog } from './rename-account-dialog';

const column = createColumnHelper<Account>();
const EMPTY: Account[] = [];

/** Why a platform operator cannot deactivate this account, or null. */
const deactivateReason = (account: Account, ownAccountId: number): string | null =>
  // Short: it stands beside the button in the row. The server says why in full.
  account.id === ownAccountId ? 'You cannot deactivate your own account.' : null;

/**
 * PLAT-1: the accounts of this server, for platform operators: names, state and counts, never
 * anything inside a tenant. Create (the first admin's token shown once), rename, deactivate and
 * reactivate, each confirmed.
 */
export function AccountsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { me } = useShell();
  const paging = usePaging('accounts', '');
  const list = useQuery({
    ...trpc.accounts.list.queryOptions({ skip: paging.skip, limit: paging.pageSize }),
    placeholderData: keepPreviousData,
    enabled: me.is_platform_operator,
  });
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<Account | null>(null);
  const [toggling, setToggling] = useState<Account | null>(null);

  const setActive = useMutation(
    trpc.accounts.update.mutationOptions({
      onSuccess: (a) => {
        setToggling(null);
        void queryClient.invalidateQueries({ queryKey: trpc.accounts.pathKey() });
        toast.success(a.is_active ? `${a.name} is active again.` : `${a.name} was deactivated.`);
      },
    }),
  );

  const columns = useMemo(
    () => [
      column.accessor('name', {
        header: 'Account',
        cell: (c) => (
          <span className="cell-name">
            {c.getValue()}
            {c.row.original.id === me.account_id ? <span className="tag">yours</span> : null}
          </span>
        ),
      }),
      column.accessor('is_active', {
        header: 'Status',
        cell: (c) =>
          c.getValue() ? (
            <span className="tag tag-success">Active</span>
          ) : (
            <span className="tag tag-warning">Deactivated</span>
          ),
      }),
      column.accessor((a) => a.counts.organizations, {
        id: 'organizations',
        header: 'Organizations',
        meta: { numeric: true },
        cell: (c) => formatCount(c.getValue()),
      }),
      column.accessor((a) => a.counts.users, {
        id: 'users',
        header: 'Users',
        meta: { numeric: true },
        cell: (c) => formatCount(c.getValue()),
      }),
      column.accessor((a) => a.counts.hosts, {
        id: 'hosts',
        header: 'Hosts',
        meta: { numeric: true },
        cell: (c) => formatCount(c.getValue()),
      }),
      column.accessor('created_at', {
        header: 'Created',
        cell: (c) => <CellTime iso={c.getValue()} />,
      }),
      column.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { actions: true },
        cell: (c) => {
          const a = c.row.original;
          return (
            <span className="row-actions">
              <GuardedButton aria-label={`Rename ${a.name}`} onClick={() => setRenaming(a)}>
                Rename…
              </GuardedButton>
              {a.is_active ? (
                <GuardedButton
                  aria-label={`Deactivate ${a.name}`}
                  disabledReason={deactivateReason(a, me.account_id)}
                  onClick={() => {
                    setActive.reset();
                    setToggling(a);
                  }}
                >
                  Deactivate…
                </GuardedButton>
              ) : (
                <GuardedButton
                  aria-label={`Reactivate ${a.name}`}
                  onClick={() => {
                    setActive.reset();
                    setToggling(a);
                  }}
                >
                  Reactivate…
                </GuardedButton>
              )}
            </span>
          );
        },
      }),
    ],
    [me.account_id, setActive],
  );

  const table = useReactTable({
    data: list.data?.items ?? EMPTY,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (a) => String(a.id),
  });

  if (!me.is_platform_operator) {
    return (
      <ViewRoot view="accounts" title="Accounts" ready>
        <p className="disabled-reason block">
          Only a platform operator manages the accounts of this server.
        </p>
      </ViewRoot>
    );
  }

  const deactivating = toggling?.is_active === true;
  return (
    <ViewRoot
      view="accounts"
      title="Accounts"
      ready={list.isSuccess}
      subtitle={
        list.data ? `The tenants of this server · ${plural(list.data.total, 'account')}` : ' '
      }
      actions={[
        {
          id: 'new-account',
          label: 'New account',
          shortcut: { key: 'n' },
          variant: 'primary',
          run: () => setCreating(true),
        },
      ]}
    >
      <p className="field-hint">
        As a platform operator you see each account&apos;s name and counts, never what is inside it:
        to work in an account you need a role there, or a support grant.
      </p>
      {list.error ? (
        <ErrorState error={errorMessage(list.error)} onRetry={() => void list.refetch()} />
      ) : (
        <DataTable
          table={table}
          label="Accounts"
          loading={list.isPending}
          fetching={list.isFetching}
          refreshing={list.isPlaceholderData}
          skeletonRows={4}
          empty={<EmptyState title="No accounts yet" />}
        />
      )}
      <Pager paging={paging} total={list.data?.total} label="Pages of accounts" />

      <CreateAccountDialog open={creating} onClose={() => setCreating(false)} />
      <RenameAccountDialog account={renaming} onClose={() => setRenaming(null)} />
      <ConfirmDialog
        open={toggling !== null}
        title={
          toggling ? `${deactivating ? 'Deactivate' : 'Reactivate'} ${toggling.name}?` : 'Confirm'
        }
        confirmLabel={deactivating ? 'Deactivate account' : 'Reactivate account'}
        tone={deactivating ? 'danger' : 'primary'}
        busy={setActive.isPending}
        error={setActive.error ? errorMessage(setActive.error) : null}
        onClose={() => setToggling(null)}
        onConfirm={() =>
          toggling &&
          setActive.mutate({ id: toggling.id, patch: { is_active: !toggling.is_active } })
        }
      >
        {deactivating ? (
          <p>
            Its {plural(toggling.counts.users, 'user')} can no longer sign in, and their sessions
            and API tokens, its support grants and the agents of its{' '}
            {plural(toggling.counts.hosts, 'host')} are refused until you reactivate it. Nothing is
            deleted.
          </p>
        ) : (
          <p>
            Its users, their sessions and tokens, its support grants and its agents work again at
            once.
          </p>
        )}
      </ConfirmDialog>
    </ViewRoot>
  );
}
