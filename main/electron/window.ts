// An app window: sandboxed, isolated, no Node, no webview; size and position kept between runs.
import { BrowserWindow, screen } from 'electron';
import { APP_ENTRY_URL } from '../desktop/shell/app-protocol';
import {
  MIN_HEIGHT,
  MIN_WIDTH,
  loadWindowState,
  saveWindowState,
} from '../desktop/shell/window-state';

export interface WindowOptions {
  preloadFile: string;
  stateFile: string;
}

export function createAppWindow(o: WindowOptions): BrowserWindow {
  const workAreas = screen.getAllDisplays().map((d) => d.workArea);
  const state = loadWindowState(o.stateFile, workAreas);
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    title: 'Orgdesk',
    webPreferences: {
      preload: o.preloadFile,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      // Middle-click opens links in new windows otherwise (setWindowOpenHandler denies them too).
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => {
    try {
      saveWindowState(o.stateFile, { ...win.getNormalBounds(), maximized: win.isMaximized() });
    } catch {
      // A read-only profile: the next start uses the default size.
    }
  });
  void win.loadURL(APP_ENTRY_URL);
  return win;
}
