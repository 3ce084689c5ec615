// The desktop bridge's wire contract, without zod: the sandboxed preload bundles this file, and
// should carry nothing it does not need. The zod schemas that validate it are in ipc-protocol.ts.

/** renderer → main (invoke/handle): one tRPC call per message. */
export const TRPC_CHANNEL = 'orgdesk:trpc';

/** main → renderer (send/on): shell events. The bridge's one subscription. */
export const SHELL_EVENT_CHANNEL = 'orgdesk:shell-event';

/** One tRPC call. `id` only correlates a reply with its call in logs. */
export interface IpcRequest {
  id: number;
  type: 'query' | 'mutation';
  path: string;
  input?: unknown;
}

/** The tRPC error shape, exactly as the HTTP adapter sends it. */
export interface IpcErrorShape {
  code: number;
  message: string;
  data: {
    code: string;
    httpStatus?: number;
    path?: string;
    field?: string | null;
    [key: string]: unknown;
  };
}

/** A reply: tRPC's own response envelope (`result.data` or `error`), plus the call's id. */
export type IpcResponse =
  { id: number | null; result: { data: unknown } } | { id: number | null; error: IpcErrorShape };

/** Menu commands the renderer reacts to (the rest of the menu is handled in main). */
export const MENU_COMMANDS = ['switch-organization', 'export', 'open-export', 'restore'] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/**
 * What main tells a window without being asked: a menu command, a deep link to open an org,
 * progress of a long job, or that the window's data source changed (refetch everything).
 */
export type ShellEvent =
  | { type: 'menu'; command: MenuCommand }
  | { type: 'open-organization'; organization_id: number }
  | {
      type: 'progress';
      job_id: string;
      label: string;
      phase: string;
      done: number;
      total: number;
      finished: boolean;
    }
  | { type: 'session-changed' }
  /** A review was closed because its content failed the checksum (EXP-2); why, in words. */
  | { type: 'review-refused'; message: string };

/**
 * Everything the preload exposes as `window.orgdesk`: exactly two functions. `trpc.invoke` carries
 * every call; `onShellEvent` is the one subscription and returns its unsubscribe function. No
 * channel names, no ipcRenderer, no Node or Electron objects ever cross the bridge.
 */
export interface OrgdeskBridge {
  trpc: { invoke(request: IpcRequest): Promise<IpcResponse> };
  onShellEvent(listener: (event: ShellEvent) => void): () => void;
}
