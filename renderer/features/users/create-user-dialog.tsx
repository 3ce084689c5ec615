import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  MAX_EMAIL_LENGTH,
  MAX_NAME_LENGTH,
  MAX_PASSWORD_LENGTH,
  PASSWORD_RULE,
} from '../../../shared/constants';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { errorMessage, fieldError } from '../../lib/errors';
import { useTRPC } from '../../lib/trpc';
import { useShell } from '../../shell/shell-context';
import { toast } from '../../stores/toast-store';

/** TEN-6: a new user of this account; roles are given afterwards in the role editor. */
export function CreateUserDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose(): void;
  onCreated(userId: number): void;
}) {
  return (
    <Dialog open={open} onClose={onClose} title="New user" size="medium">
      <CreateUserForm onClose={onClose} onCreated={onCreated} />
    </Dialog>
  );
}

function CreateUserForm({ onClose, onCreated }: { onClose(): void; onCreated(id: number): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // PLAT-2: support engineers are the platform operator's to make; others are not offered it.
  const { me } = useShell();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [support, setSupport] = useState(false);
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: (u) => {
        void queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() });
        toast.success(
          u.is_support_engineer
            ? `${u.name} was created as a platform support engineer.`
            : `${u.name} was created. Give them roles so they can see organizations.`,
        );
        onCreated(u.id);
        onClose();
      },
    }),
  );
  const err = create.error;
  const errors = {
    email: fieldError(err, 'email'),
    name: fieldError(err, 'name'),
    password: fieldError(err, 'password'),
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({
          email: email.trim(),
          name: name.trim(),
          ...(password ? { password } : {}),
          ...(me.is_platform_operator ? { is_support_engineer: support } : {}),
        });
      }}
    >
      <div className="form-grid">
        <Field label="Email" error={errors.email}>
          <input
            type="email"
            required
            autoComplete="off"
            maxLength={MAX_EMAIL_LENGTH}
            value={email}
            data-autofocus
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field label="Name" error={errors.name}>
          <input
            type="text"
            required
            maxLength={MAX_NAME_LENGTH}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
      </div>
      <Field
        label="Password"
        aside="optional"
        error={errors.password}
        hint={`${PASSWORD_RULE} Without one, the user cannot sign in with a password until one is set.`}
      >
        <input
          type="password"
          autoComplete="new-password"
          maxLength={MAX_PASSWORD_LENGTH}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
      {me.is_platform_operator ? (
        <label className="checkbox">
          <input type="checkbox" checked={support} onChange={(e) => setSupport(e.target.checked)} />
          <span>
            Platform support engineer
            <span className="radio-hint">
              Holds no tenant role: reads a customer account only while it grants support access,
              and never changes anything.
            </span>
          </span>
        </label>
      ) : null}
      <FormError
        error={err && !errors.email && !errors.name && !errors.password ? errorMessage(err) : null}
      />
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-primary"
          disabled={create.isPending}
          aria-busy={create.isPending || undefined}
        >
          {create.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Create user
        </button>
      </div>
    </form>
  );
}
