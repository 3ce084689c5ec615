import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { MAX_NAME_LENGTH } from '../../../shared/constants';
import type { Account } from '../../../shared/schemas/accounts.schema';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { errorMessage, fieldError } from '../../lib/errors';
import { useTRPC } from '../../lib/trpc';
import { toast } from '../../stores/toast-store';

/** PLAT-1: a new name for an account; its admins see the change in their audit trail. */
export function RenameAccountDialog({
  account,
  onClose,
}: {
  account: Account | null;
  onClose(): void;
}) {
  return (
    <Dialog
      open={account !== null}
      onClose={onClose}
      title={account ? `Rename ${account.name}` : 'Rename account'}
      size="small"
    >
      {account ? <RenameForm account={account} onClose={onClose} /> : null}
    </Dialog>
  );
}

function RenameForm({ account, onClose }: { account: Account; onClose(): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(account.name);
  const rename = useMutation(
    trpc.accounts.update.mutationOptions({
      onSuccess: (a) => {
        void queryClient.invalidateQueries({ queryKey: trpc.accounts.pathKey() });
        toast.success(`The account is now called ${a.name}.`);
        onClose();
      },
    }),
  );
  const err = rename.error;
  const nameError = fieldError(err, 'name') ?? fieldError(err, 'patch.name');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        rename.mutate({ id: account.id, patch: { name: name.trim() } });
      }}
    >
      <Field label="Account name" error={nameError}>
        <input
          type="text"
          required
          maxLength={MAX_NAME_LENGTH}
          value={name}
          data-autofocus
          onChange={(e) => setName(e.target.value)}
        />
      </Field>
      <FormError error={err && !nameError ? errorMessage(err) : null} />
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-primary"
          disabled={rename.isPending || name.trim() === account.name}
          aria-busy={rename.isPending || undefined}
        >
          {rename.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Rename
        </button>
      </div>
    </form>
  );
}
