/** WebSocket close codes of the marketplace protocol (docs/protocol.md, "Close codes"). */
import type { FrameError } from '../marketplace-frame.js';

export const CloseCode = {
  /** After `bye`, or a clean stop. */
  normal: 1000,
  /** The closing side is shutting down. */
  goingAway: 1001,
  /** A frame over the receiver's cap (also what `ws` sends itself when its maxPayload is exceeded). */
  frameTooLarge: 1009,
  /** Not an HRT1 frame: text frame, bad magic, header not UTF-8 JSON, sizes that do not add up. */
  frameMalformed: 4000,
  /** A well-formed frame whose header fails the receiver's schema, or tensor bytes that do not match their heads. */
  frameInvalid: 4001,
  /** A valid message at the wrong time (a job message before `welcome`, a second `hello`). */
  unexpectedMessage: 4003,
  /** The hello's signature does not recover to its node address. */
  authFailed: 4010,
  /** The peer speaks another protocol version. */
  versionUnsupported: 4011,
  /** No hello within the handshake time. */
  handshakeTimeout: 4012,
  /** The same node connected again; the older connection is closed. */
  replaced: 4013,
  /** The challenge names a coordinator other than the pinned one (closed by the provider). */
  coordinatorMismatch: 4014,
  /** The coordinator does not serve this node. */
  notAuthorized: 4015,
  /** Nothing received for three heartbeat intervals. */
  heartbeatTimeout: 4020,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** The close code for a frame the decoder refused. */
export function closeCodeFor(error: FrameError): CloseCode {
  if (error.code === 'frame_too_large') return CloseCode.frameTooLarge;
  return error.code === 'frame_malformed' ? CloseCode.frameMalformed : CloseCode.frameInvalid;
}

/** A close reason that fits WebSocket's 123-byte limit. */
export function closeReason(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= 123) return text;
  let cut = text.slice(0, 120);
  while (new TextEncoder().encode(`${cut}…`).byteLength > 123) cut = cut.slice(0, -1);
  return `${cut}…`;
}
