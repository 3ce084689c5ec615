import { useEffect } from 'react';
import { useToasts, type Toast } from '../stores/toast-store';

const LIFETIME_MS = 6000;

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useToasts((s) => s.dismiss);
  useEffect(() => {
    // Errors stay until dismissed: they may need reading twice.
    if (toast.kind === 'error') return;
    const t = setTimeout(() => dismiss(toast.id), LIFETIME_MS);
    return () => clearTimeout(t);
  }, [toast, dismiss]);
  return (
    <div className={`toast toast-${toast.kind}`}>
      <span className="toast-text">{toast.text}</span>
      <button
        type="button"
        className="icon-button"
        aria-label="Dismiss notification"
        onClick={() => dismiss(toast.id)}
      >
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}

/** Two live regions, present from the start so screen readers announce what is added. */
export function Toaster() {
  const toasts = useToasts((s) => s.toasts);
  return (
    <div className="toaster">
      <div role="status" aria-live="polite" className="toast-stack">
        {toasts
          .filter((t) => t.kind !== 'error')
          .map((t) => (
            <ToastItem key={t.id} toast={t} />
          ))}
      </div>
      <div role="alert" aria-live="assertive" className="toast-stack">
        {toasts
          .filter((t) => t.kind === 'error')
          .map((t) => (
            <ToastItem key={t.id} toast={t} />
          ))}
      </div>
    </div>
  );
}
