import { cloneElement, useId, type ReactElement, type ReactNode } from 'react';

interface FieldProps {
  label: string;
  /** The input; it receives id, aria-invalid and aria-describedby. */
  children: ReactElement<Record<string, unknown>>;
  hint?: ReactNode;
  error?: string | null;
  className?: string;
  /** Shown after the label in a muted tone, e.g. "optional". */
  aside?: string;
}

/** A labelled control with its hint and, right under it, the error that concerns it. */
export function Field({ label, children, hint, error, className, aside }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>
        {label}
        {aside ? <span className="field-aside"> {aside}</span> : null}
      </label>
      {cloneElement(children, {
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy || undefined,
      })}
      {/* The error sits right under the control it is about, before any hint. */}
      {error ? (
        <div id={errorId} className="field-error" role="alert">
          {error}
        </div>
      ) : null}
      {hint ? (
        <div id={hintId} className="field-hint">
          {hint}
        </div>
      ) : null}
    </div>
  );
}

/** An error that belongs to no single field (permission, conflict, network). */
export function FormError({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <div className="form-error" role="alert">
      {error}
    </div>
  );
}
