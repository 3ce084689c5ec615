import { useState, type ReactNode } from 'react';
import { Dialog } from './dialog';
import { Field, FormError } from './field';

interface TypedConfirmProps {
  open: boolean;
  onClose(): void;
  title: string;
  /** What the user must type exactly, e.g. the org name. */
  expected: string;
  confirmLabel: string;
  busy?: boolean;
  error?: string | null;
  /** The consequence, stated before anything else. */
  warning: ReactNode;
  children?: ReactNode;
  onConfirm(): void;
  /** UI-15: what the action acts on (an OrgTarget), shown before the consequence. */
  target?: ReactNode;
}

/** A destructive confirmation that makes the user look at what they are about to change. */
export function TypedConfirmDialog(props: TypedConfirmProps) {
  return (
    <Dialog open={props.open} onClose={props.onClose} title={props.title} size="medium">
      <TypedConfirmBody {...props} />
    </Dialog>
  );
}

function TypedConfirmBody({
  expected,
  confirmLabel,
  busy,
  error,
  warning,
  children,
  onConfirm,
  onClose,
  target,
}: TypedConfirmProps) {
  const [typed, setTyped] = useState('');
  const matches = typed.trim() === expected;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (matches && !busy) onConfirm();
      }}
    >
      {target}
      <div className="callout callout-danger">{warning}</div>
      {children}
      <Field label={`Type "${expected}" to confirm`}>
        <input
          type="text"
          autoComplete="off"
          spellCheck={false}
          value={typed}
          data-autofocus
          onChange={(e) => setTyped(e.target.value)}
        />
      </Field>
      <FormError error={error} />
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-danger"
          disabled={!matches || busy}
          aria-busy={busy || undefined}
        >
          {busy ? <span className="spinner" aria-hidden="true" /> : null}
          {confirmLabel}
        </button>
      </div>
    </form>
  );
}
