import type { ReactNode } from 'react';
import { Dialog } from './dialog';
import { FormError } from './field';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The safe answer, focused first. */
  cancelLabel?: string;
  tone?: 'primary' | 'danger';
  busy?: boolean;
  error?: string | null;
  onConfirm(): void;
  onClose(): void;
  /** UI-15: what the action acts on (an OrgTarget), shown before the question. */
  target?: ReactNode;
}

/** A yes/no question whose default (focused) answer is the safe one: Cancel. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel = 'Cancel',
  tone = 'primary',
  busy,
  error,
  onConfirm,
  onClose,
  target,
}: ConfirmDialogProps) {
  return (
    <Dialog open={open} onClose={onClose} title={title} size="small">
      {target}
      <div className="confirm-body">{children}</div>
      <FormError error={error} />
      <div className="form-actions">
        <button type="button" className="button button-secondary" data-autofocus onClick={onClose}>
          {cancelLabel}
        </button>
        <button
          type="button"
          className={`button button-${tone}`}
          disabled={busy}
          aria-busy={busy || undefined}
          onClick={onConfirm}
        >
          {busy ? <span className="spinner" aria-hidden="true" /> : null}
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
