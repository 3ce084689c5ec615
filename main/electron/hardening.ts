// Session and web-contents hardening, applied to everything Electron creates: no permission is
// ever granted, no webview attaches, navigation and redirects stay in the app, window.open never
// opens a window, and external http(s) links go to the OS browser after validation.
import { shell, type Session, type WebContents } from 'electron';
import type { Logger } from '../desktop/file-log';
import {
  decideNavigation,
  decideWindowOpen,
  type NavigationDecision,
} from '../desktop/shell/navigation';

export function hardenSession(ses: Session, log: Logger): void {
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    log.warn(`permission request denied: ${permission}`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // Nothing is downloaded by the page; exports are written by main after a save dialog.
  ses.on('will-download', (event) => event.preventDefault());
}

function apply(decision: NavigationDecision, prevent: () => void, log: Logger): void {
  if (decision.action === 'allow') return;
  prevent();
  if (decision.action === 'open-external') {
    void shell.openExternal(decision.url).catch(() => log.warn('could not open an external link'));
  } else {
    log.warn(`blocked: ${decision.reason}`);
  }
}

export function hardenWebContents(contents: WebContents, log: Logger): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) =>
    apply(decideNavigation(event.url), () => event.preventDefault(), log),
  );
  contents.on('will-redirect', (event) =>
    apply(decideNavigation(event.url), () => event.preventDefault(), log),
  );
  contents.setWindowOpenHandler(({ url }) => {
    apply(decideWindowOpen(url), () => undefined, log);
    return { action: 'deny' };
  });
}
