// The OS file dialogs behind export, review and restore: the only way a file path is chosen.
import { BrowserWindow, dialog, webContents } from 'electron';
import type { ShellDialogs } from '../desktop/desktop-shell';

const FILTERS = [
  { name: 'Orgdesk export', extensions: ['orgdesk-export'] },
  { name: 'SQLite database', extensions: ['sqlite', 'db'] },
];

const windowOf = (id: number): BrowserWindow | null => {
  const contents = webContents.fromId(id);
  return contents ? BrowserWindow.fromWebContents(contents) : null;
};

export const electronDialogs: ShellDialogs = {
  async chooseExportTarget(windowId, defaultName) {
    const win = windowOf(windowId);
    const options = { title: 'Export', defaultPath: defaultName, filters: FILTERS };
    const r = win
      ? await dialog.showSaveDialog(win, options)
      : await dialog.showSaveDialog(options);
    return r.canceled || !r.filePath ? null : r.filePath;
  },
  async chooseExportToOpen(windowId, purpose) {
    const win = windowOf(windowId);
    const options = {
      title: purpose === 'review' ? 'Open export for review' : 'Restore from export',
      properties: ['openFile' as const],
      filters: FILTERS,
    };
    const r = win
      ? await dialog.showOpenDialog(win, options)
      : await dialog.showOpenDialog(options);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
};
