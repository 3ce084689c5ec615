// UI-16: unsaved edits are never dropped silently. An editor with edits registers here; closing
// it, or any move to another view or org (a link, the switcher, Back/Forward), asks first, with
// "Keep editing" as the safe answer; reloading or closing the tab gets the browser's own question.
import { useCallback, useEffect, useId } from 'react';
import { create } from 'zustand';
import { ConfirmDialog } from '../components/confirm-dialog';
import { useAppHistory } from './router';

interface Editor {
  label: string;
  /** Editors of one dialog or panel share a scope, so closing it asks about them only. */
  scope: string | null;
}

interface UnsavedState {
  editors: Record<string, Editor>;
  prompt: { labels: string[]; answer(discard: boolean): void } | null;
}

export const useUnsaved = create<UnsavedState>()(() => ({ editors: {}, prompt: null }));

export const hasUnsaved = (): boolean => Object.keys(useUnsaved.getState().editors).length > 0;

/**
 * True when nothing of `scope` (or, without one, nothing anywhere) is unsaved, or the user
 * chose to discard it; false when they keep editing.
 */
export function confirmDiscard(scope?: string): Promise<boolean> {
  const labels = [
    ...new Set(
      Object.values(useUnsaved.getState().editors)
        .filter((e) => scope === undefined || e.scope === scope)
        .map((e) => e.label),
    ),
  ];
  if (labels.length === 0) return Promise.resolve(true);
  // One question at a time: a second ask (say, Back pressed while asking) answers the first.
  useUnsaved.getState().prompt?.answer(false);
  return new Promise((resolve) =>
    useUnsaved.setState({
      prompt: {
        labels,
        answer: (discard) => {
          useUnsaved.setState({ prompt: null });
          resolve(discard);
        },
      },
    }),
  );
}

/**
 * Registers an editor's edits while `dirty`; returns the question to ask before closing it
 * (resolves true at once when there is nothing to lose).
 */
export function useUnsavedChanges(
  dirty: boolean,
  label: string,
  scope: string | null = null,
): () => Promise<boolean> {
  const id = useId();
  useEffect(() => {
    if (!dirty) return;
    useUnsaved.setState((s) => ({ editors: { ...s.editors, [id]: { label, scope } } }));
    return () =>
      useUnsaved.setState((s) => {
        const editors = { ...s.editors };
        delete editors[id];
        return { editors };
      });
  }, [id, dirty, label, scope]);
  return useCallback(
    () => (dirty ? confirmDiscard(scope ?? undefined) : Promise.resolve(true)),
    [dirty, scope],
  );
}

const list = (items: string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

/**
 * Mounted once by the shell: the history asks before leaving a view with edits, and the question
 * itself. `beforeUnload` is off inside Electron, whose windows cannot show the browser's
 * question and would silently refuse to close instead.
 */
export function UnsavedGuard({ beforeUnload }: { beforeUnload: boolean }) {
  // Only while something is unsaved: a blocker makes every navigation wait on it (an org switch
  // paid for that in time while nothing was being edited).
  const dirty = useUnsaved((s) => Object.keys(s.editors).length > 0);
  const history = useAppHistory();
  useEffect(() => {
    if (!dirty) return;
    return history.block({
      // True holds the move. Filters and pages of the same view keep it (and its editors)
      // mounted: nothing is lost.
      blockerFn: async ({ currentLocation, nextLocation }) =>
        currentLocation.pathname !== nextLocation.pathname &&
        hasUnsaved() &&
        !(await confirmDiscard()),
      enableBeforeUnload: () => beforeUnload && hasUnsaved(),
    });
  }, [dirty, history, beforeUnload]);
  const prompt = useUnsaved((s) => s.prompt);
  return (
    <ConfirmDialog
      open={prompt !== null}
      title="Discard unsaved changes?"
      confirmLabel="Discard changes"
      cancelLabel="Keep editing"
      tone="danger"
      onConfirm={() => prompt?.answer(true)}
      onClose={() => prompt?.answer(false)}
    >
      <p>
        Your changes to {list(prompt?.labels ?? [])} are not saved. Discard them, or keep editing?
      </p>
    </ConfirmDialog>
  );
}
