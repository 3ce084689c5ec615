import { create } from 'zustand';

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  text: string;
  /** The org the notice is about (null: All organizations); it never outlives a switch. */
  scope: number | null;
}

interface ToastState {
  toasts: Toast[];
  /** The org the window shows now (the shell keeps it current). */
  scope: number | null;
  push(kind: Toast['kind'], text: string, scope?: number | null): void;
  dismiss(id: number): void;
  clear(): void;
  /** The window moved to another org (or to All): notices about the previous one go. */
  setScope(scope: number | null): void;
}

let next = 1;

export const useToasts = create<ToastState>()((set) => ({
  toasts: [],
  scope: null,
  push: (kind, text, scope) =>
    set((s) => ({
      toasts: [
        ...s.toasts.slice(-3),
        { id: next++, kind, text, scope: scope === undefined ? s.scope : scope },
      ],
    })),
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  clear: () => set({ toasts: [] }),
  setScope: (scope) =>
    set((s) =>
      s.scope === scope ? s : { scope, toasts: s.toasts.filter((t) => t.scope === scope) },
    ),
}));

/**
 * A notice in the current org, or (with `scope`) in the place the window is about to show, e.g.
 * "that organization is no longer available" for All organizations.
 */
export const toast = {
  info: (text: string, scope?: number | null) => useToasts.getState().push('info', text, scope),
  success: (text: string, scope?: number | null) =>
    useToasts.getState().push('success', text, scope),
  error: (text: string, scope?: number | null) => useToasts.getState().push('error', text, scope),
};
