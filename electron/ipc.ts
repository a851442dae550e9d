import { type ApiError, type ApiEvent, type ApiResult, MAX_REQUEST_BYTES, apiMethodNames } from '../common/api.js';
import type { Dispatch } from '../provider/api/dispatch.js';
import { EVENT_CHANNEL, apiChannel } from './ipc-channels.js';
import { measureJson } from './json-size.js';
import { isAppUrl } from './navigation.js';

/** The parts of a WebFrameMain the sender check reads (Electron's WebFrameMain fits). */
export type SenderFrame = {
  readonly url: string;
  readonly parent: SenderFrame | null;
  readonly detached?: boolean;
};

/** The parts of an IpcMainInvokeEvent the wrapper reads. */
export type InvokeEvent = { readonly senderFrame: SenderFrame | null };

/** The parts of ipcMain the API is registered on (Electron's ipcMain fits). */
export type IpcMainLike = {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => Promise<ApiResult<unknown>>): void;
  removeHandler(channel: string): void;
};

/** True for a live top-level frame showing a page of the app's own origin, `app://hearth`. */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  if (frame === null || frame === undefined) return false;
  if (frame.detached === true || frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

function failure(code: ApiError['code'], message: string): ApiResult<never> {
  return { ok: false, error: { code, message } };
}

/**
 * Registers one handler per method of the contract, each behind the same wrapper: the sender frame
 * must pass `trust`, the payload must be plain JSON data within MAX_REQUEST_BYTES, and only then does
 * `dispatch` (which validates the input against the method's schema) see it. Returns the undo.
 */
export function registerApi(ipcMain: IpcMainLike, dispatch: Dispatch, trust: (frame: SenderFrame | null) => boolean = isTrustedSender): () => void {
  const channels = apiMethodNames.map((method) => {
    const channel = apiChannel(method);
    ipcMain.handle(channel, async (event, payload) => {
      let frame: SenderFrame | null;
      try {
        // Reading senderFrame after the frame went away can throw on some Electron versions.
        frame = event.senderFrame ?? null;
      } catch {
        frame = null;
      }
      if (!trust(frame)) {
        return failure('forbidden', 'This request did not come from the Hearth window, so it was refused.');
      }
      const size = measureJson(payload, MAX_REQUEST_BYTES);
      if (!size.ok && size.reason === 'too_large') {
        return failure('payload_too_large', `The request for ${method} is larger than the ${MAX_REQUEST_BYTES}-byte limit.`);
      }
      if (!size.ok) {
        return failure('invalid_input', `The request for ${method} must be plain JSON data (objects, arrays, strings, numbers, booleans, null).`);
      }
      try {
        return await dispatch(method, payload);
      } catch {
        // Dispatch promises never to throw; if it does, the renderer still gets an envelope.
        return failure('internal', `${method} failed inside the provider; the log in the data folder has the details.`);
      }
    });
    return channel;
  });
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/** The parts of a WebContents events are sent to (Electron's WebContents fits). */
export type EventSink = {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
};

/**
 * Sends every provider event to `sink` as `(name, payload)` on the event channel until the returned
 * function is called or the sink is destroyed.
 */
export function forwardEvents(subscribe: (listener: (event: ApiEvent) => void) => () => void, sink: EventSink): () => void {
  let stopped = false;
  const unsubscribe = subscribe((event) => {
    if (stopped) return;
    if (sink.isDestroyed()) {
      stopped = true;
      // Deferred: the listener may run before subscribe() has returned its unsubscribe.
      queueMicrotask(() => unsubscribe());
      return;
    }
    sink.send(EVENT_CHANNEL, event.name, event.payload);
  });
  return () => {
    stopped = true;
    unsubscribe();
  };
}
