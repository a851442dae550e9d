/**
 * Reads a request body under a size limit. An oversized body is still drained (up to a cap) before the
 * caller answers 413, so the client reads the answer instead of a reset connection; beyond the cap the
 * connection is dropped.
 */
import type { IncomingMessage } from 'node:http';

/** The body was larger than the limit; `drained` says whether the connection can still be answered. */
export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';

  constructor(
    readonly limit: number,
    readonly drained: boolean,
  ) {
    super(`Request bodies are limited to ${limit} bytes.`);
  }
}

/** Reads the whole body, or rejects with BodyTooLarge once it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number, drainCap = Math.max(limit * 4, 64 * 1024 * 1024)): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const tooLarge = (drained: boolean) => {
      req.removeAllListeners('data');
      if (!drained) req.destroy();
      reject(new BodyTooLarge(limit, drained));
    };
    if (declared > drainCap) return tooLarge(false);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > drainCap) return tooLarge(false);
      if (over) return;
      if (size > limit || declared > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => (over ? tooLarge(true) : resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
