import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES, Status } from '../../common/api.js';
import { RENDERER_CSP } from '../../common/csp.js';
import { type DashboardServer, PortInUse, startDashboardServer } from '../../provider/http/server.js';
import { TOKEN_FILE, loadOrCreateToken } from '../../provider/http/token.js';
import { Provider } from '../../provider/provider.js';
import { rawRequest } from '../helpers/http-request.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let provider: Provider;
let server: DashboardServer;
let token: string;
let remove: () => Promise<void>;
let rendererDir: string;

const serverFor = (port: number) =>
  startDashboardServer({
    port,
    token,
    dispatch: provider.dispatch,
    subscribe: (l) => provider.subscribe(l),
    initialEvents: () => [{ name: 'status', payload: provider.status() }],
    rendererDir,
    logger: provider.logger,
  });

beforeAll(async () => {
  const temp = await makeTempDir();
  remove = temp.remove;
  rendererDir = join(temp.dir, 'renderer');
  await mkdir(rendererDir);
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Hearth</title>');
  provider = await Provider.open({ dataDir: join(temp.dir, 'data'), mode: 'headless', statusIntervalMs: 100, workers: false });
  await provider.start();
  token = await loadOrCreateToken(provider.dataDir);
  server = await serverFor(0);
});
afterAll(async () => {
  await server.close();
  await provider.stop();
  await remove();
});

const host = () => `127.0.0.1:${server.port}`;
const call = (method: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  rawRequest(server.port, {
    method: 'POST',
    path: `/api/${method}`,
    headers: { host: host(), authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body,
  });
const errorOf = (body: string) => (JSON.parse(body) as { ok: false; error: { code: string; message: string; path?: unknown[] } }).error;

async function expectStillServing(): Promise<void> {
  const res = await call('status.get', '{}');
  expect(res.status).toBe(200);
  expect(Status.parse(JSON.parse(res.body).value).state).toBe('running');
}

describe('headless dashboard server', () => {
  it('answers status.get with the live status, only on 127.0.0.1', async () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/#token=${token}$`));
    const res = await call('status.get', '{}');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.ok).toBe(true);
    expect(Status.parse(body.value)).toMatchObject({ state: 'running', mode: 'headless', dataDir: provider.dataDir, devices: null });
  });

  it('keeps the token private to the user', async () => {
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    if (process.platform !== 'win32') expect((await stat(join(provider.dataDir, TOKEN_FILE))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateToken(provider.dataDir)).toBe(token);
  });

  it.each([
    ['an unknown method', () => call('wallet.drain', '{}'), 404, 'unknown_method'],
    ['an invalid payload', () => call('status.get', '{"extra":1}'), 400, 'invalid_input'],
    ['a payload that is not an object', () => call('status.get', '[1,2]'), 400, 'invalid_input'],
    ['a body that is not JSON', () => call('status.get', '{nope'), 400, 'invalid_input'],
    ['a GET on a method', () => rawRequest(server.port, { path: '/api/status.get', headers: { host: host(), authorization: `Bearer ${token}` } }), 400, 'invalid_input'],
    ['a missing token', () => call('status.get', '{}', { authorization: '' }), 401, 'unauthorized'],
    ['a wrong token', () => call('status.get', '{}', { authorization: `Bearer ${'0'.repeat(64)}` }), 401, 'unauthorized'],
    ['a token in the wrong scheme', () => call('status.get', '{}', { authorization: `Basic ${token}` }), 401, 'unauthorized'],
    ['a foreign Origin (CSRF)', () => call('status.get', '{}', { origin: 'http://evil.example' }), 403, 'forbidden'],
    ['a look-alike Origin', () => call('status.get', '{}', { origin: `http://127.0.0.1:${server.port}.evil.example` }), 403, 'forbidden'],
    ['a foreign Host (DNS rebinding)', () => call('status.get', '{}', { host: `evil.example:${server.port}` }), 403, 'forbidden'],
    ['a Host on another port', () => call('status.get', '{}', { host: '127.0.0.1:1' }), 403, 'forbidden'],
    ['a body over the limit', () => call('status.get', Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x20)), 413, 'payload_too_large'],
  ])('rejects %s with %i %s, and stays up', async (_label, send, status, code) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(errorOf(res.body).code).toBe(code);
    expect(errorOf(res.body).message.length).toBeGreaterThan(10);
    await expectStillServing();
  });

  it('names the zod issue path for an invalid payload', async () => {
    const res = await call('status.get', '{"extra":1}');
    expect(errorOf(res.body)).toMatchObject({ code: 'invalid_input', path: [] });
    expect(errorOf(res.body).message).toContain('extra');
  });

  it('rejects a chunked body over the limit without a Content-Length', async () => {
    const res = await rawRequest(server.port, {
      method: 'POST',
      path: '/api/status.get',
      headers: { host: host(), authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' },
      body: Buffer.alloc(MAX_REQUEST_BYTES * 2, 0x20),
    });
    expect(res.status).toBe(413);
    await expectStillServing();
  });

  it('accepts its own Origin and the localhost name', async () => {
    expect((await call('status.get', '{}', { origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
    expect((await call('status.get', '{}', { host: `localhost:${server.port}`, origin: `http://localhost:${server.port}` })).status).toBe(200);
  });

  it('streams status events whose uptime advances', async () => {
    const controller = new AbortController();
    const res = await fetch(`http://${host()}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const uptimes: number[] = [];
    while (uptimes.length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      const frames = text.split('\n\n');
      text = frames.pop() ?? '';
      for (const frame of frames) {
        const data = /^event: status\ndata: (.*)$/m.exec(frame);
        if (data) uptimes.push(Status.parse(JSON.parse(data[1]!)).uptimeMs);
      }
    }
    controller.abort();
    expect(uptimes).toHaveLength(3);
    expect(uptimes[2]!).toBeGreaterThan(uptimes[0]!);
  });

  it('refuses the event stream without the token', async () => {
    const res = await rawRequest(server.port, { path: '/api/events', headers: { host: host() } });
    expect(res.status).toBe(401);
  });

  it('serves the renderer with the strict CSP and refuses traversal', async () => {
    const page = await rawRequest(server.port, { path: '/', headers: { host: host() } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(RENDERER_CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('<title>Hearth</title>');
    const escape = await rawRequest(server.port, { path: '/..%2f..%2fdata%2fdashboard-token', headers: { host: host() } });
    expect(escape.status).toBe(404);
    expect(escape.body).not.toContain(token);
    const rebinding = await rawRequest(server.port, { path: '/', headers: { host: 'attacker.example' } });
    expect(rebinding.status).toBe(403);
  });

  it('reports a port already in use', async () => {
    await expect(serverFor(server.port)).rejects.toBeInstanceOf(PortInUse);
    await expectStillServing();
  });
});
