import type { ApiMethod } from '../common/api.js';

/** The IPC channel that carries calls of `method` (one channel per method of the contract). */
export function apiChannel(method: ApiMethod): string {
  return `hearth:api:${method}`;
}

/** The one IPC channel on which main pushes every API event as `(name, payload)`. */
export const EVENT_CHANNEL = 'hearth:event';

/** The name under which the preload exposes the API object to the page: `window.hearth`. */
export const PRELOAD_GLOBAL = 'hearth';
