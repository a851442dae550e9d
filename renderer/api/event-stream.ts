/**
 * The headless transport's event stream: `GET /api/events` read with fetch (so the bearer token can be
 * sent as a header), parsed as Server-Sent Events, and reopened with capped exponential backoff and
 * jitter whenever it ends, fails, or goes silent. Its progress drives the ConnectionStore.
 */
import type { ConnectionStore } from './connection.js';
import { type SseMessage, SseParser } from './sse.js';

export type EventStreamOptions = {
  url: string;
  token: string;
  connection: ConnectionStore;
  onMessage: (message: SseMessage) => void;
  fetch: typeof fetch;
};

/**
 * First reconnect delay and its cap; how long a silent stream is trusted (the provider sends a status
 * every second and keep-alives); how long a stream must have been open to count as healthy.
 */
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 5_000;
const SILENCE_LIMIT_MS = 45_000;
const HEALTHY_STREAM_MS = 5_000;

/** Delay before reconnect attempt `attempt` (0-based): doubling from RETRY_BASE_MS, capped, ±20 % jitter. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** A self-reconnecting reader of the provider's event stream. */
export class EventStream {
  private stopped = true;
  private abort: AbortController | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly options: EventStreamOptions) {}

  /** Opens the stream and keeps it open until `stop`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.run();
  }

  /** Closes the stream and cancels any pending reconnect. */
  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
  }

  private async run(): Promise<void> {
    const { connection } = this.options;
    let attempt = 0;
    while (!this.stopped) {
      const { outcome, openMs } = await this.connectOnce();
      if (this.stopped) return;
      if (outcome === 'unauthorized') {
        // The token will not change without reloading the page; retrying would only add noise.
        connection.set('unauthorized');
        return;
      }
      if (outcome === 'ended') {
        // A stream that was open ended. After a healthy stretch, reconnect at once (the banner waits a
        // few seconds anyway); a stream that keeps closing right after opening backs off like a failure.
        if (openMs >= HEALTHY_STREAM_MS) attempt = 0;
        connection.set('connecting');
        await this.sleep(attempt === 0 ? 0 : retryDelayMs(attempt));
        attempt++;
      } else {
        connection.set('offline');
        await this.sleep(retryDelayMs(attempt++));
      }
    }
  }

  /** One connection: resolves when it can no longer deliver events, saying why and how long it was open. */
  private async connectOnce(): Promise<{ outcome: 'ended' | 'failed' | 'unauthorized'; openMs: number }> {
    const { url, token, connection, onMessage } = this.options;
    const abort = new AbortController();
    let openedAt: number | null = null;
    const result = (outcome: 'ended' | 'failed' | 'unauthorized') => ({
      outcome,
      openMs: openedAt === null ? 0 : Date.now() - openedAt,
    });
    this.abort = abort;
    let silence: ReturnType<typeof setTimeout> | undefined;
    const armSilenceTimer = (): void => {
      clearTimeout(silence);
      silence = setTimeout(() => abort.abort(), SILENCE_LIMIT_MS);
    };
    try {
      armSilenceTimer();
      const response = await this.options.fetch(url, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
        cache: 'no-store',
        credentials: 'omit',
        signal: abort.signal,
      });
      if (response.status === 401 || response.status === 403) return result('unauthorized');
      if (!response.ok || !response.body) return result('failed');
      openedAt = Date.now();
      connection.set('online');
      const parser = new SseParser(onMessage);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        armSilenceTimer();
        const { done, value } = await reader.read();
        if (done) return result('ended');
        parser.push(value);
      }
    } catch {
      return result(openedAt === null ? 'failed' : 'ended');
    } finally {
      clearTimeout(silence);
      abort.abort();
      if (this.abort === abort) this.abort = null;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}
