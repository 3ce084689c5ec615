// The three EXP actions, callable from the menu (shell events) and from the Export screen alike.
// Their outcome goes to the jobs store, shown by the job panel wherever the user is.
import type { CreateExportInput, RestoreInput } from '../../../shared/schemas/desktop.schema';
import { errorMessage } from '../../lib/errors';
import { desktopApi } from './desktop-api';
import { useDesktopJobs, type DesktopAction, type Outcome } from './jobs-store';

const ACTION_NAMES: Record<DesktopAction, string> = {
  export: 'Export',
  'open-export': 'Open export',
  restore: 'Restore',
};

async function run(action: DesktopAction, call: () => Promise<Outcome | null>): Promise<void> {
  const jobs = useDesktopJobs.getState();
  if (jobs.running) return;
  jobs.start(action);
  try {
    // null: the user cancelled the file dialog; nothing to report.
    useDesktopJobs.getState().finish(await call());
  } catch (err) {
    useDesktopJobs
      .getState()
      .finish({ kind: 'error', action: ACTION_NAMES[action], message: errorMessage(err) });
  }
}

export const exportData = (input: CreateExportInput) =>
  run('export', async () => {
    const result = await desktopApi().exports.create.mutate(input);
    return result ? { kind: 'export', result } : null;
  });

export const openExport = () =>
  run('open-export', async () => {
    const session = await desktopApi().exports.openReview.mutate();
    return session ? { kind: 'review', label: session.label } : null;
  });

export const restoreExport = (input: RestoreInput = {}) =>
  run('restore', async () => {
    const result = await desktopApi().exports.restore.mutate(input);
    return result ? { kind: 'restore', result } : null;
  });
