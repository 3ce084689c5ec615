import { create } from 'zustand';

/**
 * Why this window may change nothing (an export under read-only review, EXP-2), or null. The
 * shared controls (GuardedButton, denyReason) consult it, so no feature has to; the server still
 * refuses every mutation on its own.
 */
interface ReadOnlyState {
  reason: string | null;
  setReason(reason: string | null): void;
}

export const useReadOnly = create<ReadOnlyState>()((set) => ({
  reason: null,
  setReason: (reason) => set({ reason }),
}));

/** The reason outside React (denyReason); the shell remounts its views when it changes. */
export const readOnlyReason = (): string | null => useReadOnly.getState().reason;
