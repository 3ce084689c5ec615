import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useId, useMemo, useState } from 'react';
import { MAX_PAGE_LIMIT } from '../../../shared/constants';
import type { User } from '../../../shared/schemas/users.schema';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { GuardedButton } from '../../components/guarded-button';
import { EmptyState, ErrorState, ViewRoot } from '../../components/view-root';
import { errorMessage } from '../../lib/errors';
import { plural } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { useShell } from '../../shell/shell-context';
import { toast } from '../../stores/toast-store';
import { DataTable, useSort } from '../../components/table-kit';
import { denyReason } from '../../lib/permissions';
import { CreateUserDialog } from './create-user-dialog';
import { RoleEditorDialog } from './role-editor-dialog';
import { describeGrant } from './roles';
import './users.css';

const column = createColumnHelper<User>();
const SUPPORT_ENGINEER_REASON =
  'Support engineers belong to the platform: only a platform operator changes them.';
const collator = new Intl.Collator(undefined, { sensitivity: 'base' });
const EMPTY: User[] = [];

/** UI-7 users and roles (TEN-6), for account admins. */
export function UsersView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { me, accountPermissions } = useShell();
  const ids = useId();
  const reason = denyReason(me, accountPermissions, 'users.manage');
  const users = useQuery({ ...trpc.users.list.queryOptions(), enabled: reason === null });
  const orgs = useQuery({
    ...trpc.organizations.list.queryOptions({
      limit: MAX_PAGE_LIMIT,
      active_only: false,
      include_stats: false,
    }),
    enabled: reason === null,
  });
  const [searchText, setSearchText] = useState('');
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [deactivating, setDeactivating] = useState<User | null>(null);
  const [signingOut, setSigningOut] = useState<User | null>(null);
  const signOut = useMutation(
    trpc.users.signOutEverywhere.mutationOptions({
      onSuccess: (r) => {
        const who = signingOut?.name ?? 'The user';
        setSigningOut(null);
        toast.success(`${who} was signed out everywhere: ${plural(r.revoked, 'session')} ended.`);
      },
    }),
  );

  const setActive = useMutation(
    trpc.users.update.mutationOptions({
      onSuccess: (u) => {
        setDeactivating(null);
        void queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() });
        toast.success(u.is_active ? `${u.name} is active again.` : `${u.name} was deactivated.`);
      },
      onError: (e) => {
        // The confirmation shows it; a reactivation has no dialog.
        if (!deactivating) toast.error(errorMessage(e));
      },
    }),
  );

  const orgList = useMemo(
    () => (orgs.data?.items ?? []).map((o) => ({ id: o.id, name: o.name })),
    [orgs.data],
  );
  const orgName = useMemo(() => {
    const names = new Map(orgList.map((o) => [o.id, o.name]));
    return (id: number) => names.get(id) ?? `Organization #${id}`;
  }, [orgList]);

  const columns = useMemo(
    () => [
      column.accessor('name', {
        header: 'User',
        meta: { sortKey: 'name' },
        cell: (c) => (
          <div className="cell-stack">
            <span className="cell-name">
              {c.getValue()}
              {c.row.original.id === me.id ? <span className="tag">you</span> : null}
            </span>
            <span className="cell-sub">{c.row.original.email}</span>
          </div>
        ),
      }),
      column.accessor('roles', {
        header: 'Roles',
        cell: (c) => {
          const u = c.row.original;
          if (u.is_support_engineer) {
            return <span className="tag tag-info role-tag">Platform support engineer</span>;
          }
          if (u.roles.length === 0) return <span className="muted">No role: sees nothing</span>;
          return (
            <ul className="role-tags" aria-label={`Roles of ${u.name}`}>
              {u.roles.map((g) => (
                <li key={`${g.role}:${g.organization_id ?? ''}`} className="tag role-tag">
                  {describeGrant(g, orgName)}
                </li>
              ))}
            </ul>
          );
        },
      }),
      column.accessor('is_active', {
        header: 'Status',
        meta: { sortKey: 'status' },
        cell: (c) =>
          c.getValue() ? (
            <span className="tag tag-success">Active</span>
          ) : (
            <span className="tag tag-warning">Deactivated</span>
          ),
      }),
      column.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { actions: true },
        cell: (c) => {
          const u = c.row.original;
          const self = u.id === me.id;
          // PLAT-2: a support engineer is the platform's; only an operator changes one.
          const platformOnly =
            u.is_support_engineer && !me.is_platform_operator ? SUPPORT_ENGINEER_REASON : null;
          return (
            <span className="row-actions">
              {u.is_active ? (
                <GuardedButton
                  aria-label={`Deactivate ${u.name}`}
                  disabledReason={self ? 'You cannot deactivate yourself.' : platformOnly}
                  onClick={() => {
                    setActive.reset();
                    setDeactivating(u);
                  }}
                >
                  Deactivate…
                </GuardedButton>
              ) : (
                <GuardedButton
                  aria-label={`Reactivate ${u.name}`}
                  disabledReason={platformOnly}
                  disabled={setActive.isPending}
                  onClick={() => setActive.mutate({ id: u.id, patch: { is_active: true } })}
                >
                  Reactivate
                </GuardedButton>
              )}
              {u.is_active ? (
                <GuardedButton
                  aria-label={`Sign out ${u.name} everywhere`}
                  disabledReason={platformOnly}
                  onClick={() => {
                    signOut.reset();
                    setSigningOut(u);
                  }}
                >
                  Sign out everywhere…
                </GuardedButton>
              ) : null}
              <GuardedButton
                aria-label={`Edit roles of ${u.name}`}
                mutates={false}
                disabledReason={platformOnly}
                onClick={() => setEditing(u)}
              >
                Roles…
              </GuardedButton>
            </span>
          );
        },
      }),
    ],
    [me.id, me.is_platform_operator, orgName, setActive, signOut],
  );

  const needle = searchText.trim().toLowerCase();
  // UI-11: users.list answers the whole account at once, so the table sorts what it holds (an
  // exact order, with no page boundary to respect): by name (then email), or active first.
  const sort = useSort<'name' | 'status'>({ sort: 'name', order: 'asc' });
  const rows = useMemo(() => {
    const matching = needle
      ? (users.data ?? EMPTY).filter(
          (u) => u.name.toLowerCase().includes(needle) || u.email.toLowerCase().includes(needle),
        )
      : (users.data ?? EMPTY);
    const byName = (a: User, b: User) =>
      collator.compare(a.name, b.name) || collator.compare(a.email, b.email) || a.id - b.id;
    const cmp =
      sort.sort === 'status'
        ? (a: User, b: User) => Number(b.is_active) - Number(a.is_active) || byName(a, b)
        : byName;
    const sorted = [...matching].sort(cmp);
    return sort.order === 'desc' ? sorted.reverse() : sorted;
  }, [users.data, needle, sort.sort, sort.order]);
  const table = useReactTable({
    data: rows,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (u) => String(u.id),
  });

  if (reason) {
    return (
      <ViewRoot view="users" title="Users and roles" ready>
        <p className="disabled-reason block">{reason}</p>
      </ViewRoot>
    );
  }

  return (
    <ViewRoot
      view="users"
      title="Users and roles"
      ready={users.isSuccess && orgs.isSuccess}
      subtitle={users.data ? plural(users.data.length, 'user') : ' '}
      actions={[
        {
          id: 'new-user',
          label: 'New user',
          shortcut: { key: 'n' },
          variant: 'primary',
          run: () => setCreating(true),
        },
      ]}
    >
      <div className="toolbar" role="search" aria-label="Filter users">
        <div className="toolbar-field toolbar-grow">
          <label className="toolbar-label" htmlFor={`${ids}-search`}>
            Search
          </label>
          <input
            id={`${ids}-search`}
            type="search"
            placeholder="Name or email"
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
          />
        </div>
      </div>
      {users.error ? (
        <ErrorState error={errorMessage(users.error)} onRetry={() => void users.refetch()} />
      ) : (
        <DataTable
          table={table}
          label="Users"
          loading={users.isPending}
          fetching={users.isFetching}
          skeletonRows={6}
          sort={sort}
          empty={<EmptyState title={needle ? 'No user matches' : 'No users yet'} />}
        />
      )}

      <CreateUserDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={() => undefined}
      />
      <RoleEditorDialog user={editing} orgs={orgList} onClose={() => setEditing(null)} />
      <ConfirmDialog
        open={signingOut !== null}
        title={signingOut ? `Sign out ${signingOut.name} everywhere?` : 'Sign out everywhere?'}
        confirmLabel="Sign out everywhere"
        tone="danger"
        busy={signOut.isPending}
        error={signOut.error ? errorMessage(signOut.error) : null}
        onClose={() => setSigningOut(null)}
        onConfirm={() => signingOut && signOut.mutate({ id: signingOut.id })}
      >
        <p>
          Every console and desktop session of theirs ends now: their next click asks them to sign
          in again{signingOut?.id === me.id ? ', and so will yours' : ''}. Their personal API tokens
          keep working; deactivate the user to stop those too.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={deactivating !== null}
        title={deactivating ? `Deactivate ${deactivating.name}?` : 'Deactivate?'}
        confirmLabel="Deactivate"
        tone="danger"
        busy={setActive.isPending}
        error={setActive.error ? errorMessage(setActive.error) : null}
        onClose={() => setDeactivating(null)}
        onConfirm={() =>
          deactivating && setActive.mutate({ id: deactivating.id, patch: { is_active: false } })
        }
      >
        <p>
          They can no longer sign in, and their sessions and API tokens stop working. Their roles
          and history stay; you can reactivate them at any time.
        </p>
      </ConfirmDialog>
    </ViewRoot>
  );
}
