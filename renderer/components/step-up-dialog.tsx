import { useState } from 'react';
import { useStepUp } from '../stores/step-up-store';
import { Dialog } from './dialog';
import { Field } from './field';

/**
 * IDN-3: asks for a current code when the server wants a step-up, then the action goes on by
 * itself (lib/step-up-link.ts). Mounted once, beside the console.
 */
export function StepUpDialog() {
  const ask = useStepUp((s) => s.ask);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const close = () => {
    ask?.cancel();
    setCode('');
    setError(null);
  };
  return (
    <Dialog
      open={ask !== null}
      onClose={close}
      title="Confirm it is you"
      size="small"
      className="step-up-dialog"
      description="This action needs a second factor from the last 5 minutes."
      footer={
        <>
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={async () => {
              if (!ask) return;
              setBusy(true);
              const refusal = await ask.submitPasskey();
              setBusy(false);
              setError(refusal);
            }}
          >
            Use a passkey
          </button>
          <button
            type="submit"
            form="step-up-form"
            className="button button-primary"
            disabled={busy}
            aria-busy={busy || undefined}
          >
            Confirm
          </button>
        </>
      }
    >
      <form
        id="step-up-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!ask) return;
          setBusy(true);
          const refusal = await ask.submit(code.trim());
          setBusy(false);
          setError(refusal);
          if (refusal === null) setCode('');
        }}
      >
        <Field
          label="Authentication code"
          error={error}
          hint="The 6-digit code from your authenticator app, or a recovery code."
        >
          <input
            inputMode="numeric"
            autoComplete="one-time-code"
            spellCheck={false}
            required
            data-autofocus
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        </Field>
      </form>
    </Dialog>
  );
}
