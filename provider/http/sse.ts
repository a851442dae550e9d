import type { ServerResponse } from 'node:http';
import type { ApiEvent } from '../../common/api.js';

const KEEPALIVE_MS = 15_000;

/**
 * Streams API events to one client as Server-Sent Events until it disconnects. `initial` events are
 * sent first so a new client sees the current state without waiting for the next change.
 */
export function streamEvents(
  res: ServerResponse,
  subscribe: (listener: (event: ApiEvent) => void) => () => void,
  initial: ApiEvent[],
): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  const send = (event: ApiEvent) => res.write(`event: ${event.name}\ndata: ${JSON.stringify(event.payload)}\n\n`);
  for (const event of initial) send(event);
  const unsubscribe = subscribe(send);
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  res.on('close', () => {
    clearInterval(keepalive);
    unsubscribe();
  });
}
