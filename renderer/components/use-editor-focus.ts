import { useLayoutEffect, useRef } from 'react';

const FIELDS = 'input:not([disabled]), select:not([disabled]), textarea:not([disabled])';

/**
 * UI-16 for an editor that is not a dialog (a side panel): focus moves into it when it opens (its
 * `[data-autofocus]` field, else its first usable field, else the panel itself) and back to the
 * control that opened it when it closes, unless the user has already put focus elsewhere (say,
 * on another row, which opens the next editor).
 */
export function useEditorFocus<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useLayoutEffect(() => {
    const panel = ref.current;
    if (!panel) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const wanted = panel.querySelector<HTMLElement>('[data-autofocus]');
    const target =
      wanted && !wanted.matches(':disabled') ? wanted : panel.querySelector<HTMLElement>(FIELDS);
    if (target) target.focus();
    else {
      panel.tabIndex = -1;
      panel.focus();
    }
    return () => {
      const now = document.activeElement;
      const lost = !now || now === document.body || panel.contains(now);
      if (lost && opener?.isConnected) opener.focus();
    };
  }, []);
  return ref;
}
