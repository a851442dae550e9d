/**
 * What a transport hands the API client: untyped calls and event subscriptions whose results are
 * `unknown`, so that everything the provider sends passes the client's zod validation before use.
 */
import type { ApiError, ApiEventName, ApiMethod } from '../../common/api.js';
import type { ConnectionStore } from './connection.js';

/** A way to reach the provider (Electron IPC or headless HTTP) before validation. */
export type RawTransport = {
  readonly kind: 'ipc' | 'http';
  /** Invokes a method; resolves with whatever arrived (meant to be an ApiResult envelope), never rejects. */
  call(method: ApiMethod, input: unknown): Promise<unknown>;
  /** Delivers each payload of `event` as it arrived; returns the function that stops delivery. */
  subscribe(event: ApiEventName, listener: (payload: unknown) => void): () => void;
  /** Reachability of the provider over this transport. */
  readonly connection: ConnectionStore;
};

/** An error envelope made on this side of the transport. */
export function failure(code: ApiError['code'], message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message } };
}
