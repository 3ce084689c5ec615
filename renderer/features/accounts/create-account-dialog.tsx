import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { MAX_EMAIL_LENGTH, MAX_NAME_LENGTH } from '../../../shared/constants';
import type { CreatedAccount } from '../../../shared/schemas/accounts.schema';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { errorMessage, fieldError } from '../../lib/errors';
import { useTRPC } from '../../lib/trpc';
import { SecretOnce } from '../secrets/secret-once';

/**
 * PLAT-1: a new account and its first account admin. The admin's API token is shown once, as
 * personal tokens are: closing the dialog drops it from memory, and it cannot be shown again.
 */
export function CreateAccountDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const [created, setCreated] = useState<CreatedAccount | null>(null);
  const close = () => {
    setCreated(null);
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      title={created ? 'Account created' : 'New account'}
      size="medium"
    >
      {created ? (
        <div className="token-created">
          <p>
            {created.account.name} exists, with {created.admin.email} as its account admin. Give
            them this token over a safe channel: they sign in with it (“Sign in with an API token
            instead”), set a password, and can revoke it afterwards.
          </p>
          <SecretOnce
            secret={created.admin_token}
            label={`API token of ${created.admin.email}`}
            note="Shown only this once: it is stored hashed and cannot be shown again. Copy it now."
          />
          <div className="form-actions">
            <button type="button" className="button button-primary" data-autofocus onClick={close}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <CreateAccountForm onCreated={setCreated} onCancel={close} />
      )}
    </Dialog>
  );
}

function CreateAccountForm({
  onCreated,
  onCancel,
}: {
  onCreated(created: CreatedAccount): void;
  onCancel(): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [adminName, setAdminName] = useState('');
  const create = useMutation(
    trpc.accounts.create.mutationOptions({
      onSuccess: (created) => {
        void queryClient.invalidateQueries({ queryKey: trpc.accounts.pathKey() });
        onCreated(created);
      },
    }),
  );
  const err = create.error;
  const errors = {
    name: fieldError(err, 'name'),
    email: fieldError(err, 'admin_email'),
    adminName: fieldError(err, 'admin_name'),
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({
          name: name.trim(),
          admin_email: email.trim(),
          admin_name: adminName.trim(),
        });
      }}
    >
      <Field
        label="Account name"
        error={errors.name}
        hint="The customer or tenant, e.g. “Contoso”."
      >
        <input
          type="text"
          required
          maxLength={MAX_NAME_LENGTH}
          value={name}
          data-autofocus
          onChange={(e) => setName(e.target.value)}
        />
      </Field>
      <div className="form-grid">
        <Field label="First admin's email" error={errors.email}>
          <input
            type="email"
            required
            autoComplete="off"
            maxLength={MAX_EMAIL_LENGTH}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field label="First admin's name" error={errors.adminName}>
          <input
            type="text"
            required
            maxLength={MAX_NAME_LENGTH}
            value={adminName}
            onChange={(e) => setAdminName(e.target.value)}
          />
        </Field>
      </div>
      <p className="field-hint">
        The first admin is an account admin of the new account only: they manage its organizations
        and users. It gets no platform role.
      </p>
      <FormError
        error={err && !errors.name && !errors.email && !errors.adminName ? errorMessage(err) : null}
      />
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-primary"
          disabled={create.isPending}
          aria-busy={create.isPending || undefined}
        >
          {create.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Create account
        </button>
      </div>
    </form>
  );
}
