import { useEffect } from 'react';
import { usePrefsStore } from '../stores/prefs-store';

/** Light and dark follow the OS (prefers-color-scheme) unless the user picked one. */
export function useApplyTheme(): void {
  const theme = usePrefsStore((s) => s.theme);
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
  }, [theme]);
}
