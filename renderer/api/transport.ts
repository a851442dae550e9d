/**
 * What a transport hands the API client: untyped calls and event subscriptions whose results are
 * `unknown`, so that everything the provider sends passes the client's zod validation before use.
 */
import type { ApiError } from '../../common/api.js';
import type { RawApiTransport } from '../../common/api-client.js';
import type { ConnectionStore } from './connection.js';

/** A way to reach the provider (Electron IPC or headless HTTP) before validation. */
export type RawTransport = RawApiTransport & {
  readonly kind: 'ipc' | 'http';
  /** Reachability of the provider over this transport. */
  readonly connection: ConnectionStore;
};

/** An error envelope made on this side of the transport. */
export function failure(code: ApiError['code'], message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message } };
}
