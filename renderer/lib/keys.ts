// Keyboard shortcuts (UI-16): how one is written on this platform, spelled for aria-keyshortcuts,
// and matched against a key press. Actions declare theirs once (renderer/shell/actions.ts).
const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export interface Shortcut {
  /** The key as KeyboardEvent.key reads it, lower case for letters: 'k', 'r', '?'. */
  key: string;
  /** Ctrl, or ⌘ on a Mac. */
  mod?: boolean;
  shift?: boolean;
}

const keyName = (key: string): string => (key.length === 1 ? key.toUpperCase() : key);

/** "Ctrl+Shift+P" / "⌘⇧P", "R", "?". */
export function shortcutLabel(s: Shortcut): string {
  const key = keyName(s.key);
  if (isMac) return `${s.mod ? '⌘' : ''}${s.shift ? '⇧' : ''}${key}`;
  return [s.mod ? 'Ctrl' : null, s.shift ? 'Shift' : null, key].filter(Boolean).join('+');
}

/** The aria-keyshortcuts value: both modifiers where Ctrl/⌘ is meant. */
export function ariaShortcut(s: Shortcut): string {
  const key = keyName(s.key);
  const shift = s.shift ? 'Shift+' : '';
  return s.mod ? `Control+${shift}${key} Meta+${shift}${key}` : `${shift}${key}`;
}

/**
 * True when the press is this shortcut. Without `mod`, no Ctrl, ⌘ or Alt may be held (Shift may:
 * it is how "?" is typed); with it, Shift must match.
 */
export function matchesShortcut(e: KeyboardEvent, s: Shortcut): boolean {
  if (e.altKey || e.key.toLowerCase() !== s.key.toLowerCase()) return false;
  const mod = e.ctrlKey || e.metaKey;
  if (!s.mod) return !mod;
  return mod && e.shiftKey === Boolean(s.shift);
}

/** How the org switcher shortcut is written on this platform. */
export const SWITCH_SHORTCUT = shortcutLabel({ key: 'k', mod: true });
