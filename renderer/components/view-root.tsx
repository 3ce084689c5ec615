import { useEffect, type ReactNode } from 'react';
import { ariaShortcut, shortcutLabel } from '../lib/keys';
import { useActions, type ActionDef } from '../shell/actions';
import { GuardedButton } from './guarded-button';
import { RefreshButton } from './refresh-button';

interface ViewRootProps {
  /** The registry id of the view; e2e tests find views by it. */
  view: string;
  title: string;
  /** True once the data this view needs first has arrived; sets data-state="ready". */
  ready: boolean;
  /**
   * The view's actions (UI-16), declared once: shown as the header's buttons and offered by the
   * action palette, the shortcut sheet and their shortcuts.
   */
  actions?: readonly ActionDef[];
  subtitle?: ReactNode;
  children: ReactNode;
}

/** One action as a header button, saying its shortcut and, when disabled, why. */
export function ActionButton({ action }: { action: ActionDef }) {
  return (
    <GuardedButton
      variant={action.variant ?? 'secondary'}
      mutates={action.mutates ?? true}
      disabledReason={action.disabledReason}
      disabled={action.disabled}
      busy={action.busy}
      data-action={action.id}
      aria-keyshortcuts={action.shortcut ? ariaShortcut(action.shortcut) : undefined}
      title={action.shortcut ? `${action.label} (${shortcutLabel(action.shortcut)})` : undefined}
      onClick={action.run}
    >
      {action.label}
    </GuardedButton>
  );
}

/** The frame of every main view: heading, actions, and the readiness flag tests wait on. */
export function ViewRoot({ view, title, ready, actions, subtitle, children }: ViewRootProps) {
  // What the palette, the sheet and the keys offer: this view's actions, as they are now.
  useEffect(() => {
    const entry = { title, actions: actions ?? [] };
    useActions.setState({ view: entry });
    return () => {
      if (useActions.getState().view === entry) useActions.setState({ view: null });
    };
  }, [title, actions]);

  return (
    <section
      className="view"
      data-view={view}
      data-state={ready ? 'ready' : 'loading'}
      aria-busy={!ready}
      aria-labelledby={`view-title-${view}`}
    >
      <header className="view-header">
        <div className="view-heading">
          <h1 id={`view-title-${view}`}>{title}</h1>
          {subtitle ? <div className="view-subtitle">{subtitle}</div> : null}
        </div>
        <div className="view-actions">
          <RefreshButton />
          {(actions ?? [])
            .filter((a) => a.placement !== 'own')
            .map((a) => (
              <ActionButton key={a.id} action={a} />
            ))}
        </div>
      </header>
      {children}
    </section>
  );
}

export function Skeleton({ width, height = '1em' }: { width?: string; height?: string }) {
  return (
    <span className="skeleton" style={{ width: width ?? '100%', height }} aria-hidden="true" />
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {children ? <div className="empty-body">{children}</div> : null}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: string; onRetry?: () => void }) {
  return (
    <div className="error-state" role="alert">
      <p>{error}</p>
      {onRetry ? (
        <button type="button" className="button button-secondary" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
