/**
 * One WebSocket speaking HRT1 frames: outgoing messages are encoded with their tensors, incoming binary
 * frames are decoded against the receiver's schema, and anything else (a text frame, a frame over the
 * cap, a malformed or invalid frame) closes this connection with its close code. Nothing here throws.
 */
import type { WebSocket } from 'ws';
import type { z } from 'zod';
import { decodeFrame, encodeFrame } from '../../common/marketplace-frame.js';
import { PROTOCOL_VERSION } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import { type CloseCode as CloseCodeValue, CloseCode, closeCodeFor, closeReason } from '../../common/wire/close-codes.js';
import { headerVersion } from '../../common/wire/header-version.js';

export type FrameSocketOptions<S extends z.ZodType> = {
  /** The schema of what the other side sends. */
  schema: S;
  /** The largest frame read at first. */
  maxFrameBytes: number;
  onMessage: (message: z.output<S>, tensors: Tensor[]) => void;
  /** Called once, whoever closed. */
  onClose: (code: number, reason: string) => void;
  /** Called when this side refuses a frame, before it closes. */
  onRefused?: (code: CloseCodeValue, reason: string) => void;
};

/** A WebSocket carrying one side's messages in HRT1 frames. */
export class FrameSocket<S extends z.ZodType, Out extends object> {
  private closed = false;
  /** The largest frame read; a connection may raise it once its peer is authenticated. */
  maxFrameBytes: number;

  constructor(
    readonly ws: WebSocket,
    private readonly options: FrameSocketOptions<S>,
  ) {
    this.maxFrameBytes = options.maxFrameBytes;
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    // ws reports a frame over maxPayload (and other protocol errors) here, then closes with its code.
    ws.on('error', () => undefined);
    ws.on('close', (code, reason) => this.finish(code, reason.toString('utf8')));
  }

  /** True while the socket can send. */
  get open(): boolean {
    return !this.closed && this.ws.readyState === this.ws.OPEN;
  }

  /** Sends one message and the tensors its heads list; false when the socket is not open. */
  send(message: Out, tensors: readonly Tensor[] = []): boolean {
    if (!this.open) return false;
    this.ws.send(encodeFrame(message, tensors), { binary: true });
    return true;
  }

  /** Closes with a protocol code and a reason (cut to fit). */
  close(code: CloseCodeValue, reason: string): void {
    if (this.ws.readyState === this.ws.CLOSED || this.ws.readyState === this.ws.CLOSING) return;
    this.ws.close(code, closeReason(reason));
  }

  /** Drops the connection without a closing handshake. */
  terminate(): void {
    this.ws.terminate();
  }

  private receive(data: Buffer, isBinary: boolean): void {
    // Frames that arrive after this side started closing are not read.
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    if (!isBinary) return this.refuse(CloseCode.frameMalformed, 'Text frames are not part of the protocol; send HRT1 binary frames.');
    const frame = new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    const decoded = decodeFrame(frame, this.options.schema, this.maxFrameBytes);
    if (!decoded.ok) {
      const version = decoded.error.code === 'frame_invalid' ? headerVersion(frame) : null;
      if (version !== null && version !== PROTOCOL_VERSION) {
        return this.refuse(CloseCode.versionUnsupported, `Protocol version ${version} is not supported; this side speaks ${PROTOCOL_VERSION}.`);
      }
      return this.refuse(closeCodeFor(decoded.error), decoded.error.message);
    }
    this.options.onMessage(decoded.message, decoded.tensors);
  }

  private refuse(code: CloseCodeValue, reason: string): void {
    this.options.onRefused?.(code, reason);
    this.close(code, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.options.onClose(code, reason);
  }
}
