import { useQueryClient } from '@tanstack/react-query';
import { REFRESH_KEY, refreshNow, useRefreshState } from '../shell/refresh';

/** UI-14: fetch what this view shows now (also the R key). */
export function RefreshButton() {
  const queryClient = useQueryClient();
  const running = useRefreshState((s) => s.running);
  return (
    <button
      type="button"
      className="button button-secondary"
      aria-busy={running || undefined}
      aria-keyshortcuts={REFRESH_KEY}
      title={`Refresh (${REFRESH_KEY})`}
      onClick={() => void refreshNow(queryClient)}
    >
      {running ? <span className="spinner" aria-hidden="true" /> : null}
      Refresh
    </button>
  );
}
