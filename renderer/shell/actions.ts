// UI-16: the one registry of actions. Every view declares its actions once, on its ViewRoot
// (renderer/components/view-root.tsx); the shell declares the few that work everywhere. The view
// header's buttons, the action palette (Ctrl/Cmd+Shift+P), the shortcut sheet (?) and the key
// handler all read these lists, so an action and its shortcut are never written twice.
import { create } from 'zustand';
import type { Shortcut } from '../lib/keys';
import { readOnlyReason } from '../stores/read-only-store';

export interface ActionDef {
  /** Stable id; its header button carries it as data-action. */
  id: string;
  label: string;
  shortcut?: Shortcut;
  run(): void;
  /** Why it cannot run now, in plain words (shown on the button, in the palette, on the key). */
  disabledReason?: string | null;
  /** Unavailable for a moment (e.g. already running), with nothing to explain. */
  disabled?: boolean;
  busy?: boolean;
  /** False for an action that changes nothing (it stays usable in a read-only review). */
  mutates?: boolean;
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  /**
   * Where its button is: in the view's header (the default), or placed by the view itself beside
   * what it acts on (the bulk bar's buttons of a selection, UI-13), carrying data-action={id} so
   * the palette and the key still focus it before running.
   */
  placement?: 'header' | 'own';
}

/** The actions of the whole console, as the shell binds them (labels and shortcuts here). */
export const GLOBAL = {
  switchOrg: {
    id: 'switch-organization',
    label: 'Switch organization',
    shortcut: { key: 'k', mod: true },
  },
  palette: {
    id: 'actions',
    label: 'Show all actions',
    shortcut: { key: 'p', mod: true, shift: true },
  },
  shortcuts: { id: 'shortcuts', label: 'Keyboard shortcuts', shortcut: { key: '?' } },
  refresh: { id: 'refresh', label: 'Refresh', shortcut: { key: 'r' } },
} as const satisfies Record<string, Omit<ActionDef, 'run'>>;

interface ActionsState {
  /** The view on screen: its title and its actions. */
  view: { title: string; actions: readonly ActionDef[] } | null;
  global: readonly ActionDef[];
}

export const useActions = create<ActionsState>()(() => ({ view: null, global: [] }));

/** What the palette and the sheet list: the view's own actions first, then the console's. */
export function allActions(s: ActionsState = useActions.getState()): readonly ActionDef[] {
  return [...(s.view?.actions ?? []), ...s.global];
}

/** Why it cannot run, counting a read-only review for anything that changes data. */
export const reasonOf = (a: ActionDef): string | null =>
  a.disabledReason || (a.mutates === false ? null : readOnlyReason());

export const unavailable = (a: ActionDef): boolean =>
  Boolean(reasonOf(a)) || Boolean(a.disabled) || Boolean(a.busy);

/**
 * Runs an action as if its own button had been pressed: focus goes to that button first, so a
 * dialog the action opens gives focus back to it when it closes (UI-16).
 */
export function runAction(a: ActionDef): void {
  if (unavailable(a)) return;
  const button = document.querySelector<HTMLElement>(`[data-action="${CSS.escape(a.id)}"]`);
  button?.focus();
  a.run();
}
