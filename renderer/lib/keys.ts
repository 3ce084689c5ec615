const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** How the org switcher shortcut is written on this platform. */
export const SWITCH_SHORTCUT = isMac ? '⌘K' : 'Ctrl+K';
