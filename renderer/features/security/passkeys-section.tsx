import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Field, FormError } from '../../components/field';
import { errorMessage, fieldError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { createPasskey, passkeyFailure } from '../../lib/passkey';
import { useTRPC } from '../../lib/trpc';

/**
 * IDN-2: the caller's passkeys: the list (name, added, last used), "Add a passkey" (options, the
 * browser's prompt, the answer with a name) and remove, which the server guards with a step-up
 * (the step-up dialog asks in place).
 */
export function PasskeysSection({ onChanged }: { onChanged(): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.auth.passkeys.queryOptions());
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const options = useMutation(trpc.auth.passkeyRegistrationOptions.mutationOptions());
  const register = useMutation(trpc.auth.registerPasskey.mutationOptions());
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.auth.passkeys.queryKey() });
    onChanged();
  };
  const remove = useMutation(trpc.auth.removePasskey.mutationOptions({ onSuccess: refresh }));
  const add = async () => {
    setBusy(true);
    setError(null);
    try {
      const created = await options.mutateAsync();
      const response = await createPasskey(created.options);
      await register.mutateAsync({ name: name.trim() || 'Passkey', response });
      setName('');
      await refresh();
    } catch (e) {
      setError(passkeyFailure(e) ?? errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const rows = list.data ?? [];
  return (
    <section className="passkeys" data-passkeys={rows.length}>
      <h2>Passkeys</h2>
      {rows.length === 0 ? (
        <p>
          No passkeys yet. A passkey signs you in with this device's screen lock or a security key.
        </p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Added</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr key={p.id} data-passkey={p.id}>
                <td>{p.name}</td>
                <td>{formatDateTime(p.created_at)}</td>
                <td>{p.last_used_at ? formatDateTime(p.last_used_at) : 'Never'}</td>
                <td>
                  <button
                    type="button"
                    className="button button-danger"
                    disabled={remove.isPending}
                    aria-label={`Remove passkey ${p.name}`}
                    onClick={() => remove.mutate({ id: p.id })}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <FormError error={remove.error ? errorMessage(remove.error) : null} />
      <Field
        label="Passkey name"
        error={fieldError(register.error, 'name')}
        hint="What you will call it, e.g. Work laptop."
      >
        <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
      </Field>
      <FormError error={error} />
      <div className="button-row">
        <button
          type="button"
          className="button"
          disabled={busy}
          aria-busy={busy || undefined}
          onClick={() => void add()}
        >
          Add a passkey
        </button>
      </div>
    </section>
  );
}
