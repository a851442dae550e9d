import { createHash } from 'node:crypto';

const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * The sha256 of some bytes, hashed 4 MiB at a time with a turn of the event loop in between, so hashing
 * a 1 GB model never stalls the provider for more than a few milliseconds (SECURITY.md 7).
 */
export async function sha256HexChunked(bytes: Uint8Array): Promise<string> {
  const hash = createHash('sha256');
  for (let offset = 0; offset < bytes.byteLength; offset += CHUNK_BYTES) {
    hash.update(bytes.subarray(offset, offset + CHUNK_BYTES));
    if (offset + CHUNK_BYTES < bytes.byteLength) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return hash.digest('hex');
}
