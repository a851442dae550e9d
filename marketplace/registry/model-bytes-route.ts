/**
 * `GET /models/<sha256>`: model bytes by hash, for providers to download. Public models need no key;
 * others need a consumer key. The file is streamed with its length, and refused if it changed on disk
 * since it was registered (a provider would reject it by hash anyway, after downloading it all).
 */
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { sendError } from '../http/reply.js';
import type { ModelRegistry } from './model-registry.js';

const MODEL_PATH = /^\/models\/([0-9a-f]{64})$/;

/** True when the path is under /models/ (this route answers it, if only with 404). */
export function isModelBytesPath(path: string): boolean {
  return path.startsWith('/models/');
}

/** Serves one model's bytes by sha256; `authorized` says whether the request carries a consumer key. */
export async function serveModelBytes(req: IncomingMessage, res: ServerResponse, path: string, registry: ModelRegistry, authorized: boolean, logger: Logger): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'Models are fetched with GET.', { Allow: 'GET, HEAD' });
  const sha256 = MODEL_PATH.exec(path)?.[1];
  const model = sha256 === undefined ? undefined : registry.bySha256(sha256);
  // A private model answers 404 without a key, so its hash does not confirm that it exists.
  if (model === undefined || (!model.public && !authorized)) return sendError(res, 404, 'No model with that sha256 is served here.');
  const file = await open(model.path, 'r').catch(() => null);
  if (file === null) {
    logger.error({ model: model.name, path: model.path }, 'a registered model file is gone');
    return sendError(res, 500, `The file of model ${model.name} is missing on the marketplace.`);
  }
  const stats = await file.stat();
  if (stats.size !== model.bytes || stats.mtimeMs !== model.mtimeMs) {
    await file.close();
    logger.error({ model: model.name, path: model.path }, 'a registered model file changed on disk');
    return sendError(res, 500, `The file of model ${model.name} changed after it was registered; the marketplace must register it again.`);
  }
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(model.bytes),
    // Content-addressed: the bytes behind a hash never change.
    'Cache-Control': model.public ? 'public, max-age=31536000, immutable' : 'private, no-store',
    ETag: `"${model.sha256}"`,
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    await file.close();
    res.end();
    return;
  }
  // pipeline closes the file however the response ends (a provider may hang up mid-download).
  await pipeline(file.createReadStream(), res).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.warn({ err, model: model.name }, 'sending a model file failed');
  });
}
