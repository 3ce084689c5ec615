// The Electron main process: the only code that imports electron (with its siblings here), kept
// thin: every decision it makes is a pure function elsewhere in main/, tested under Node.
// Order at start: single-instance lock → scheme registration → (ready) → key store → database
// opened and migrated → services → IPC handler → app protocol → menu → first window.
import { BrowserWindow, Menu, app, dialog, ipcMain, session, webContents } from 'electron';
import { existsSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { systemClock } from '../core/clock';
import { FileKeyStore, type KeyStore } from '../core/key-store';
import { openDatabase, type OpenedDatabase } from '../db/database';
import { createDesktopIpcHandler } from '../desktop/ipc/desktop-ipc';
import { DesktopShell } from '../desktop/desktop-shell';
import { createFileLogger, type Logger } from '../desktop/file-log';
import { ensureLocalOperator } from '../desktop/local-operator';
import { KeychainUnavailableError } from '../desktop/vault-key-store';
import { ConnectionStore } from '../desktop/connections/connection-store';
import { PinnedSignerStore } from '../desktop/export/pinned-signers';
import {
  DEEP_LINK_SCHEME,
  findDeepLink,
  parseDeepLink,
  type DeepLink,
} from '../desktop/shell/deep-link';
import { HostCountsScheduler } from '../features/hosts/host-status-counts';
import { SnapshotScheduler } from '../features/fleet/snapshot-scheduler';
import { OutboxWorker } from '../features/integrations/outbox-drainer';
import { createServices } from '../services';
import { sqliteStorage } from '../db/sqlite/storage';
import { SHELL_EVENT_CHANNEL, TRPC_CHANNEL, type ShellEvent } from '../../shared/ipc-channels';
import { electronDialogs } from './dialogs';
import { hardenSession, hardenWebContents } from './hardening';
import { buildAppMenu } from './menu';
import { resolveAppPaths, type AppPaths } from './paths';
import { registerAppScheme, serveApp } from './protocol';
import { SafeStorageKeyStore, SafeStorageTokenVault } from './safe-storage';
import { electronSystemBrowser } from './system-browser';
import { createAppWindow } from './window';

if (!app.requestSingleInstanceLock()) {
  // Another Orgdesk runs: it gets our argv (a deep link, maybe) through 'second-instance'.
  app.quit();
} else {
  start();
}

function start(): void {
  // The same data directory in development (`electron .`, package name "orgdesk") as packaged.
  app.setName('Orgdesk');
  const paths = resolveAppPaths();
  const log = createFileLogger(join(paths.logsDir, 'main.log'));
  registerAppScheme();
  app.enableSandbox();
  if (process.defaultApp && process.argv[1]) {
    app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [resolve(process.argv[1])]);
  } else {
    app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);
  }

  let pendingLink: DeepLink | null = findDeepLink(process.argv);
  let openWindow: (() => BrowserWindow) | null = null;

  const send = (windowId: number, event: ShellEvent) =>
    webContents.fromId(windowId)?.send(SHELL_EVENT_CHANNEL, event);

  const deliver = (link: DeepLink) => {
    const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
    if (!win) {
      pendingLink = link;
      if (openWindow) openWindow();
      return;
    }
    if (win.isMinimized()) win.restore();
    win.focus();
    const event: ShellEvent = { type: 'open-organization', organization_id: link.organizationId };
    if (win.webContents.isLoading()) {
      win.webContents.once('did-finish-load', () => send(win.webContents.id, event));
    } else {
      send(win.webContents.id, event);
    }
  };

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, log));
  app.on('second-instance', (_event, argv) => {
    const link = findDeepLink(argv);
    if (link) deliver(link);
    else BrowserWindow.getAllWindows()[0]?.focus();
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const link = parseDeepLink(url);
    if (link) deliver(link);
    else log.warn('ignored a malformed deep link');
  });

  app
    .whenReady()
    .then(async () => {
      openWindow = await boot(paths, log, send);
      if (!openWindow) return;
      const first = openWindow();
      if (pendingLink) {
        const link = pendingLink;
        pendingLink = null;
        first.webContents.once('did-finish-load', () =>
          send(first.webContents.id, {
            type: 'open-organization',
            organization_id: link.organizationId,
          }),
        );
      }
    })
    .catch((err: unknown) => {
      log.error(`start failed: ${(err as Error).message}`);
      dialog.showErrorBox('Orgdesk could not start', (err as Error).message);
      app.exit(1);
    });
}

/** The OS account's name for the local operator (userInfo throws where there is no passwd entry). */
function operatorName(): string {
  try {
    return userInfo().username || 'Operator';
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'Operator';
  }
}

