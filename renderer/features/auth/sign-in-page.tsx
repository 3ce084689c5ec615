import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Field, FormError } from '../../components/field';
import { createProbeClient } from '../../lib/client';
import { errorCode, errorMessage, fieldError } from '../../lib/errors';
import { useSession } from '../../lib/session';
import { hasSsoReturn, takeSsoReturn } from '../../lib/sso-return';
import { passkeyFailure, assertPasskey } from '../../lib/passkey';
import { useTRPC } from '../../lib/trpc';

/** Email and password, single sign-on (IDN-4), or an API token for admins who hold only the bootstrap token. */
export function SignInPage() {
  const [mode, setMode] = useState<'password' | 'token' | 'sso'>(() =>
    hasSsoReturn() ? 'sso' : 'password',
  );
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
        {mode === 'password' ? <PasswordForm /> : mode === 'token' ? <TokenForm /> : <SsoForm />}
        {mode !== 'sso' ? (
          <button type="button" className="link-button" onClick={() => setMode('sso')}>
            Sign in with SSO
          </button>
        ) : null}
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
  const [mfa, setMfa] = useState<{ token: string; methods: string[] } | null>(null);
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: (r) =>
        'mfa_required' in r
          ? setMfa({ token: r.mfa_token, methods: r.methods })
          : signIn({ token: r.token, kind: 'session' }),
    }),
  );
  if (mfa) {
    return (
      <SecondFactorForm mfaToken={mfa.token} methods={mfa.methods} onRestart={() => setMfa(null)} />
    );
  }
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
function SecondFactorForm({
  mfaToken,
  methods,
  onRestart,
}: {
  mfaToken: string;
  methods: string[];
  onRestart: () => void;
}) {
  const trpc = useTRPC();
  const signIn = useSession((s) => s.signIn);
  const [code, setCode] = useState('');
  const hasCode = methods.includes('totp');
  const passkeyOptions = useMutation(trpc.auth.passkeySignInOptions.mutationOptions());
  const passkeyComplete = useMutation(trpc.auth.completeMfaWithPasskey.mutationOptions());
  const [passkeyBusy, setPasskeyBusy] = useState(false);
  const [passkeyError, setPasskeyError] = useState<string | null>(null);
  // IDN-2: options for this mfa_token, the browser's prompt, then the assertion completes it.
  const withPasskey = async () => {
    setPasskeyBusy(true);
    setPasskeyError(null);
    try {
      const { options } = await passkeyOptions.mutateAsync({ mfa_token: mfaToken });
      const response = await assertPasskey(options);
      const r = await passkeyComplete.mutateAsync({ mfa_token: mfaToken, response });
      signIn({ token: r.token, kind: 'session' });
    } catch (e) {
      setPasskeyError(passkeyFailure(e) ?? errorMessage(e));
    } finally {
      setPasskeyBusy(false);
    }
  };
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
      {methods.includes('passkey') ? (
        <>
          <button
            type="button"
            className={`button button-block${hasCode ? '' : ' button-primary'}`}
            onClick={() => void withPasskey()}
            disabled={passkeyBusy}
            aria-busy={passkeyBusy || undefined}
          >
            {passkeyBusy ? <span className="spinner" aria-hidden="true" /> : null}
            Use a passkey
          </button>
          <FormError error={passkeyError} />
        </>
      ) : null}
      {hasCode ? (
        <>
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
          <FormError
            error={err && (expired || !fieldError(err, 'code')) ? errorMessage(err) : null}
          />
          <button
            type="submit"
            className="button button-primary button-block"
            disabled={complete.isPending}
            aria-busy={complete.isPending || undefined}
          >
            {complete.isPending ? <span className="spinner" aria-hidden="true" /> : null}
            Verify
          </button>
        </>
      ) : null}
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

/** This tab's PKCE verifier between the start and the return (sessionStorage: this tab only). */
const SSO_VERIFIER_KEY = 'orgdesk.sso.verifier';

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

async function newPkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

/**
 * IDN-4: single sign-on. The server answers the provider's URL for this tab's PKCE challenge;
 * the provider sends the browser back to the server, which sends it here with a one-time code
 * that only this tab (holding the verifier) can trade for a session: the same bearer-token
 * session a password sign-in gives, kept where the console keeps it (lib/session.ts).
 */
function SsoForm() {
  const trpc = useTRPC();
  const signIn = useSession((s) => s.signIn);
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [finishing, setFinishing] = useState(hasSsoReturn);
  const start = useMutation(
    trpc.sso.start.mutationOptions({
      onSuccess: (r) => window.location.assign(r.authorization_url),
    }),
  );
  const exchange = useMutation(trpc.sso.exchange.mutationOptions());
  const once = useRef(false);
  useEffect(() => {
    if (once.current) return;
    once.current = true;
    const back = takeSsoReturn();
    if (!back) return;
    const verifier = sessionStorage.getItem(SSO_VERIFIER_KEY);
    sessionStorage.removeItem(SSO_VERIFIER_KEY);
    const code = back.code;
    if (!code || !verifier) {
      setFinishing(false);
      setError(
        back.error ??
          (code
            ? 'This sign-in was started in another tab or window: start it again here.'
            : 'The sign-in did not finish: start it again.'),
      );
      return;
    }
    exchange.mutate(
      { code, code_verifier: verifier },
      {
        onSuccess: (r) => signIn({ token: r.token, kind: 'session' }),
        onError: (err) => {
          setFinishing(false);
          setError(errorMessage(err));
        },
      },
    );
  }, [exchange, signIn]);
  const err = start.error;
  if (finishing) {
    return (
      <p className="muted" role="status" aria-busy="true">
        <span className="spinner" aria-hidden="true" /> Finishing single sign-on…
      </p>
    );
  }
  return (
    <form
      className="signin-form"
      data-form="sso"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        const { verifier, challenge } = await newPkce();
        sessionStorage.setItem(SSO_VERIFIER_KEY, verifier);
        start.mutate({ email, code_challenge: challenge });
      }}
    >
      <Field
        label="Work email"
        error={fieldError(err, 'email')}
        hint="Your organisation's identity provider will ask you to sign in."
      >
        <input
          type="email"
          autoComplete="username"
          required
          value={email}
          autoFocus
          onChange={(e) => setEmail(e.target.value)}
        />
      </Field>
      <FormError error={error ?? (err && !fieldError(err, 'email') ? errorMessage(err) : null)} />
      <button
        type="submit"
        className="button button-primary button-block"
        disabled={start.isPending}
        aria-busy={start.isPending || undefined}
      >
        {start.isPending ? <span className="spinner" aria-hidden="true" /> : null}
        Continue with SSO
      </button>
    </form>
  );
}
