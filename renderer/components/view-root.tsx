import type { ReactNode } from 'react';
import { RefreshButton } from './refresh-button';

interface ViewRootProps {
  /** The registry id of the view; e2e tests find views by it. */
  view: string;
  title: string;
  /** True once the data this view needs first has arrived; sets data-state="ready". */
  ready: boolean;
  actions?: ReactNode;
  subtitle?: ReactNode;
  children: ReactNode;
}

/** The frame of every main view: heading, actions, and the readiness flag tests wait on. */
export function ViewRoot({ view, title, ready, actions, subtitle, children }: ViewRootProps) {
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
          {actions}
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
