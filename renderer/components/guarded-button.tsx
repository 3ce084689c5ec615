import { useId, type ButtonHTMLAttributes, type ReactNode } from 'react';

interface GuardedButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  /** Why the action is unavailable; the button is disabled and the reason shown beside it. */
  disabledReason?: string | null;
  busy?: boolean;
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  children: ReactNode;
}

/** A button that, when it cannot be used, says why in text a screen reader also reads. */
export function GuardedButton({
  disabledReason,
  busy,
  variant = 'secondary',
  children,
  className,
  disabled,
  type,
  ...rest
}: GuardedButtonProps) {
  const reasonId = useId();
  const button = (
    <button
      {...rest}
      type={type ?? 'button'}
      className={`button button-${variant}${className ? ` ${className}` : ''}`}
      disabled={Boolean(disabledReason) || disabled || busy}
      aria-busy={busy || undefined}
      aria-describedby={disabledReason ? reasonId : rest['aria-describedby']}
    >
      {busy ? <span className="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
  if (!disabledReason) return button;
  return (
    <span className="guarded">
      {button}
      <span id={reasonId} className="disabled-reason">
        {disabledReason}
      </span>
    </span>
  );
}
