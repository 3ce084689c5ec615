import { useId, useLayoutEffect, useRef, type ReactNode } from 'react';

interface DialogProps {
  title: string;
  /** Rendered only while open: closing unmounts the content, so nothing shown stays in memory. */
  open: boolean;
  onClose(): void;
  children: ReactNode;
  footer?: ReactNode;
  description?: ReactNode;
  size?: 'small' | 'medium' | 'large';
  /** A data-testid-free hook for tests and styles. */
  className?: string;
}

/**
 * A modal on the native <dialog>: showModal() makes the rest of the page inert (the focus trap),
 * Escape closes, and focus returns to whatever opened it. The first `[data-autofocus]` element gets
 * focus, else the first field.
 */
export function Dialog(props: DialogProps) {
  if (!props.open) return null;
  return <OpenDialog {...props} />;
}

function OpenDialog({
  title,
  onClose,
  children,
  footer,
  description,
  size,
  className,
}: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    const first =
      dialog.querySelector<HTMLElement>('[data-autofocus]') ??
      dialog.querySelector<HTMLElement>(
        '.dialog-body input, .dialog-body select, .dialog-body textarea',
      );
    first?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size ?? 'medium'}${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onCloseRef.current();
      }}
    >
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      <div className="dialog-body">
        {description ? (
          <div id={descId} className="dialog-description">
            {description}
          </div>
        ) : null}
        {children}
      </div>
      {footer ? <footer className="dialog-footer">{footer}</footer> : null}
    </dialog>
  );
}
