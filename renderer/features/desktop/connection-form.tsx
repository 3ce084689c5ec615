import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Field, FormError } from '../../components/field';
import { errorField, errorMessage, fieldError } from '../../lib/errors';
import { DESKTOP_SSO_TIMEOUT_MS } from '../../../shared/constants';
import type { ConnectionInfo } from '../../../shared/schemas/desktop.schema';
import { desktopApi } from './desktop-api';

const FIELDS = ['name', 'url', 'email', 'password', 'remember'];

/**
 * Adds a remote server and signs in to it (or signs in to a known one). The password goes to
 * main, which signs in at the server; only the session token is kept, in the OS keychain when
 * "remember" is on. Where the keychain is not secure, main refuses and says why, next to it.
 * IDN-4: or single sign-on, in the system browser: main opens the server's sign-in page there
 * and waits for it to come back; meanwhile the form says so and offers to cancel.
 */
export function ConnectionForm({
  connection,
  keychainSecure,
  onDone,
}: {
  connection: ConnectionInfo | null;
  keychainSecure: boolean;
  onDone(): void;
}) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(connection?.name ?? '');
  const [url, setUrl] = useState(connection?.url ?? '');
  const [email, setEmail] = useState(connection?.email ?? '');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(keychainSecure);
  // Once added, a failed sign-in is retried on the same connection, never added twice.
  const [addedId, setAddedId] = useState<string | null>(connection?.id ?? null);

  const connectionId = async () => {
    if (addedId !== null) return addedId;
    const id = (await desktopApi().connections.add.mutate({ name, url })).id;
    setAddedId(id);
    return id;
  };
  const save = useMutation({
    mutationFn: async () =>
      desktopApi().connections.signIn.mutate({
        id: await connectionId(),
        email,
        password,
        remember,
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['desktop'] }),
    onSuccess: onDone,
  });
  // Set while the user cancels a waiting sign-on: its "cancelled" answer is then no error to show.
  const cancelling = useRef(false);
  const sso = useMutation({
    mutationFn: async () => {
      cancelling.current = false;
      return desktopApi().connections.signInWithSso.mutate({
        id: await connectionId(),
        email,
        remember,
      });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['desktop'] }),
    onSuccess: onDone,
  });
  const cancelSso = useMutation({
    mutationFn: async () => {
      cancelling.current = true;
      if (addedId !== null) await desktopApi().connections.cancelSso.mutate({ id: addedId });
    },
  });
  const waiting = sso.isPending;
  const busy = save.isPending || waiting;
  // The error shown is the last attempt's (a password one, or a sign-on not cancelled by the user).
  const [last, setLast] = useState<'password' | 'sso'>('password');
  const err = last === 'password' ? save.error : cancelling.current ? null : sso.error;
  const field = errorField(err);
  const unplaced = err && (field === null || !FIELDS.includes(field)) ? errorMessage(err) : null;
  const adding = addedId === null;

  return (
    <form
      className="panel"
      aria-label={connection ? `Sign in to ${connection.name}` : 'Add a server'}
      onSubmit={(e) => {
        e.preventDefault();
        setLast('password');
        save.mutate();
      }}
    >
      <h2>{connection ? `Sign in to ${connection.name}` : 'Add an Orgdesk server'}</h2>
      {adding ? (
        <>
          <Field label="Name" error={fieldError(err, 'name')}>
            <input value={name} onChange={(e) => setName(e.target.value)} required />
          </Field>
          <Field
            label="Server URL"
            error={fieldError(err, 'url')}
            hint="e.g. https://orgdesk.example.com"
          >
            <input
              type="url"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              required
              autoComplete="url"
            />
          </Field>
        </>
      ) : null}
      <Field label="Email" error={fieldError(err, 'email')}>
        <input
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
          autoComplete="username"
        />
      </Field>
      <Field label="Password" error={fieldError(err, 'password')}>
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          autoComplete="current-password"
        />
      </Field>
      <Field
        label="Remember this sign-in"
        error={fieldError(err, 'remember')}
        hint={
          keychainSecure
            ? 'The session token is kept encrypted in the OS keychain.'
            : 'The OS keychain is not secure here: the token can only be kept until Orgdesk quits.'
        }
      >
        <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
      </Field>
      <FormError error={unplaced} />
      <div className="form-actions">
        <button
          type="button"
          className="button button-secondary"
          onClick={() => {
            // Leaving the form also ends a sign-on still waiting in the browser.
            if (waiting) cancelSso.mutate();
            onDone();
          }}
        >
          Cancel
        </button>
        <button
          type="button"
          className="button button-secondary"
          disabled={busy}
          aria-busy={waiting || undefined}
          onClick={() => {
            setLast('sso');
            sso.mutate();
          }}
        >
          {waiting ? <span className="spinner" aria-hidden="true" /> : null}
          Sign in with single sign-on
        </button>
        <button
          type="submit"
          className="button button-primary"
          disabled={busy}
          aria-busy={save.isPending || undefined}
        >
          {save.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          {adding ? 'Add and sign in' : 'Sign in'}
        </button>
      </div>
      {waiting ? (
        <div className="callout callout-info" role="status" aria-label="Single sign-on">
          <p>
            <strong>Continue in your browser…</strong> Sign in at your organisation&apos;s identity
            provider there; Orgdesk waits up to {DESKTOP_SSO_TIMEOUT_MS / 60_000} minutes and signs
            in here when the browser comes back.
          </p>
          <button
            type="button"
            className="button button-secondary"
            disabled={cancelSso.isPending}
            onClick={() => cancelSso.mutate()}
          >
            Cancel single sign-on
          </button>
        </div>
      ) : null}
    </form>
  );
}
