// Where everything lives, for a packaged app and for a development run (`electron .` from the
// repo). Data: userData (or ORGDESK_DATA_DIR); logs: the OS log directory for the app.
import { app } from 'electron';
import { join } from 'node:path';
import { PINNED_SIGNERS_FILE } from '../desktop/export/pinned-signers';

export interface AppPaths {
  dataDir: string;
  logsDir: string;
  dbFile: string;
  /** The master key, encrypted by the OS keychain. */
  keyFile: string;
  /** The fallback master key file (owner-only), used only with the user's consent. */
  plainKeyFile: string;
  connectionsFile: string;
  /** Export signers trusted besides this installation (EXP-1). */
  pinnedSignersFile: string;
  windowStateFile: string;
  operatorFile: string;
  migrationsFolder: string;
  rendererRoot: string;
  preloadFile: string;
  workerFile: string;
  /** The heavy reads' worker (audit verification and exports, GDPR exports). */
  readWorkerFile: string;
}

/** Call before `ready`: it may move userData (ORGDESK_DATA_DIR, used by tests). */
export function resolveAppPaths(): AppPaths {
  const override = process.env.ORGDESK_DATA_DIR;
  if (override) app.setPath('userData', override);
  app.setAppLogsPath();
  const dataDir = app.getPath('userData');
  const appPath = app.getAppPath();
  // A worker thread cannot load its script from inside app.asar: it is unpacked beside it.
  const unpacked = appPath.replace(/app\.asar$/, 'app.asar.unpacked');
  return {
    dataDir,
    logsDir: app.getPath('logs'),
    dbFile: join(dataDir, 'orgdesk.db'),
    keyFile: join(dataDir, 'master.key.enc'),
    plainKeyFile: join(dataDir, 'master.key'),
    connectionsFile: join(dataDir, 'connections.json'),
    pinnedSignersFile: join(dataDir, PINNED_SIGNERS_FILE),
    windowStateFile: join(dataDir, 'window-state.json'),
    operatorFile: join(dataDir, 'local-operator.json'),
    migrationsFolder: app.isPackaged
      ? join(process.resourcesPath, 'migrations')
      : join(appPath, 'main', 'db', 'migrations'),
    rendererRoot: join(appPath, 'dist', 'renderer'),
    preloadFile: join(appPath, 'dist', 'preload', 'index.cjs'),
    workerFile: join(unpacked, 'dist', 'main', 'electron', 'export-worker.mjs'),
    readWorkerFile: join(unpacked, 'dist', 'main', 'electron', 'read-worker.mjs'),
  };
}
