import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL } from '../../electron/app-protocol.js';
import { bringToFront, createMainWindow, mainWindowOptions } from '../../electron/window.js';
import { FakeWebContents } from './fakes.js';

const PRELOAD = '/opt/hearth/out/preload/preload.cjs';

/** A fake BrowserWindow: records its options, load and show calls. */
class FakeBrowserWindow extends EventEmitter {
  static made: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  shown = false;
  loadResult: Promise<void> = Promise.resolve();

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    FakeBrowserWindow.made.push(this);
  }
  show(): void {
    this.shown = true;
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return this.loadResult;
  }
}

describe('mainWindowOptions', () => {
  it('turns on every isolation and turns off every integration', () => {
    const options = mainWindowOptions(PRELOAD);
    expect(options.webPreferences).toEqual({
      preload: PRELOAD,
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
    });
  });

  it('stays hidden until the first paint, titled Hearth', () => {
    const options = mainWindowOptions(PRELOAD);
    expect(options.show).toBe(false);
    expect(options.title).toBe('Hearth');
    expect(options.backgroundColor).toMatch(/^#[0-9a-f]{6}$/i);
    expect(options.width).toBeGreaterThanOrEqual(options.minWidth ?? 0);
  });

  it('refuses a relative preload path', () => {
    expect(() => mainWindowOptions('preload.cjs')).toThrow(/absolute/);
  });
});

describe('createMainWindow', () => {
  const make = (onLoadError: (err: unknown) => void = () => undefined) =>
    createMainWindow(FakeBrowserWindow, { preloadPath: PRELOAD, openExternal: async () => undefined, onLoadError });

  it('builds the window from the hardened options and loads the app page', () => {
    const window = make();
    expect(window.options).toEqual(mainWindowOptions(PRELOAD));
    expect(window.loadedUrl).toBe(APP_ENTRY_URL);
    expect(APP_ENTRY_URL).toBe('app://hearth/index.html');
  });

  it('guards navigation before anything loads', () => {
    const window = make();
    expect(window.webContents.navigate('will-navigate', 'https://evil.io/')).toBe(true);
    expect(window.webContents.navigate('will-navigate', 'app://hearth/index.html')).toBe(false);
    expect(window.webContents.windowOpenHandler?.({ url: 'https://evil.io/' })).toEqual({ action: 'deny' });
  });

  it('shows the window only once it is ready to show', () => {
    const window = make();
    expect(window.shown).toBe(false);
    window.emit('ready-to-show');
    expect(window.shown).toBe(true);
  });

  it('reports a failed load instead of leaving an unhandled rejection', async () => {
    const errors: unknown[] = [];
    const failing = class extends FakeBrowserWindow {
      override loadURL(url: string): Promise<void> {
        this.loadedUrl = url;
        return Promise.reject(new Error('ERR_FILE_NOT_FOUND'));
      }
    };
    createMainWindow(failing, { preloadPath: PRELOAD, openExternal: async () => undefined, onLoadError: (err) => errors.push(err) });
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('ERR_FILE_NOT_FOUND');
  });
});

describe('bringToFront', () => {
  it('restores a minimised window, then shows and focuses it', () => {
    const calls: string[] = [];
    const window = {
      isMinimized: () => true,
      restore: () => calls.push('restore'),
      show: () => calls.push('show'),
      focus: () => calls.push('focus'),
    };
    bringToFront(window);
    expect(calls).toEqual(['restore', 'show', 'focus']);
    calls.length = 0;
    bringToFront({ ...window, isMinimized: () => false });
    expect(calls).toEqual(['show', 'focus']);
  });
});
