import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { GuardedButton } from '../../components/guarded-button';
import { ErrorState, ViewRoot } from '../../components/view-root';
import { errorMessage } from '../../lib/errors';
import type { ConnectionInfo } from '../../../shared/schemas/desktop.schema';
import { desktopApi, desktopKeys } from './desktop-api';
import { useDesktopSession } from './desktop-root';
import { ConnectionForm } from './connection-form';

const LOCAL_ID = 'local';

/** UI-8: the local database (default) and remote Orgdesk servers, per window. */
export function ConnectionsView() {
  const queryClient = useQueryClient();
  const session = useDesktopSession();
  const list = useQuery({
    queryKey: desktopKeys.connections,
    queryFn: () => desktopApi().connections.list.query(),
  });
  const [signingIn, setSigningIn] = useState<ConnectionInfo | 'new' | null>(null);
  const [removing, setRemoving] = useState<ConnectionInfo | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['desktop'] });
  const use = useMutation({
    mutationFn: (id: string) => desktopApi().connections.use.mutate({ id }),
    onSuccess: refresh,
  });
  const signOut = useMutation({
    mutationFn: (id: string) => desktopApi().connections.signOut.mutate({ id }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => desktopApi().connections.remove.mutate({ id }),
    onSuccess: async () => {
      setRemoving(null);
      await refresh();
    },
  });
  const current = session.data?.mode === 'review' ? null : (session.data?.connection_id ?? null);
  const remotes = list.data?.connections.filter((c) => c.kind === 'remote') ?? [];
  const keychain = list.data?.keychain;
  const actionError = use.error ?? signOut.error;

  return (
    <ViewRoot
      view="connections"
      title="Connections"
      ready={list.isSuccess && session.isSuccess}
      subtitle={session.data ? `This window: ${session.data.label}` : ' '}
      actions={[
        {
          id: 'add-server',
          label: 'Add server',
          shortcut: { key: 'n' },
          variant: 'primary',
          mutates: false,
          run: () => setSigningIn('new'),
        },
      ]}
    >
      {keychain && !keychain.secure ? (
        <div className="callout callout-warning" role="note">
          The OS keychain is not secure here ({keychain.reason}), so Orgdesk will not remember
          sign-ins: a token is kept only until Orgdesk quits.
        </div>
      ) : null}
      {list.error ? (
        <ErrorState error={errorMessage(list.error)} onRetry={() => void list.refetch()} />
      ) : null}
      {actionError ? (
        <div className="form-error" role="alert">
          {errorMessage(actionError)}
        </div>
      ) : null}
      <ul className="connection-list" aria-label="Connections">
        <li className="connection" aria-current={current === LOCAL_ID ? 'true' : undefined}>
          <div>
            <strong>This computer</strong>
            <div className="muted">The local database (default)</div>
          </div>
          <div className="connection-actions">
            {current === LOCAL_ID ? (
              <span className="tag tag-info">In use</span>
            ) : (
              <GuardedButton
                mutates={false}
                busy={use.isPending && use.variables === LOCAL_ID}
                onClick={() => use.mutate(LOCAL_ID)}
              >
                Use this computer
              </GuardedButton>
            )}
          </div>
        </li>
        {remotes.map((c) => (
          <li
            key={c.id}
            className="connection"
            aria-current={current === c.id ? 'true' : undefined}
            aria-label={c.name}
          >
            <div>
              <strong>{c.name}</strong> <span className="muted">{c.url}</span>
              <div className="muted">
                {c.signed_in
                  ? `Signed in as ${c.email ?? 'unknown'} · token ${
                      c.token_storage === 'keychain'
                        ? 'kept in the OS keychain'
                        : 'kept until Orgdesk quits'
                    }`
                  : 'Not signed in'}
              </div>
            </div>
            <div className="connection-actions">
              {current === c.id ? <span className="tag tag-info">In use</span> : null}
              {current !== c.id ? (
                <GuardedButton
                  mutates={false}
                  disabledReason={c.signed_in ? null : 'Sign in first.'}
                  busy={use.isPending && use.variables === c.id}
                  onClick={() => use.mutate(c.id)}
                >
                  Switch to {c.name}
                </GuardedButton>
              ) : null}
              {c.signed_in ? (
                <GuardedButton
                  mutates={false}
                  busy={signOut.isPending && signOut.variables === c.id}
                  onClick={() => signOut.mutate(c.id)}
                >
                  Sign out
                </GuardedButton>
              ) : (
                <GuardedButton mutates={false} onClick={() => setSigningIn(c)}>
                  Sign in…
                </GuardedButton>
              )}
              <GuardedButton
                mutates={false}
                variant="danger"
                aria-label={`Remove ${c.name}`}
                onClick={() => {
                  remove.reset();
                  setRemoving(c);
                }}
              >
                Remove
              </GuardedButton>
            </div>
          </li>
        ))}
      </ul>
      {signingIn ? (
        <ConnectionForm
          key={signingIn === 'new' ? 'new' : signingIn.id}
          connection={signingIn === 'new' ? null : signingIn}
          keychainSecure={keychain?.secure ?? false}
          onDone={() => setSigningIn(null)}
        />
      ) : null}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name ?? 'server'}?`}
        confirmLabel="Remove"
        tone="danger"
        busy={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => removing && remove.mutate(removing.id)}
        onClose={() => setRemoving(null)}
      >
        Orgdesk signs out of {removing?.url} and forgets this server and its token.
      </ConfirmDialog>
    </ViewRoot>
  );
}
