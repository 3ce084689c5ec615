import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { OrgRole, Role } from '../../../shared/permissions';
import type { RoleGrant, User } from '../../../shared/schemas/users.schema';
import { Dialog } from '../../components/dialog';
import { FormError } from '../../components/field';
import { errorMessage, fieldIndex } from '../../lib/errors';
import { useTRPC, type RouterInputs } from '../../lib/trpc';
import { toast } from '../../stores/toast-store';
import { ROLE_HINTS, ROLE_LABELS, ROLE_ORDER } from './roles';

type RoleInput = RouterInputs['users']['setRoles']['roles'][number];

interface Row {
  key: number;
  role: Role;
  orgId: number | null;
}

let nextKey = 1;
const rowOf = (g: RoleGrant): Row => ({
  key: nextKey++,
  role: g.role,
  orgId: g.role === 'account_admin' ? null : (g.organization_id ?? null),
});

/** TEN-6: a user's roles as rows of role + organization (or account-wide for account admins). */
export function RoleEditorDialog({
  user,
  orgs,
  onClose,
}: {
  user: User | null;
  orgs: { id: number; name: string }[];
  onClose(): void;
}) {
  return (
    <Dialog
      open={user !== null}
      onClose={onClose}
      title={user ? `Roles of ${user.name}` : 'Roles'}
      size="large"
    >
      {user ? <RoleEditor key={user.id} user={user} orgs={orgs} onClose={onClose} /> : null}
    </Dialog>
  );
}

function RoleEditor({
  user,
  orgs,
  onClose,
}: {
  user: User;
  orgs: { id: number; name: string }[];
  onClose(): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [rows, setRows] = useState<Row[]>(() => user.roles.map(rowOf));
  const [localError, setLocalError] = useState<{ index: number; message: string } | null>(null);
  const save = useMutation(
    trpc.users.setRoles.mutationOptions({
      onSuccess: (u) => {
        void queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.organizations.pathKey() });
        toast.success(`Roles of ${u.name} saved.`);
        onClose();
      },
    }),
  );

  const update = (key: number, patch: Partial<Row>) => {
    setLocalError(null);
    setRows((rs) =>
      rs.map((r) => {
        if (r.key !== key) return r;
        const next = { ...r, ...patch };
        // An org role needs an org; account admin holds none.
        if (next.role === 'account_admin') next.orgId = null;
        else if (next.orgId === null) next.orgId = orgs[0]?.id ?? null;
        return next;
      }),
    );
  };

  const submit = () => {
    const missing = rows.findIndex((r) => r.role !== 'account_admin' && r.orgId === null);
    if (missing >= 0) {
      setLocalError({ index: missing, message: 'Choose the organization this role applies to.' });
      return;
    }
    setLocalError(null);
    const roles: RoleInput[] = rows.map((r) =>
      r.role === 'account_admin'
        ? { role: 'account_admin' }
        : { role: r.role as OrgRole, organization_id: r.orgId as number },
    );
    save.mutate({ id: user.id, roles });
  };

  const serverIndex = fieldIndex(save.error, 'roles');
  const rowError = (i: number): string | null =>
    localError?.index === i
      ? localError.message
      : serverIndex === i
        ? errorMessage(save.error)
        : null;

  if (user.is_support_engineer) {
    return (
      <>
        <p className="disabled-reason block">
          Support engineers hold no tenant role: they read an account only through a support grant.
        </p>
        <div className="form-actions">
          <button
            type="button"
            className="button button-secondary"
            data-autofocus
            onClick={onClose}
          >
            Close
          </button>
        </div>
      </>
    );
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <p className="muted">
        {user.email}. A user may hold different roles in different organizations; with no role, they
        see nothing.
      </p>
      <div className="role-rows" role="group" aria-labelledby={`${id}-head`}>
        <div className="role-row role-head" id={`${id}-head`} aria-hidden="true">
          <span>Role</span>
          <span>Organization</span>
          <span />
        </div>
        {rows.length === 0 ? (
          <p className="muted role-empty">No roles: this user sees nothing.</p>
        ) : null}
        {rows.map((r, i) => {
          const err = rowError(i);
          return (
            <div key={r.key} className={`role-row-wrap${err ? ' field-invalid' : ''}`}>
              <div className="role-row">
                <label className="visually-hidden" htmlFor={`${id}-${r.key}-role`}>
                  Role {i + 1}
                </label>
                <select
                  id={`${id}-${r.key}-role`}
                  value={r.role}
                  aria-describedby={`${id}-${r.key}-hint${err ? ` ${id}-${r.key}-error` : ''}`}
                  onChange={(e) => update(r.key, { role: e.target.value as Role })}
                >
                  {ROLE_ORDER.map((role) => (
                    <option key={role} value={role}>
                      {ROLE_LABELS[role]}
                    </option>
                  ))}
                </select>
                <label className="visually-hidden" htmlFor={`${id}-${r.key}-org`}>
                  Organization of role {i + 1}
                </label>
                <select
                  id={`${id}-${r.key}-org`}
                  value={r.orgId ?? ''}
                  disabled={r.role === 'account_admin'}
                  aria-invalid={err ? true : undefined}
                  onChange={(e) =>
                    update(r.key, { orgId: e.target.value === '' ? null : Number(e.target.value) })
                  }
                >
                  {r.role === 'account_admin' ? (
                    <option value="">All organizations (account-wide)</option>
                  ) : (
                    <>
                      {r.orgId === null ? <option value="">Choose…</option> : null}
                      {r.orgId !== null && !orgs.some((o) => o.id === r.orgId) ? (
                        <option value={r.orgId}>Organization #{r.orgId}</option>
                      ) : null}
                      {orgs.map((o) => (
                        <option key={o.id} value={o.id}>
                          {o.name}
                        </option>
                      ))}
                    </>
                  )}
                </select>
                <button
                  type="button"
                  className="button button-ghost"
                  aria-label={`Remove role ${i + 1} (${ROLE_LABELS[r.role]})`}
                  onClick={() => {
                    setLocalError(null);
                    setRows((rs) => rs.filter((x) => x.key !== r.key));
                  }}
                >
                  Remove
                </button>
              </div>
              <div id={`${id}-${r.key}-hint`} className="field-hint">
                {ROLE_HINTS[r.role]}
              </div>
              {err ? (
                <div id={`${id}-${r.key}-error`} className="field-error" role="alert">
                  {err}
                </div>
              ) : null}
            </div>
          );
        })}
      </div>
      <button
        type="button"
        className="button button-secondary"
        onClick={() =>
          setRows((rs) => [...rs, { key: nextKey++, role: 'reader', orgId: orgs[0]?.id ?? null }])
        }
      >
        Add role
      </button>
      <FormError error={save.error && serverIndex === null ? errorMessage(save.error) : null} />
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-primary"
          disabled={save.isPending}
          aria-busy={save.isPending || undefined}
        >
          {save.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Save roles
        </button>
      </div>
    </form>
  );
}
