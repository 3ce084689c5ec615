import { useId, type FormEvent, type ReactNode } from 'react';
import { useUnsavedChanges } from '../../shell/unsaved';

interface SettingsSectionProps {
  title: string;
  description?: ReactNode;
  /** Why this caller cannot change the section; every control in it is disabled with it. */
  reason: string | null;
  onSubmit?(e: FormEvent<HTMLFormElement>): void;
  children: ReactNode;
  footer?: ReactNode;
  tone?: 'danger';
}

/** One independently saved group of org settings, each guarded by its own permission. */
export function SettingsSection({
  title,
  description,
  reason,
  onSubmit,
  children,
  footer,
  tone,
}: SettingsSectionProps) {
  const id = useId();
  return (
    <section
      className={`panel settings-section${tone ? ` panel-${tone}` : ''}`}
      aria-labelledby={id}
    >
      <header className="section-header">
        <h2 id={id}>{title}</h2>
        {description ? <div className="section-description">{description}</div> : null}
      </header>
      {reason ? (
        <p id={`${id}-reason`} className="disabled-reason block">
          {reason}
        </p>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit?.(e);
        }}
      >
        <fieldset
          className="bare-fieldset"
          disabled={Boolean(reason)}
          aria-describedby={reason ? `${id}-reason` : undefined}
        >
          <legend className="visually-hidden">{title}</legend>
          {children}
        </fieldset>
        {footer}
      </form>
    </section>
  );
}

export function SaveBar({
  dirty,
  busy,
  disabled,
  label,
  onReset,
}: {
  dirty: boolean;
  busy: boolean;
  disabled: boolean;
  /** What the edits are of, for the question before they would be dropped (UI-16). */
  label: string;
  onReset(): void;
}) {
  useUnsavedChanges(dirty && !disabled, label);
  return (
    <div className="save-bar">
      <span className="muted" aria-live="polite">
        {dirty ? 'Unsaved changes' : ''}
      </span>
      <button
        type="button"
        className="button button-ghost"
        disabled={!dirty || busy || disabled}
        onClick={onReset}
      >
        Discard
      </button>
      <button
        type="submit"
        className="button button-primary"
        disabled={!dirty || busy || disabled}
        aria-busy={busy || undefined}
      >
        {busy ? <span className="spinner" aria-hidden="true" /> : null}
        Save changes
      </button>
    </div>
  );
}