/** The master key from the OS keychain; where there is none, a key file only with consent. */
function openKeyStore(paths: AppPaths, log: Logger): KeyStore | null {
  const keychain = new SafeStorageKeyStore(paths.keyFile);
  try {
    keychain.masterKey();
    return keychain;
  } catch (err) {
    if (!(err instanceof KeychainUnavailableError)) throw err;
    if (existsSync(paths.keyFile)) {
      dialog.showErrorBox(
        'Orgdesk cannot unlock its data',
        `${err.message} The master key was stored with the keychain, so it cannot be read until the keychain is available again.`,
      );
      return null;
    }
    const consent =
      existsSync(paths.plainKeyFile) ||
      process.env.ORGDESK_ALLOW_KEY_FILE === '1' ||
      dialog.showMessageBoxSync({
        type: 'warning',
        buttons: ['Use a key file', 'Quit'],
        defaultId: 1,
        cancelId: 1,
        message: 'No keychain to protect Orgdesk data',
        detail:
          `${err.message}\n\nOrgdesk can keep its master key in a file readable only by your ` +
          `user account instead (${paths.plainKeyFile}), as the Orgdesk server does: anyone who ` +
          'can read your files can then read the organization secrets in the local database. ' +
          'Sign-in tokens of remote servers will not be stored either way.',
      }) === 0;
    if (!consent) return null;
    log.warn(`keychain unavailable (${err.reason}); using the owner-only key file`);
    return new FileKeyStore(paths.plainKeyFile);
  }
}

async function boot(
  paths: AppPaths,
  log: Logger,
  send: (windowId: number, event: ShellEvent) => void,
): Promise<(() => BrowserWindow) | null> {
  hardenSession(session.defaultSession, log);
  const keys = openKeyStore(paths, log);
  if (!keys) {
    app.quit();
    return null;
  }

  // The database is opened and migrated before any window or IPC handler exists.
  let opened: OpenedDatabase;
  try {
    opened = openDatabase({ file: paths.dbFile, migrationsFolder: paths.migrationsFolder });
  } catch (err) {
    log.error(`database: ${(err as Error).message}`);
    dialog.showErrorBox('Orgdesk cannot open its database', (err as Error).message);
    app.exit(1);
    return null;
  }
  if (opened.backupFile) log.info(`database migrated; previous copy at ${opened.backupFile}`);
  for (const notice of opened.notices) log.warn(`database: ${notice}`);
  const services = createServices({
    storage: sqliteStorage(opened.db, {
      readWorkerEntry: { file: pathToFileURL(paths.readWorkerFile) },
    }),
    clock: systemClock,
    keys,
    installationLabel: `Orgdesk desktop on ${hostname()}`,
  });
  // ORG-2: re-counts the host statuses that time alone changed (at start: all that are due).
  const hostCounts = new HostCountsScheduler({
    counts: services.infra.hostCounts,
    clock: systemClock,
    onError: (err) => log.error(`host status counts: ${(err as Error).message}`),
  });
  void hostCounts.start();
  const operator = await ensureLocalOperator(services, paths.operatorFile, {
    displayName: operatorName(),
  });

  const shell = new DesktopShell({
    services,
    operator,
    dbFile: paths.dbFile,
    migrationsFolder: paths.migrationsFolder,
    masterKey: () => keys.masterKey().toString('base64'),
    connections: new ConnectionStore({
      file: paths.connectionsFile,
      vault: new SafeStorageTokenVault(),
    }),
    signers: new PinnedSignerStore({ file: paths.pinnedSignersFile }),
    dialogs: electronDialogs,
    browser: electronSystemBrowser,
    send,
    sourceLabel: `local database on ${hostname()}`,
    serverUrl: process.env.ORGDESK_SERVER_URL ?? 'http://127.0.0.1:8787',
    workerEntry: { file: pathToFileURL(paths.workerFile) },
  });
  const handle = createDesktopIpcHandler(shell, {
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') log.error(`${path ?? '?'}: ${error.message}`);
      else if (error.code === 'FORBIDDEN' && path === null) log.warn(error.message);
    },
  });
  ipcMain.handle(TRPC_CHANNEL, (event, message: unknown) =>
    handle(message, {
      frameUrl: event.senderFrame?.url ?? null,
      isMainFrame: event.senderFrame ? event.senderFrame.parent === null : false,
      windowId: event.sender.id,
    }),
  );
  serveApp(paths.rendererRoot);

  const openWindow = () => {
    const win = createAppWindow({
      preloadFile: paths.preloadFile,
      stateFile: paths.windowStateFile,
    });
    const id = win.webContents.id;
    win.on('closed', () => shell.closeWindow(id));
    return win;
  };
  const focused = () => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  Menu.setApplicationMenu(
    buildAppMenu({
      newWindow: () => openWindow(),
      send: (command) => {
        const win = focused();
        if (win) send(win.webContents.id, { type: 'menu', command });
      },
      openExport: () => {
        const win = focused();
        if (!win) return;
        shell.openReview(win.webContents.id).catch((err: unknown) => {
          dialog.showErrorBox('This export cannot be opened', (err as Error).message);
        });
      },
    }),
  );

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // UI-12: the local database keeps its fleet health history too (hourly, idempotent per hour).
  const snapshots = new SnapshotScheduler({
    snapshots: services.infra.fleetSnapshots,
    onError: (err) => log.error(`fleet snapshot: ${(err as Error).message}`),
  });
  snapshots.start();
  // INT-1/INT-2: destinations of the local database are forwarded to as the server does.
  const forwarding = new OutboxWorker(services.infra.outbox, {
    intervalMs: 1000,
    onError: (err) => log.error(`audit forwarding: ${(err as Error).message}`),
  });
  forwarding.start();
  app.on('will-quit', () => {
    hostCounts.stop();
    snapshots.stop();
    void forwarding.stop({ release: false });
    shell.dispose();
    void services.infra.offload.close();
    opened.close();
  });
  log.info(`started; data in ${paths.dataDir}`);
  return openWindow;
}
