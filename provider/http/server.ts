import { createReadStream } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ApiError, type ApiEvent, type ApiResult, MAX_REQUEST_BYTES } from '../../common/api.js';
import { RENDERER_CSP } from '../../common/csp.js';
import type { Dispatch } from '../api/dispatch.js';
import type { Logger } from '../logger.js';
import { resolveStaticFile } from '../static-files.js';
import { isSameOriginRequest } from './origin-guard.js';
import { BodyTooLarge, readBody } from './read-body.js';
import { streamEvents } from './sse.js';
import { isAuthorized } from './token.js';

export type DashboardServerOptions = {
  port: number;
  token: string;
  dispatch: Dispatch;
  subscribe: (listener: (event: ApiEvent) => void) => () => void;
  /** Events a new event-stream client receives first (the current status). */
  initialEvents: () => ApiEvent[];
  /** The built renderer (out/renderer). */
  rendererDir: string;
  logger: Logger;
};

export type DashboardServer = {
  port: number;
  /** The address to open, with the token in the fragment (never sent to the server by a browser). */
  url: string;
  close: () => Promise<void>;
};

/** Thrown when the dashboard port is taken. */
export class PortInUse extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} on 127.0.0.1 is already in use (is another Hearth running?). Pick another with --dashboard-port.`);
  }
}

const HTTP_STATUS: Record<ApiError['code'], number> = {
  unknown_method: 404,
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  payload_too_large: 413,
  unavailable: 503,
  internal: 500,
  // The wallet's refusals (common/api.ts): the request was understood and refused.
  wrong_passphrase: 403,
  passphrase_required: 403,
  weak_passphrase: 400,
  wallet_exists: 409,
  no_wallet: 409,
  wallet_locked: 409,
  wallet_file_invalid: 409,
  invalid_key: 400,
  invalid_address: 400,
  policy_refused: 403,
  no_payout_chain: 409,
  rpc_unavailable: 503,
  insufficient_gas: 409,
  claim_refused: 409,
};

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * The headless transport of the API contract: 127.0.0.1 only, `POST /api/<method>`, `GET /api/events`
 * (Server-Sent Events), a bearer token, Host/Origin checks and a body limit; it also serves the built
 * renderer under the strict CSP.
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const server = createServer((req, res) => {
    handle(req, res, options, port()).catch((err: unknown) => {
      options.logger.error({ err }, 'dashboard request failed');
      if (!res.headersSent) sendResult(res, fail('internal', 'The dashboard server failed; the log has the details.'));
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const port = () => (server.address() as AddressInfo).port;
  await listen(server, options.port);
  const url = `http://127.0.0.1:${port()}/#token=${options.token}`;
  return {
    port: port(),
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new PortInUse(port) : err));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, options: DashboardServerOptions, port: number): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  if (!isSameOriginRequest({ host: req.headers.host, origin: req.headers.origin }, port)) {
    return sendResult(res, fail('forbidden', 'This dashboard only answers pages it served itself on 127.0.0.1.'));
  }
  if (path === '/api' || path.startsWith('/api/')) return handleApi(req, res, path.slice('/api/'.length), options);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...COMMON_HEADERS, Allow: 'GET, HEAD' }).end();
    return;
  }
  return serveStatic(req, res, path, options.rendererDir);
}

async function handleApi(req: IncomingMessage, res: ServerResponse, method: string, options: DashboardServerOptions): Promise<void> {
  if (!isAuthorized(req.headers.authorization, options.token)) {
    return sendResult(res, fail('unauthorized', 'Missing or wrong dashboard token. Open the address `hearth start` printed.'));
  }
  if (method === 'events' && req.method === 'GET') {
    return streamEvents(res, options.subscribe, options.initialEvents());
  }
  if (req.method !== 'POST') {
    return sendResult(res, fail('invalid_input', 'API methods are called with POST and a JSON body.'));
  }
  let input: unknown;
  try {
    const body = await readBody(req, MAX_REQUEST_BYTES);
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      res.setHeader('Connection', 'close');
      return sendResult(res, fail('payload_too_large', `Request bodies are limited to ${MAX_REQUEST_BYTES} bytes.`));
    }
    if (err instanceof SyntaxError) return sendResult(res, fail('invalid_input', 'The request body is not valid JSON.'));
    throw err;
  }
  return sendResult(res, await options.dispatch(method, input));
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, path: string, rendererDir: string): Promise<void> {
  const file = await resolveStaticFile(rendererDir, path);
  if (file === null) {
    res.writeHead(404, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
    return;
  }
  res.writeHead(200, {
    ...COMMON_HEADERS,
    'Content-Type': file.contentType,
    'Content-Security-Policy': RENDERER_CSP,
    'Cache-Control': file.contentType.startsWith('text/html') ? 'no-store' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file.path).pipe(res);
}

function fail(code: ApiError['code'], message: string): ApiResult<never> {
  return { ok: false, error: { code, message } };
}

function sendResult(res: ServerResponse, result: ApiResult<unknown>): void {
  const status = result.ok ? 200 : HTTP_STATUS[result.error.code];
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(result));
}
