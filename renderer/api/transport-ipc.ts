/**
 * The desktop transport: the preload exposes `window.hearth` shaped like HearthApi over Electron IPC.
 * Its replies are still treated as unknown here and validated by the client, like the HTTP ones.
 */
import type { HearthApi } from '../../common/api.js';
import { ConnectionStore } from './connection.js';
import { type RawTransport, failure } from './transport.js';

/** Wraps the preload's bridge object as a RawTransport. */
export function createIpcTransport(bridge: HearthApi): RawTransport {
  // The provider runs inside the same app: if it were gone, this page would be gone with it.
  const connection = new ConnectionStore('online');
  return {
    kind: 'ipc',
    connection,

    async call(method, input) {
      const fn: unknown = bridge.call[method];
      if (typeof fn !== 'function') return failure('unknown_method', `This version of the desktop app has no ${method}.`);
      try {
        return (await (fn as (input: unknown) => Promise<unknown>)(input)) as unknown;
      } catch (err) {
        const detail = err instanceof Error ? ` (${err.message.slice(0, 200)})` : '';
        return failure('unavailable', `The desktop app did not answer ${method}${detail}.`);
      }
    },

    subscribe(event, listener) {
      const on: unknown = bridge.on[event];
      if (typeof on !== 'function') return () => undefined;
      const unsubscribe: unknown = (on as (listener: (payload: unknown) => void) => unknown)(listener);
      return typeof unsubscribe === 'function' ? () => void unsubscribe() : () => undefined;
    },
  };
}
