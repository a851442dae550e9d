/** Reads the `version` field of a frame's JSON header without validating it, to tell a version mismatch from garbage. */
import { MAX_HEADER_BYTES } from '../marketplace-protocol.js';

/** The header's numeric `version`, or null when there is none (or no readable header). */
export function headerVersion(frame: Uint8Array): number | null {
  if (frame.byteLength < 8) return null;
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(4, true);
  if (length > MAX_HEADER_BYTES || 8 + length > frame.byteLength) return null;
  try {
    const header: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(frame.subarray(8, 8 + length)));
    if (header === null || typeof header !== 'object' || !('version' in header)) return null;
    return typeof header.version === 'number' ? header.version : null;
  } catch {
    return null;
  }
}
