/**
 * The coordinator's HTTP server: the Open Inference Protocol v2 API for consumers (/v2/…), model bytes
 * by hash for providers (/models/<sha256>), and /metrics. Binds 127.0.0.1 unless told otherwise; the
 * underlying http.Server is exposed so the provider link can take WebSocket upgrades on the same port.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { WorkerLimits } from '../common/worker-protocol.js';
import { HEARTH_VERSION } from '../provider/version.js';
import { DEFAULT_WORKER_LIMITS } from '../worker/admission/default-limits.js';
import type { Dispatcher } from './dispatch/dispatcher.js';
import { sendError } from './http/reply.js';
import { MarketplaceMetrics, PROMETHEUS_CONTENT_TYPE } from './metrics.js';
import { consumerAuth } from './oip/consumer-auth.js';
import { handleOip } from './oip/oip-routes.js';
import { isModelBytesPath, serveModelBytes } from './registry/model-bytes-route.js';
import type { ModelRegistry } from './registry/model-registry.js';

/** The port `hearth marketplace` listens on unless told otherwise. */
export const DEFAULT_MARKETPLACE_PORT = 7460;
/** Prices are quoted in this token until a chain is configured (the zero address: no token). */
export const NO_TOKEN = '0x0000000000000000000000000000000000000000';
/** Largest request body: the workers' input cap plus room for the JSON header (JSON data arrays are bigger). */
export const DEFAULT_MAX_BODY_BYTES = DEFAULT_WORKER_LIMITS.maxInputBytes + 16 * 1024 * 1024;
/** How long a consumer's infer request waits for its job by default. */
export const DEFAULT_JOB_TIMEOUT_MS = 30_000;

export type MarketplaceServerOptions = {
  registry: ModelRegistry;
  dispatcher: Dispatcher;
  /** API keys consumers send as `Authorization: Bearer KEY`. */
  consumerKeys: readonly string[];
  logger: Logger;
  port?: number;
  /** 127.0.0.1 by default; 0.0.0.0 (or another address) exposes the server. */
  host?: string;
  /** The base URL providers download models from (job specs carry it); this server's own address by default. */
  publicUrl?: string;
  token?: `0x${string}`;
  maxBodyBytes?: number;
  inputLimits?: Pick<WorkerLimits, 'maxInputBytes' | 'maxInputElements'>;
  jobTimeoutMs?: number;
};

export type MarketplaceServer = {
  port: number;
  /** The base URL (public URL when one was given). */
  url: string;
  /** The Node server, for WebSocket upgrades. */
  server: Server;
  metrics: MarketplaceMetrics;
  /** Where a model's bytes are downloaded from. */
  modelUrl: (sha256: string) => string;
  close: () => Promise<void>;
};

/** Starts the coordinator's HTTP server. */
export async function startMarketplaceServer(options: MarketplaceServerOptions): Promise<MarketplaceServer> {
  const authorized = consumerAuth(options.consumerKeys);
  const metrics = new MarketplaceMetrics(options.dispatcher);
  const log = options.logger.child({ part: 'http' });
  let base = '';
  const modelUrl = (sha256: string) => `${base}/models/${sha256}`;
  const oip = {
    registry: options.registry,
    dispatcher: options.dispatcher,
    authorized,
    modelUrl,
    token: options.token ?? NO_TOKEN,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    inputLimits: options.inputLimits ?? DEFAULT_WORKER_LIMITS,
    jobTimeoutMs: options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS,
    ready: () => options.registry.list().length > 0 && options.dispatcher.sessionCount() > 0,
    version: HEARTH_VERSION,
    logger: log,
  } as const;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/v2' || path.startsWith('/v2/')) return handleOip(req, res, path, oip);
    if (isModelBytesPath(path)) return serveModelBytes(req, res, path, options.registry, authorized(req.headers.authorization), log);
    if (path === '/metrics' && req.method === 'GET') {
      const text = metrics.render();
      res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
      res.end(text);
      return;
    }
    sendError(res, 404, `No route ${path}: consumers use /v2/…, providers /models/<sha256>.`);
  };

  const server = createServer((req, res) => {
    res.once('finish', () => metrics.httpResponse(res.statusCode));
    route(req, res).catch((err: unknown) => {
      log.error({ err, url: req.url }, 'request failed');
      if (!res.headersSent) sendError(res, 500, 'The marketplace failed to answer; its log has the details.');
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 120_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? DEFAULT_MARKETPLACE_PORT, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  base = (options.publicUrl ?? `http://${urlHost(host)}:${port}`).replace(/\/+$/, '');
  if (options.publicUrl === undefined && isWildcard(host)) log.warn({ host }, 'listening on every interface without --public-url: job specs point providers at 127.0.0.1');
  return {
    port,
    url: base,
    server,
    metrics,
    modelUrl,
    close: () =>
      new Promise<void>((resolve) => {
        metrics.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function urlHost(host: string): string {
  if (isWildcard(host)) return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
