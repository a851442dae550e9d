/// <reference types="vite/client" />
import type { HearthApi } from '../common/api.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent when the dashboard is served over HTTP. */
    hearth?: HearthApi;
  }
}
