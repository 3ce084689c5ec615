// Export, review and restore (EXP) as the window sees them: the jobs main reports progress for,
// and the outcome of the last action, whether it came from the menu or from a screen.
import { create } from 'zustand';
import type { ShellEvent } from '../../../shared/ipc-channels';
import type { ExportResultInfo, RestoreResultInfo } from './desktop-api';

export type ProgressEvent = Extract<ShellEvent, { type: 'progress' }>;

export type Outcome =
  | { kind: 'export'; result: ExportResultInfo }
  | { kind: 'restore'; result: RestoreResultInfo }
  | { kind: 'review'; label: string }
  | { kind: 'error'; action: string; message: string };

export type DesktopAction = 'export' | 'open-export' | 'restore';

interface JobsState {
  /** Progress per job, in arrival order; the newest few only. */
  jobs: ProgressEvent[];
  running: DesktopAction | null;
  outcome: Outcome | null;
  exportDialogOpen: boolean;
  progress(event: ProgressEvent): void;
  start(action: DesktopAction): void;
  finish(outcome: Outcome | null): void;
  dismiss(): void;
  setExportDialog(open: boolean): void;
}

const KEEP = 3;

export const useDesktopJobs = create<JobsState>()((set) => ({
  jobs: [],
  running: null,
  outcome: null,
  exportDialogOpen: false,
  progress: (event) =>
    set((s) => ({
      jobs: [...s.jobs.filter((j) => j.job_id !== event.job_id), event].slice(-KEEP),
    })),
  start: (running) => set({ running, outcome: null, jobs: [] }),
  finish: (outcome) => set({ running: null, outcome }),
  dismiss: () => set({ outcome: null, jobs: [] }),
  setExportDialog: (exportDialogOpen) => set({ exportDialogOpen }),
}));
