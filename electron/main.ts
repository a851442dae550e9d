/**
 * Electron main: the thin lifecycle around the provider core. Every policy it applies lives in a
 * plain module beside it (window, navigation, ipc, app-protocol, quit) where tests reach it.
 */
import { join } from 'node:path';
import { BrowserWindow, app, dialog, ipcMain, powerMonitor, protocol, safeStorage, session, shell, utilityProcess } from 'electron';
import { Provider } from '../provider/provider.js';
import { resolveStaticFile } from '../provider/static-files.js';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol.js';
import { forwardEvents, registerApi } from './ipc.js';
import { attachNavigationGuards, denyAllPermissions } from './navigation.js';
import { powerMonitorHostSignals } from './power-monitor.js';
import { safeStorageKeyWrapper } from './safe-storage-wrapper.js';
import { createBeforeQuitHandler } from './quit.js';
import { bringToFront, createMainWindow } from './window.js';
import { createUtilityProcessLauncher } from './worker-launcher.js';

// Paths relative to the built file, out/main/main.js.
const PRELOAD_PATH = join(import.meta.dirname, '../preload/preload.cjs');
const RENDERER_ROOT = join(import.meta.dirname, '../renderer');

const openExternal = (url: string): Promise<void> => shell.openExternal(url);

// Both must happen before `ready`.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

if (app.requestSingleInstanceLock()) {
  run();
} else {
  // Another Hearth holds the data folder; it is told through 'second-instance' and comes forward.
  app.quit();
}

function run(): void {
  let provider: Provider | null = null;
  let mainWindow: BrowserWindow | null = null;
  let unregisterApi: (() => void) | null = null;
  let failed = false;
  const forwards = new Set<() => void>();

  const logError = (err: unknown, message: string): void => {
    if (provider) provider.logger.error({ err }, message);
    else console.error(message, err);
  };

  const openWindow = (core: Provider): void => {
    const window = createMainWindow(BrowserWindow, {
      preloadPath: PRELOAD_PATH,
      openExternal,
      onLoadError: (err) => logError(err, 'the app page failed to load'),
    });
    const stop = forwardEvents((listener) => core.subscribe(listener), window.webContents);
    forwards.add(stop);
    window.once('closed', () => {
      stop();
      forwards.delete(stop);
      if (mainWindow === window) mainWindow = null;
    });
    mainWindow = window;
  };

  const start = async (): Promise<void> => {
    protocol.handle(APP_SCHEME, createAppProtocolHandler(RENDERER_ROOT, resolveStaticFile));
    denyAllPermissions(session.defaultSession);
    provider = await Provider.open({
      dataDir: app.getPath('userData'),
      mode: 'desktop',
      workers: { appRoot: app.getAppPath(), launcher: (context) => createUtilityProcessLauncher(utilityProcess, context) },
      // The embedded default: a newcomer sees jobs arrive, run and pay without configuring anything.
      marketplace: 'local-demo',
      hostSignals: () => powerMonitorHostSignals(powerMonitor),
      // The wallet key's second layer: the OS keychain, where it is real (not Linux's basic_text).
      keyWrapper: safeStorageKeyWrapper(safeStorage),
    });
    await provider.start();
    unregisterApi = registerApi(ipcMain, provider.dispatch);
    openWindow(provider);
  };

  let startup: Promise<void> = Promise.resolve();

  const shutdown = async (): Promise<void> => {
    // A quit during start-up waits for it (bounded by the quit deadline), so nothing starts after stop.
    await startup.catch(() => undefined);
    // Order: stop answering the renderer, stop pushing events, then stop the core.
    unregisterApi?.();
    unregisterApi = null;
    for (const stop of forwards) stop();
    forwards.clear();
    // From here on errors go to the console: the core's log closes with it.
    const core = provider;
    provider = null;
    await core?.stop();
  };

  app.on('web-contents-created', (_event, contents) => attachNavigationGuards(contents, openExternal));
  app.on('second-instance', () => {
    if (mainWindow && !mainWindow.isDestroyed()) bringToFront(mainWindow);
  });
  app.on('activate', () => {
    if (provider && BrowserWindow.getAllWindows().length === 0) openWindow(provider);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on(
    'before-quit',
    createBeforeQuitHandler(
      shutdown,
      () => (failed ? app.exit(1) : app.quit()),
      (err) => logError(err, 'shutdown failed'),
    ),
  );

  startup = app.whenReady().then(start);
  startup.catch((err: unknown) => {
    failed = true;
    logError(err, 'Hearth could not start');
    const detail = err instanceof Error ? err.message : String(err);
    dialog.showErrorBox('Hearth could not start', `${detail}\n\nThe log in ${app.getPath('userData')} has the details.`);
    app.quit();
  });
}
