import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { toDataURL } from 'qrcode';
import { useEffect, useState } from 'react';
import { Field, FormError } from '../../components/field';
import { errorMessage, fieldError } from '../../lib/errors';
import { useTRPC } from '../../lib/trpc';
import { PasskeysSection } from './passkeys-section';

/**
 * IDN-1: the caller's second factor: enrol an authenticator app (QR code and the key to type),
 * confirm it with a code, keep the recovery codes (shown once), regenerate them or remove the
 * factor with a current code. Account admins also set "Require MFA" for the account here.
 */
export function SecurityPanel({ accountAdmin }: { accountAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.auth.mfaStatus.queryOptions());
  const [codes, setCodes] = useState<string[] | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.mfaStatus.queryKey() });

  if (codes) {
    return (
      <RecoveryCodes
        codes={codes}
        onDone={() => {
          setCodes(null);
          void refresh();
        }}
      />
    );
  }
  if (!status.data) {
    return status.error ? (
      <FormError error={errorMessage(status.error)} />
    ) : (
      <span className="spinner" aria-hidden="true" />
    );
  }
  const s = status.data;
  return (
    <div className="security-panel" data-totp={s.totp}>
      {s.required_by_account && s.totp !== 'enrolled' && s.passkeys === 0 ? (
        <div className="callout callout-info" role="status">
          Your account requires a second factor: enrol an authenticator app or add a passkey to
          continue.
        </div>
      ) : null}
      {s.totp === 'enrolled' ? (
        <Enrolled left={s.recovery_codes_left} onCodes={setCodes} onRemoved={refresh} />
      ) : (
        <Enrol onConfirmed={setCodes} />
      )}
      <PasskeysSection onChanged={refresh} />
      {accountAdmin ? <RequireMfa required={s.required_by_account} onChanged={refresh} /> : null}
    </div>
  );
}

function Enrol({ onConfirmed }: { onConfirmed(codes: string[]): void }) {
  const trpc = useTRPC();
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const enrol = useMutation(trpc.auth.enrolTotp.mutationOptions());
  const confirm = useMutation(
    trpc.auth.confirmTotp.mutationOptions({ onSuccess: (r) => onConfirmed(r.recovery_codes) }),
  );
  const uri = enrol.data?.otpauth_uri ?? null;
  useEffect(() => {
    if (!uri) return;
    let live = true;
    void toDataURL(uri, { margin: 1, width: 200 }).then((url) => live && setQr(url));
    return () => {
      live = false;
    };
  }, [uri]);
  if (!enrol.data) {
    return (
      <section>
        <h2>Authenticator app</h2>
        <p className="muted">
          Sign in with a code from an app such as 1Password or Google Authenticator.
        </p>
        <FormError error={enrol.error ? errorMessage(enrol.error) : null} />
        <button
          type="button"
          className="button button-primary"
          disabled={enrol.isPending}
          onClick={() => enrol.mutate()}
        >
          Set up an authenticator app
        </button>
      </section>
    );
  }
  return (
    <section>
      <h2>Scan this code with your authenticator app</h2>
      {qr ? (
        <img src={qr} alt="QR code for your authenticator app" width={200} height={200} />
      ) : null}
      <p>
        Or type this key: <code data-totp-secret>{enrol.data.secret}</code>
      </p>
      <form
        className="signin-form"
        onSubmit={(e) => {
          e.preventDefault();
          confirm.mutate({ code });
        }}
      >
        <Field label="Code from the app" error={fieldError(confirm.error, 'code')}>
          <input
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </Field>
        <FormError
          error={
            confirm.error && !fieldError(confirm.error, 'code') ? errorMessage(confirm.error) : null
          }
        />
        <button type="submit" className="button button-primary" disabled={confirm.isPending}>
          Confirm
        </button>
      </form>
    </section>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone(): void }) {
  return (
    <section className="recovery-codes">
      <h2>Your recovery codes</h2>
      <p>
        Each works once, instead of a code from the app. They are shown this once: keep them
        somewhere safe.
      </p>
      <ul className="recovery-code-list">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <button type="button" className="button button-primary" onClick={onDone}>
        I have saved them
      </button>
    </section>
  );
}

function Enrolled({
  left,
  onCodes,
  onRemoved,
}: {
  left: number;
  onCodes(codes: string[]): void;
  onRemoved(): void;
}) {
  const trpc = useTRPC();
  const [code, setCode] = useState('');
  const regenerate = useMutation(
    trpc.auth.regenerateRecoveryCodes.mutationOptions({
      onSuccess: (r) => onCodes(r.recovery_codes),
    }),
  );
  const remove = useMutation(trpc.auth.removeTotp.mutationOptions({ onSuccess: onRemoved }));
  const err = regenerate.error ?? remove.error;
  return (
    <section>
      <h2>Authenticator app</h2>
      <p>
        <span className="tag tag-success">Enrolled</span> {left} recovery codes left.
      </p>
      <Field
        label="Current code"
        error={fieldError(err, 'code')}
        hint="To regenerate the recovery codes or remove the app, give a current code."
      >
        <input
          inputMode="numeric"
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
      </Field>
      <FormError error={err && !fieldError(err, 'code') ? errorMessage(err) : null} />
      <div className="button-row">
        <button
          type="button"
          className="button"
          disabled={regenerate.isPending}
          onClick={() => regenerate.mutate({ code })}
        >
          Regenerate recovery codes
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={remove.isPending}
          onClick={() => remove.mutate({ code })}
        >
          Remove authenticator
        </button>
      </div>
    </section>
  );
}

function RequireMfa({ required, onChanged }: { required: boolean; onChanged(): Promise<unknown> }) {
  const trpc = useTRPC();
  // The choice shows at once, in the same render as the click: the mutation's own pending state
  // reaches React a tick later (TanStack batches its notifications), and a controlled checkbox
  // drawn from it would snap back in between. Kept until the refetched status has arrived (the
  // success callback awaits it), so the box never shows the old value on the way.
  const [wanted, setWanted] = useState<boolean | null>(null);
  const set = useMutation(
    trpc.auth.setRequireMfa.mutationOptions({
      onSuccess: () => onChanged(),
      onSettled: () => setWanted(null),
    }),
  );
  return (
    <section>
      <h2>Account</h2>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={wanted ?? required}
          disabled={set.isPending}
          onChange={(e) => {
            setWanted(e.target.checked);
            set.mutate({ required: e.target.checked });
          }}
        />{' '}
        Require a second factor for every user of this account
      </label>
      <FormError error={set.error ? errorMessage(set.error) : null} />
    </section>
  );
}
