import {
  type ApiEventName,
  type ApiMethod,
  type ApiResult,
  type HearthApi,
  apiEventNames,
  apiEvents,
  apiMethodNames,
  apiMethods,
  parseApiResult,
} from '../common/api.js';
import { EVENT_CHANNEL, apiChannel } from './ipc-channels.js';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The parts of ipcRenderer the preload uses (Electron's ipcRenderer fits). */
export type IpcRendererLike = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
};

type AnyCall = (input: unknown) => Promise<ApiResult<unknown>>;
type AnySubscriber = (listener: (payload: unknown) => void) => () => void;

/**
 * The object the preload exposes as `window.hearth`: one function per method (each bound to its own
 * channel, its reply checked against the contract) and one subscriber per event. It never hands out
 * ipcRenderer, the IPC event object, or a way to pick a channel by name.
 */
export function buildPreloadApi(ipc: IpcRendererLike): HearthApi {
  const call = Object.fromEntries(apiMethodNames.map((method) => [method, callFor(ipc, method)])) as Record<ApiMethod, AnyCall>;
  const hub = createEventHub(ipc);
  const on = Object.fromEntries(apiEventNames.map((name) => [name, hub.subscriberFor(name)])) as Record<ApiEventName, AnySubscriber>;
  return Object.freeze({ call: Object.freeze(call), on: Object.freeze(on) }) as unknown as HearthApi;
}

function callFor(ipc: IpcRendererLike, method: ApiMethod): AnyCall {
  const channel = apiChannel(method);
  const output = apiMethods[method].output;
  return async (input) => {
    let raw: unknown;
    try {
      raw = await ipc.invoke(channel, input);
    } catch {
      // Main has not registered the API yet, or the input could not be cloned.
      return { ok: false, error: { code: 'unavailable', message: 'The Hearth core did not answer; try again in a moment.' } };
    }
    return parseApiResult(raw, output);
  };
}

/** One ipcRenderer listener, attached while anyone is subscribed, fanning events out by name. */
function createEventHub(ipc: IpcRendererLike): { subscriberFor(name: ApiEventName): AnySubscriber } {
  const listeners = new Map<ApiEventName, Set<(payload: unknown) => void>>(apiEventNames.map((name) => [name, new Set()]));
  let count = 0;
  const onEvent: IpcListener = (_event, name, payload) => {
    if (typeof name !== 'string' || !Object.hasOwn(apiEvents, name)) return;
    const parsed = apiEvents[name as ApiEventName].safeParse(payload);
    if (!parsed.success) return;
    for (const listener of [...(listeners.get(name as ApiEventName) ?? [])]) {
      try {
        listener(parsed.data);
      } catch (err) {
        // One failing listener must not starve the others; the error still surfaces.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  };
  return {
    subscriberFor: (name) => (listener) => {
      if (typeof listener !== 'function') throw new TypeError(`hearth.on.${name} needs a function.`);
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
