/**
 * The headless transport: the page is served by the provider on 127.0.0.1, so every method is a
 * same-origin `POST /api/<method>` and events arrive on `GET /api/events`, both carrying the bearer
 * token from the dashboard link. Replies are returned unparsed for the client to validate.
 */
import { type ApiEventName, apiEvents } from '../../common/api.js';
import { ConnectionStore } from './connection.js';
import { EventStream } from './event-stream.js';
import type { SseMessage } from './sse.js';
import { type RawTransport, failure } from './transport.js';

export type HttpTransportOptions = {
  /** The dashboard's access token, or null when the page was opened without one. */
  token: string | null;
  /** Prefix for the API paths; same origin by default. */
  baseUrl?: string;
  fetch?: typeof fetch;
};

/** Shown when the page has no token at all (opened by hand instead of from the printed link). */
export const NO_TOKEN_MESSAGE =
  'This page has no access token. Open the dashboard link that `hearth start` printed (it ends in #token=…).';

const UNREACHABLE_MESSAGE = "Can't reach the Hearth provider. Is it still running?";

/** Builds the HTTP transport; call `start()` on the result to open the event stream. */
export function createHttpTransport(options: HttpTransportOptions): RawTransport & { start(): void; stop(): void } {
  const { token, baseUrl = '' } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const connection = new ConnectionStore(token === null ? 'unauthorized' : 'connecting');
  const listeners = new Map<ApiEventName, Set<(payload: unknown) => void>>();

  const deliver = ({ event, data }: SseMessage): void => {
    if (!Object.hasOwn(apiEvents, event)) return;
    const set = listeners.get(event as ApiEventName);
    if (!set || set.size === 0) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return; // Not JSON: it cannot match any event schema, so it is dropped like any invalid payload.
    }
    for (const listener of set) {
      try {
        listener(payload);
      } catch (err) {
        // One broken listener must not tear down the stream (and so every other subscriber's updates).
        reportError(err);
      }
    }
  };

  const stream =
    token === null
      ? null
      : new EventStream({ url: `${baseUrl}/api/events`, token, connection, onMessage: deliver, fetch: fetchImpl });

  return {
    kind: 'http',
    connection,
    start: () => stream?.start(),
    stop: () => stream?.stop(),

    async call(method, input) {
      if (token === null) return failure('unauthorized', NO_TOKEN_MESSAGE);
      let response: Response;
      try {
        response = await fetchImpl(`${baseUrl}/api/${encodeURIComponent(method)}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(input ?? {}),
          cache: 'no-store',
          credentials: 'omit',
        });
      } catch {
        return failure('unavailable', UNREACHABLE_MESSAGE);
      }
      if (response.status === 401) connection.set('unauthorized');
      try {
        return (await response.json()) as unknown;
      } catch {
        return failure('internal', `The provider answered HTTP ${response.status} without an API reply.`);
      }
    },

    subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener);
      const held = set;
      return () => {
        held.delete(listener);
      };
    },
  };
}
