import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Field, FormError } from '../../components/field';
import { createProbeClient } from '../../lib/client';
import { errorCode, errorMessage, fieldError } from '../../lib/errors';
import { useSession } from '../../lib/session';
import { useTRPC } from '../../lib/trpc';

/** Email and password, or an API token for admins who hold only the bootstrap token. */
export function SignInPage() {
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const notice = useSession((s) => s.notice);
  return (
    <main className="signin" data-view="sign-in" data-state="ready">
      <div className="signin-card">
        <div className="signin-brand" aria-hidden="true">
          <span className="brand-mark">◆</span> Orgdesk
        </div>
        <h1>Sign in</h1>
        <p className="muted">Operator console for your organizations, locations and agents.</p>
        {notice ? (
          <div className="callout callout-info" role="status">
            {notice}
          </div>
        ) : null}
        {mode === 'password' ? <PasswordForm /> : <TokenForm />}
        <button
          type="button"
          className="link-button"
          onClick={() => setMode(mode === 'password' ? 'token' : 'password')}
        >
          {mode === 'password'
            ? 'Sign in with an API token instead'
            : 'Sign in with email and password instead'}
        </button>
      </div>
    </main>
  );
}

function PasswordForm() {
  const trpc = useTRPC();
  const signIn = useSession((s) => s.signIn);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // IDN-1: the password was right and a second factor is due: the code step takes over.
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: (r) =>
        'mfa_required' in r
          ? setMfaToken(r.mfa_token)
          : signIn({ token: r.token, kind: 'session' }),
    }),
  );
  if (mfaToken) return <SecondFactorForm mfaToken={mfaToken} onRestart={() => setMfaToken(null)} />;
  const err = login.error;
  const emailError = fieldError(err, 'email');
  const passwordError = fieldError(err, 'password');
  return (
    <form
      className="signin-form"
      onSubmit={(e) => {
        e.preventDefault();
        login.mutate({ email, password });
      }}
    >
      <Field label="Email" error={emailError}>
        <input
          type="email"
          autoComplete="username"
          required
          value={email}
          data-autofocus
          autoFocus
          onChange={(e) => setEmail(e.target.value)}
        />
      </Field>
      <Field label="Password" error={passwordError}>
        <input
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
      <FormError error={err && !emailError && !passwordError ? errorMessage(err) : null} />
      <button
        type="submit"
        className="button button-primary button-block"
        disabled={login.isPending}
        aria-busy={login.isPending || undefined}
      >
        {login.isPending ? <span className="spinner" aria-hidden="true" /> : null}
        Sign in
      </button>
    </form>
  );
}

/** IDN-1: sign-in's second step: a code from the authenticator app, or a recovery code. */
function SecondFactorForm({ mfaToken, onRestart }: { mfaToken: string; onRestart: () => void }) {
  const trpc = useTRPC();
  const signIn = useSession((s) => s.signIn);
  const [code, setCode] = useState('');
  const complete = useMutation(
    trpc.auth.completeMfa.mutationOptions({
      onSuccess: (r) => signIn({ token: r.token, kind: 'session' }),
    }),
  );
  const err = complete.error;
  const expired = fieldError(err, 'mfa_token');
  return (
    <form
      className="signin-form"
      data-step="second-factor"
      onSubmit={(e) => {
        e.preventDefault();
        complete.mutate({ mfa_token: mfaToken, code });
      }}
    >
      <Field
        label="Authentication code"
        error={expired ? null : fieldError(err, 'code')}
        hint="The 6-digit code from your authenticator app, or one of your recovery codes."
      >
        <input
          inputMode="numeric"
          autoComplete="one-time-code"
          spellCheck={false}
          required
          value={code}
          autoFocus
          onChange={(e) => setCode(e.target.value)}
        />
      </Field>
      <FormError error={err && (expired || !fieldError(err, 'code')) ? errorMessage(err) : null} />
      <button
        type="submit"
        className="button button-primary button-block"
        disabled={complete.isPending}
        aria-busy={complete.isPending || undefined}
      >
        {complete.isPending ? <span className="spinner" aria-hidden="true" /> : null}
        Verify
      </button>
      <button type="button" className="link-button" onClick={onRestart}>
        Start over
      </button>
    </form>
  );
}

function TokenForm() {
  const signIn = useSession((s) => s.signIn);
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="signin-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const value = token.trim();
        if (!value) {
          setError('Paste the API token, e.g. the bootstrap admin token the server printed.');
          return;
        }
        setBusy(true);
        setError(null);
        try {
          // Checked with a throwaway client before this window adopts the token.
          await createProbeClient(value).users.me.query();
          signIn({ token: value, kind: 'api-token' });
        } catch (err) {
          setError(
            errorCode(err) === 'UNAUTHORIZED'
              ? 'This API token is not valid: it is unknown, expired or revoked.'
              : errorMessage(err),
          );
        } finally {
          setBusy(false);
        }
      }}
    >
      <Field
        label="API token"
        error={error}
        hint="A personal API token, or the bootstrap token of the first account admin."
      >
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          autoFocus
          onChange={(e) => setToken(e.target.value)}
        />
      </Field>
      <button
        type="submit"
        className="button button-primary button-block"
        disabled={busy}
        aria-busy={busy || undefined}
      >
        {busy ? <span className="spinner" aria-hidden="true" /> : null}
        Sign in with token
      </button>
    </form>
  );
}
