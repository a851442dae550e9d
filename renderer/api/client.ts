/**
 * The renderer's one API object. It is derived from the contract tables in common/api.ts — one entry
 * per method and per event, never written by hand — and every reply and event is validated with zod
 * here, whichever transport carried it.
 */
import type { HearthApi } from '../../common/api.js';
import { createValidatedApi } from '../../common/api-client.js';
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

/** Picks the transport: the Electron preload's bridge when present, else HTTP to the serving provider. */
export function createClient(): ApiClient {
  if (window.hearth !== undefined) {
    const transport = createIpcTransport(window.hearth);
    return { api: createValidatedApi(transport), transport: transport.kind, connection: transport.connection };
  }
  const transport = createHttpTransport({ token: takeWindowToken() });
  transport.start();
  return { api: createValidatedApi(transport), transport: transport.kind, connection: transport.connection };
}
