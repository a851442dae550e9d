import { isAbsolute } from 'node:path';
import type { BrowserWindowConstructorOptions } from 'electron';
import { APP_ENTRY_URL } from './app-protocol.js';
import { ALLOWED_EXTERNAL_HOSTS, type GuardedContents, attachNavigationGuards } from './navigation.js';

/**
 * The options of every Hearth window. Each web preference is spelled out, even where Electron's
 * default already agrees, so that a changed default or a careless edit shows up in the test.
 */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  if (!isAbsolute(preloadPath)) throw new Error(`The preload path must be absolute; got "${preloadPath}".`);
  return {
    title: 'Hearth',
    width: 1200,
    height: 800,
    minWidth: 760,
    minHeight: 520,
    show: false,
    backgroundColor: '#16161a',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      spellcheck: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
    },
  };
}

/** The parts of a BrowserWindow the factory touches (Electron's BrowserWindow fits). */
export type WindowLike = {
  readonly webContents: GuardedContents;
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
  loadURL(url: string): Promise<void>;
};

export type MainWindowDeps = {
  preloadPath: string;
  /** Opens an allowed link in the person's browser (shell.openExternal). */
  openExternal: (url: string) => Promise<void>;
  /** Told when the app page fails to load. */
  onLoadError: (err: unknown) => void;
  allowedHosts?: readonly string[];
};

/**
 * The one place a window is made: hardened options, navigation guards attached before anything
 * loads, shown once the first paint is ready, then pointed at `app://hearth/index.html`.
 */
export function createMainWindow<W extends WindowLike>(BrowserWindowCtor: new (options: BrowserWindowConstructorOptions) => W, deps: MainWindowDeps): W {
  const window = new BrowserWindowCtor(mainWindowOptions(deps.preloadPath));
  attachNavigationGuards(window.webContents, deps.openExternal, deps.allowedHosts ?? ALLOWED_EXTERNAL_HOSTS);
  window.once('ready-to-show', () => window.show());
  window.loadURL(APP_ENTRY_URL).catch(deps.onLoadError);
  return window;
}

/** The parts of a BrowserWindow needed to bring it forward. */
export type FocusableWindow = { isMinimized(): boolean; restore(): void; show(): void; focus(): void };

/** Brings `window` to the front, un-minimising it first (used when a second instance starts). */
export function bringToFront(window: FocusableWindow): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
