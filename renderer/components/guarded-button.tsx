import { useId, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { useReadOnly } from '../stores/read-only-store';

interface GuardedButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  /** Why the action is unavailable; the button is disabled and the reason shown beside it. */
  disabledReason?: string | null;
  busy?: boolean;
  variant?: 'primary' | 'secondary' | 'danger' | 'danger-outline' | 'ghost';
  /**
   * False for a button that only reads (downloads, checks): it stays usable in a read-only
   * review. Every other GuardedButton is disabled there, with the review as its reason.
   */
  mutates?: boolean;
  children: ReactNode;
}

/** A button that, when it cannot be used, says why in text a screen reader also reads. */
export function GuardedButton({
  disabledReason: ownReason,
  mutates = true,
  busy,
  variant = 'secondary',
  children,
  className,
  disabled,
  type,
  ...rest
}: GuardedButtonProps) {
  const reasonId = useId();
  const readOnly = useReadOnly((s) => s.reason);
  const disabledReason = ownReason || (mutates ? readOnly : null);
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
