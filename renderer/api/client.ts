/**
 * The renderer's one API object. It is derived from the contract tables in common/api.ts — one entry
 * per method and per event, never written by hand — and every reply and event is validated with zod
 * here, whichever transport carried it.
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
} from '../../common/api.js';
import type { ConnectionStore } from './connection.js';
import { takeWindowToken } from './token.js';
import { createHttpTransport } from './transport-http.js';
import { createIpcTransport } from './transport-ipc.js';
import type { RawTransport } from './transport.js';

/** The typed, validated API plus what the UI needs to know about the way it reaches the provider. */
export type ApiClient = {
  api: HearthApi;
  transport: RawTransport['kind'];
  connection: ConnectionStore;
};

// The two builders below are typed loosely (unknown in, schema-checked out) because TypeScript cannot
// relate a mapped type's key to its own schema inside a generic body; `createApi` restores the
// contract's types, which hold because each entry validates with the schema of the same name.
type LooseCall = (input: unknown) => Promise<ApiResult<unknown>>;
type LooseOn = (listener: (payload: unknown) => void) => () => void;

function validatedCall(transport: RawTransport, method: ApiMethod): LooseCall {
  const output: ZodType<unknown> = apiMethods[method].output;
  return async (input) => parseApiResult(await transport.call(method, input), output);
}

function validatedOn(transport: RawTransport, event: ApiEventName): LooseOn {
  const schema: ZodType<unknown> = apiEvents[event];
  return (listener) =>
    transport.subscribe(event, (raw) => {
      const parsed = schema.safeParse(raw);
      // An event that breaks the contract is dropped: the next valid one (at least every second) follows.
      if (parsed.success) listener(parsed.data);
    });
}

/** Builds the validated HearthApi over any transport. */
export function createApi(transport: RawTransport): HearthApi {
  const call: Record<string, LooseCall> = Object.fromEntries(apiMethodNames.map((m) => [m, validatedCall(transport, m)]));
  const on: Record<string, LooseOn> = Object.fromEntries(apiEventNames.map((e) => [e, validatedOn(transport, e)]));
  return { call, on } as unknown as HearthApi;
}

/** Picks the transport: the Electron preload's bridge when present, else HTTP to the serving provider. */
export function createClient(): ApiClient {
  if (window.hearth !== undefined) {
    const transport = createIpcTransport(window.hearth);
    return { api: createApi(transport), transport: transport.kind, connection: transport.connection };
  }
  const transport = createHttpTransport({ token: takeWindowToken() });
  transport.start();
  return { api: createApi(transport), transport: transport.kind, connection: transport.connection };
}
