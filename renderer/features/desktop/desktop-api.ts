// The desktop shell's own procedures (`desktop.*`), reached over the same IPC bridge as the app
// router. One client per window; only ever created when hasIpcBridge() is true.
import type { inferRouterOutputs } from '@trpc/server';
import type { DesktopRouter } from '../../../main/desktop/desktop.router';
import { createDesktopClient } from '../../lib/ipc-link';

export type DesktopOutputs = inferRouterOutputs<DesktopRouter>['desktop'];
export type DesktopSessionInfo = DesktopOutputs['session'];
export type ConnectionsInfo = DesktopOutputs['connections']['list'];
export type ExportResultInfo = NonNullable<DesktopOutputs['exports']['create']>;
export type RestoreResultInfo = NonNullable<DesktopOutputs['exports']['restore']>;

let client: ReturnType<typeof createDesktopClient> | null = null;

export function desktopApi() {
  client ??= createDesktopClient();
  return client.desktop;
}

export const desktopKeys = {
  session: ['desktop', 'session'] as const,
  connections: ['desktop', 'connections'] as const,
  signers: ['desktop', 'signers'] as const,
};

/** "C:\\x\\acme.orgdesk-export" or "/x/acme.orgdesk-export" → "acme.orgdesk-export" */
export const fileNameOf = (path: string): string => path.split(/[\\/]/).pop() ?? path;

/** The reason every mutation control shows while an export is under review. */
export const READ_ONLY_CONTROL_REASON =
  'Changes are disabled: this window shows a read-only review of an export.';
