import { type ApiEventName, type ApiMethod, type HearthApi, apiEventNames } from '../common/api.js';
import { type RawApiTransport, createValidatedApi } from '../common/api-client.js';
import { EVENT_CHANNEL, apiChannel } from './ipc-channels.js';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The parts of ipcRenderer the preload uses (Electron's ipcRenderer fits). */
export type IpcRendererLike = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
};

/**
 * The object the preload exposes as `window.hearth`: one function per method (each bound to its own
 * channel, its reply checked against the contract) and one subscriber per event. It never hands out
 * ipcRenderer, the IPC event object, or a way to pick a channel by name.
 */
export function buildPreloadApi(ipc: IpcRendererLike): HearthApi {
  const hub = createEventHub(ipc);
  const transport: RawApiTransport = {
    async call(method: ApiMethod, input: unknown) {
      try {
        return await ipc.invoke(apiChannel(method), input);
      } catch {
        // Main has not registered the API yet, or the input could not be cloned.
        return { ok: false, error: { code: 'unavailable', message: 'The Hearth core did not answer; try again in a moment.' } };
      }
    },
    subscribe: hub.subscribe,
  };
  return createValidatedApi(transport);
}

/** One ipcRenderer listener, attached while anyone is subscribed, fanning events out by name. */
function createEventHub(ipc: IpcRendererLike): Pick<RawApiTransport, 'subscribe'> {
  const listeners = new Map<ApiEventName, Set<(payload: unknown) => void>>(apiEventNames.map((name) => [name, new Set()]));
  let count = 0;
  const onEvent: IpcListener = (_event, name, payload) => {
    if (typeof name !== 'string' || !(apiEventNames as string[]).includes(name)) return;
    for (const listener of [...(listeners.get(name as ApiEventName) ?? [])]) {
      try {
        listener(payload);
      } catch (err) {
        // One failing listener must not starve the others; the error still surfaces.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  };
  return {
    subscribe: (name, listener) => {
      // Wrapped so the same function subscribed twice is two subscriptions, each with its own undo.
      const entry = (payload: unknown): void => listener(payload);
      listeners.get(name)?.add(entry);
      if (++count === 1) ipc.on(EVENT_CHANNEL, onEvent);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        listeners.get(name)?.delete(entry);
        if (--count === 0) ipc.removeListener(EVENT_CHANNEL, onEvent);
      };
    },
  };
}
