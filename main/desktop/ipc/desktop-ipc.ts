// The one IPC entry point of the desktop app: every tRPC message from a window comes here.
// `desktop.*` goes to the shell's own router; everything else to the app router, run on the
// window's data source: the local database, the export under review (read-only context), or,
// for a window on a remote server, forwarded to that server with its token.
import { createIpcHandler, type IpcHandler, type IpcHandlerOptions } from './ipc-handler';
import { appRouter } from '../../trpc/router';
import type { DesktopShell } from '../desktop-shell';
import { desktopRouter } from '../desktop.router';

const isDesktopPath = (message: unknown): boolean => {
  const path = (message as { path?: unknown } | null)?.path;
  return typeof path === 'string' && path.startsWith('desktop.');
};

export function createDesktopIpcHandler(
  shell: DesktopShell,
  options: Pick<IpcHandlerOptions<typeof appRouter>, 'checkSender' | 'onError'> = {},
): IpcHandler {
  const desktop = createIpcHandler({
    ...options,
    router: desktopRouter,
    createContext: ({ sender }) => ({ shell, windowId: sender.windowId }),
  });
  const app = createIpcHandler({
    ...options,
    router: appRouter,
    forward: (request, sender) => shell.forwarder(sender.windowId)?.forward(request) ?? null,
    createContext: ({ sender }) => shell.appContext(sender.windowId),
  });
  // Both handlers check the sender and validate the message themselves; this only picks one.
  return (message, sender) => (isDesktopPath(message) ? desktop : app)(message, sender);
}
