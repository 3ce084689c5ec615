// tRPC over the Electron preload bridge (`window.orgdesk`, see preload/index.ts). The link itself
// is shared/ipc-link.ts; this file binds it to this window's bridge.
import { createTRPCClient, type TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import type { DesktopRouter } from '../../main/desktop/desktop.router';
import type { AppRouter } from '../../main/trpc/router';
import type { OrgdeskBridge, ShellEvent } from '../../shared/ipc-channels';
import { createIpcLink } from '../../shared/ipc-link';

const bridge = (): OrgdeskBridge | undefined =>
  typeof window === 'undefined'
    ? undefined
    : (window as unknown as { orgdesk?: OrgdeskBridge }).orgdesk;

/** True inside the Electron shell (the preload bridge exists); the console then uses IPC. */
export const hasIpcBridge = (): boolean => typeof bridge()?.trpc?.invoke === 'function';

/** The app router over IPC. Pass a type parameter for the desktop router (`desktop.*`). */
export function ipcLink<TRouter extends AnyTRPCRouter = AppRouter>(): TRPCLink<TRouter> {
  return createIpcLink<TRouter>(bridge);
}

/**
 * Menu commands, deep links, job progress and data-source changes from the shell. Returns the
 * unsubscribe function; outside Electron it subscribes to nothing. Subscribe early (at module
 * load or in the shell's first effect): a deep link that started the app is sent once the page
 * has loaded.
 */
export function onShellEvent(listener: (event: ShellEvent) => void): () => void {
  return bridge()?.onShellEvent(listener) ?? (() => {});
}

/**
 * The desktop shell's own procedures (`desktop.*`, Electron only): which data source this window
 * shows (`desktop.session`: local, remote, or a read-only review with its label), connections
 * (UI-8), export, review and restore (EXP). Outside Electron every call fails: check
 * hasIpcBridge() first.
 */
export function createDesktopClient() {
  return createTRPCClient<DesktopRouter>({ links: [ipcLink<DesktopRouter>()] });
}
