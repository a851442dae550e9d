/**
 * The sandboxed preload: exposes the API object as `window.hearth` and nothing else. Bundled to
 * CommonJS (out/preload/preload.cjs), as Electron requires for sandboxed preloads.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { PRELOAD_GLOBAL } from './ipc-channels.js';
import { buildPreloadApi } from './preload-api.js';

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, buildPreloadApi(ipcRenderer));
