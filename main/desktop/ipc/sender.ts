// Which IPC senders may call tRPC. Electron's ipcMain accepts messages from any frame of any
// window; a call is served only when it comes from the top frame of a page of the app itself
// (orgdesk-app://app/…). main/electron fills SenderInfo from `event.senderFrame`.
import { isAppUrl } from '../shell/app-protocol';

export interface SenderInfo {
  /** `event.senderFrame.url`; null when the frame is gone (navigated away or destroyed). */
  frameUrl: string | null;
  /** False for iframes: the app has none, so a call from one is refused. */
  isMainFrame: boolean;
  /** `event.sender.id`: the window's session is keyed by it. */
  windowId: number;
}

export type SenderVerdict = { trusted: true } | { trusted: false; reason: string };

export function checkSender(sender: SenderInfo): SenderVerdict {
  if (!sender.frameUrl) return { trusted: false, reason: 'the calling frame is gone' };
  if (!sender.isMainFrame) return { trusted: false, reason: 'calls from sub-frames are refused' };
  if (!isAppUrl(sender.frameUrl)) {
    return {
      trusted: false,
      reason: `the calling page (${sender.frameUrl.slice(0, 100)}) is not part of the app`,
    };
  }
  return { trusted: true };
}
