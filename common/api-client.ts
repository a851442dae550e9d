/**
 * The one builder of a validated HearthApi from the contract tables, used on every receiving side: the
 * Electron preload (over ipcRenderer) and the renderer (over the preload's bridge or HTTP). Whatever a
 * transport delivers is `unknown` until the method's or event's schema passes it.
 */
import type { ZodType } from 'zod';
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
} from './api.js';

/** An untyped way to reach the provider, before validation. */
export type RawApiTransport = {
  /** Invokes a method; resolves with whatever arrived (meant to be an ApiResult envelope), never rejects. */
  call(method: ApiMethod, input: unknown): Promise<unknown>;
  /** Delivers each payload of `event` as it arrived; returns the function that stops delivery. */
  subscribe(event: ApiEventName, listener: (payload: unknown) => void): () => void;
};

// Typed loosely (unknown in, schema-checked out) because TypeScript cannot relate a mapped type's key to
// its own schema inside a generic body; the result's contract types hold because each entry validates
// with the schema of the same name.
type LooseCall = (input: unknown) => Promise<ApiResult<unknown>>;
type LooseOn = (listener: (payload: unknown) => void) => () => void;

function validatedCall(transport: RawApiTransport, method: ApiMethod): LooseCall {
  const output: ZodType<unknown> = apiMethods[method].output;
  return async (input) => parseApiResult(await transport.call(method, input), output);
}

function validatedOn(transport: RawApiTransport, event: ApiEventName): LooseOn {
  const schema: ZodType<unknown> = apiEvents[event];
  return (listener) => {
    if (typeof listener !== 'function') throw new TypeError(`on.${event} needs a function.`);
    return transport.subscribe(event, (raw) => {
      const parsed = schema.safeParse(raw);
      // An event that breaks the contract is dropped: the next valid one (at least every second) follows.
      if (parsed.success) listener(parsed.data);
    });
  };
}

/** Builds the validated, frozen HearthApi over any transport: one function per method, one subscriber per event. */
export function createValidatedApi(transport: RawApiTransport): HearthApi {
  const call: Record<string, LooseCall> = Object.fromEntries(apiMethodNames.map((m) => [m, validatedCall(transport, m)]));
  const on: Record<string, LooseOn> = Object.fromEntries(apiEventNames.map((e) => [e, validatedOn(transport, e)]));
  return Object.freeze({ call: Object.freeze(call), on: Object.freeze(on) }) as unknown as HearthApi;
}
