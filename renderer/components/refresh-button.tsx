import { useQueryClient } from '@tanstack/react-query';
import { ariaShortcut, shortcutLabel } from '../lib/keys';
import { GLOBAL } from '../shell/actions';
import { refreshNow, useRefreshState } from '../shell/refresh';

/** UI-14: fetch what this view shows now (the console-wide Refresh action, also its key). */
export function RefreshButton() {
  const queryClient = useQueryClient();
  const running = useRefreshState((s) => s.running);
  const { id, label, shortcut } = GLOBAL.refresh;
  return (
    <button
      type="button"
      className="button button-secondary"
      data-action={id}
      aria-busy={running || undefined}
      aria-keyshortcuts={ariaShortcut(shortcut)}
      title={`${label} (${shortcutLabel(shortcut)})`}
      onClick={() => void refreshNow(queryClient)}
    >
      {running ? <span className="spinner" aria-hidden="true" /> : null}
      {label}
    </button>
  );
}
