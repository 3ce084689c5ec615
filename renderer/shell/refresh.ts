// UI-14's Refresh control: the button in every view's header and the R key both end here.
import type { QueryClient } from '@tanstack/react-query';
import { create } from 'zustand';

interface RefreshState {
  running: boolean;
}

export const useRefreshState = create<RefreshState>()(() => ({ running: false }));

/** Everything the window shows now, fetched again at once (inactive answers wait their turn). */
export async function refreshNow(queryClient: QueryClient): Promise<void> {
  useRefreshState.setState({ running: true });
  try {
    await queryClient.refetchQueries({ type: 'active' });
  } finally {
    useRefreshState.setState({ running: false });
  }
}

/** True when a key pressed there is typing (a field, a select, editable text), not a shortcut. */
export function isTypingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(
      target.type,
    );
  }
  return false;
}
