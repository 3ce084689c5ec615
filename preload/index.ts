// The sandboxed preload: the page's only door to main. It exposes `window.orgdesk` with exactly
// two functions (see OrgdeskBridge): `trpc.invoke`, which carries one tRPC call on one fixed
// channel, and `onShellEvent`, the one subscription (menu commands, deep links, progress). No
// ipcRenderer, channel name, Node or Electron object ever reaches the page; main checks the
// sender and validates every message again, so this file is a pipe, not a gate.
// Bundled into one CommonJS file (npm run build:preload): a sandboxed preload cannot require.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  SHELL_EVENT_CHANNEL,
  TRPC_CHANNEL,
  type IpcRequest,
  type IpcResponse,
  type OrgdeskBridge,
  type ShellEvent,
} from '../shared/ipc-channels';

const bridge: OrgdeskBridge = {
  trpc: {
    invoke: (request: IpcRequest) =>
      ipcRenderer.invoke(TRPC_CHANNEL, request) as Promise<IpcResponse>,
  },
  onShellEvent(listener: (event: ShellEvent) => void) {
    if (typeof listener !== 'function') throw new TypeError('onShellEvent needs a function');
    // Only the event's data reaches the page, never the IpcRendererEvent (it holds `sender`).
    const relay = (_event: IpcRendererEvent, payload: ShellEvent) => listener(payload);
    ipcRenderer.on(SHELL_EVENT_CHANNEL, relay);
    return () => {
      ipcRenderer.removeListener(SHELL_EVENT_CHANNEL, relay);
    };
  },
};

contextBridge.exposeInMainWorld('orgdesk', bridge);
