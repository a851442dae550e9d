// The headless transport against a real HTTP server speaking Server-Sent Events.
import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionStore } from '../../renderer/api/connection.js';
import { retryDelayMs } from '../../renderer/api/event-stream.js';
import { createHttpTransport } from '../../renderer/api/transport-http.js';

const TOKEN = 'cd'.repeat(32);
const status = { version: '0.1.0', mode: 'headless', state: 'running', startedAt: 1, uptimeMs: 1000, dataDir: '/d', devices: null, workers: [] };
const servers: Server[] = [];
const stops: (() => void)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  for (const s of servers.splice(0)) await new Promise((r) => { s.closeAllConnections(); s.close(r); });
});

async function serve(onEvents: (res: ServerResponse, auth: string | undefined) => void) {
  const requests: { url: string; auth: string | undefined; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', auth: req.headers.authorization, body });
      if (req.url === '/api/events') return onEvents(res, req.headers.authorization);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: true, value: status }));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

function transportFor(baseUrl: string, token: string | null = TOKEN) {
  const transport = createHttpTransport({ token, baseUrl });
  stops.push(() => transport.stop());
  return transport;
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('HTTP transport', () => {
  it('posts calls with the bearer token and returns the envelope unparsed', async () => {
    const { baseUrl, requests } = await serve(() => undefined);
    const reply = await transportFor(baseUrl).call('status.get', {});
    expect(reply).toEqual({ ok: true, value: status });
    expect(requests[0]).toEqual({ url: '/api/status.get', auth: `Bearer ${TOKEN}`, body: '{}' });
  });

  it('reports a network failure as an unavailable error', async () => {
    const { baseUrl, server } = await serve(() => undefined);
    await new Promise((r) => server.close(r));
    const reply = await transportFor(baseUrl).call('status.get', {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('streams events, goes online, and reconnects after the stream ends', async () => {
    let connections = 0;
    const { baseUrl } = await serve((res) => {
      connections++;
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(': keepalive\n\n');
      res.write(`event: status\ndata: ${JSON.stringify({ ...status, uptimeMs: connections * 1000 })}\n\n`);
      if (connections === 1) setTimeout(() => res.end(), 100);
    });
    const transport = transportFor(baseUrl);
    const seen: unknown[] = [];
    transport.subscribe('status', (p) => seen.push(p));
    const states: string[] = [];
    transport.connection.subscribe(() => states.push(transport.connection.get().status));
    transport.start();
    await until(() => seen.length >= 2);
    expect(seen).toEqual([{ ...status, uptimeMs: 1000 }, { ...status, uptimeMs: 2000 }]);
    expect(states).toEqual(['online', 'connecting', 'online']);
    expect(transport.connection.get().unreachableSince).toBeNull();
  });

  it('goes offline when the provider is gone and stops at a refused token', async () => {
    const { baseUrl, server } = await serve((res) => res.writeHead(401).end('{}'));
    const refused = transportFor(baseUrl);
    refused.start();
    await until(() => refused.connection.get().status === 'unauthorized');

    await new Promise((r) => { server.closeAllConnections(); server.close(r); });
    servers.splice(0);
    const gone = transportFor(baseUrl);
    gone.start();
    await until(() => gone.connection.get().status === 'offline');
    expect(gone.connection.get().unreachableSince).not.toBeNull();
  });

  it('does not contact the provider at all without a token', async () => {
    const { baseUrl, requests } = await serve(() => undefined);
    const transport = transportFor(baseUrl, null);
    transport.start();
    expect(await transport.call('status.get', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(transport.connection.get().status).toBe('unauthorized');
    expect(requests).toEqual([]);
  });
});

describe('retryDelayMs', () => {
  it('doubles from half a second up to five, with jitter', () => {
    expect(retryDelayMs(0, () => 0.5)).toBe(500);
    expect(retryDelayMs(1, () => 0.5)).toBe(1000);
    expect(retryDelayMs(20, () => 0.5)).toBe(5000);
    expect(retryDelayMs(20, () => 1)).toBe(6000);
    expect(retryDelayMs(0, () => 0)).toBe(400);
  });
});

describe('ConnectionStore', () => {
  it('keeps the first moment the provider went out of reach until it is back', () => {
    const store = new ConnectionStore('online', 0);
    store.set('connecting', 100);
    store.set('offline', 900);
    expect(store.get()).toEqual({ status: 'offline', unreachableSince: 100 });
    store.set('online', 1000);
    expect(store.get()).toEqual({ status: 'online', unreachableSince: null });
  });
});
