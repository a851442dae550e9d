/**
 * One provider's WebSocket on the coordinator: send a challenge, accept only a `hello` whose signature
 * recovers to its node address (small frames only until then), welcome it, then pass its messages to
 * its session and close the line when it goes quiet for three heartbeat intervals. A frame that does not
 * decode closes this connection alone, with its close code.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Address } from 'viem';
import type { WebSocket } from 'ws';
import { type FromCoordinator, FromProvider, MAX_HEADER_BYTES, type PayoutInfo, PROTOCOL_VERSION } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import { CloseCode } from '../../common/wire/close-codes.js';
import { FrameSocket } from '../../provider/marketplace/frame-socket.js';
import { verifyHelloSignature } from '../../common/wire/hello-signature.js';

export type Hello = Extract<FromProvider, { type: 'hello' }>;
type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** What the connection needs from the link. */
export type ProviderConnectionDeps = {
  coordinator: Address;
  maxFrameBytes: number;
  handshakeTimeoutMs: number;
  heartbeatMs: number;
  logger: Logger;
  now: () => number;
  /** Whether this node may connect (all may by default). */
  authorize: (node: Address, hello: Hello) => boolean | Promise<boolean>;
  /** The node proved its key: bind its session and return what `welcome` says. */
  welcome: (connection: ProviderConnection, hello: Hello) => { lastSeq: number; payout?: PayoutInfo };
  /** `welcome` went out: what follows it (re-sent acks, the latest voucher) may be sent now. */
  welcomed: (connection: ProviderConnection, hello: Hello) => void;
  /** A message after welcome. */
  message: (connection: ProviderConnection, message: Exclude<FromProvider, { type: 'hello' }>, tensors: Tensor[]) => void;
  closed: (connection: ProviderConnection, code: number, reason: string) => void;
  /** This side refused a frame (for logs and tests). */
  refused: (code: number, reason: string) => void;
};

/** The coordinator's end of one provider WebSocket. */
export class ProviderConnection {
  private readonly socket: FrameSocket<typeof FromProvider, FromCoordinator>;
  private readonly nonce = `0x${randomBytes(32).toString('hex')}`;
  private state: 'challenged' | 'verifying' | 'welcomed' | 'closed' = 'challenged';
  private nodeAddress: Address | null = null;
  private lastHeard: number;
  private timer: NodeJS.Timeout;

  constructor(
    ws: WebSocket,
    private readonly deps: ProviderConnectionDeps,
  ) {
    this.lastHeard = deps.now();
    this.socket = new FrameSocket(ws, {
      schema: FromProvider,
      // Until the hello checks out, nothing bigger than a header is read.
      maxFrameBytes: 8 + MAX_HEADER_BYTES,
      onMessage: (message, tensors) => this.receive(message, tensors),
      onClose: (code, reason) => this.finish(code, reason),
      onRefused: (code, reason) => deps.refused(code, reason),
    });
    this.socket.send({ type: 'challenge', version: PROTOCOL_VERSION, nonce: this.nonce, coordinator: deps.coordinator });
    this.timer = setTimeout(() => this.refuse(CloseCode.handshakeTimeout, 'handshake_timeout', `No hello within ${deps.handshakeTimeoutMs} ms.`), deps.handshakeTimeoutMs);
  }

  /** The node address, once the hello checked out. */
  get node(): Address | null {
    return this.nodeAddress;
  }

  /** Sends a message; false when the connection is not welcomed and open. */
  send(message: FromCoordinator, tensors: readonly Tensor[] = []): boolean {
    return this.state === 'welcomed' && this.socket.send(message, tensors);
  }

  /** Closes with a protocol code. */
  close(code: CloseCodeValue, reason: string): void {
    this.socket.close(code, reason);
  }

  /** Drops the connection without a closing handshake. */
  terminate(): void {
    this.socket.terminate();
  }

  private receive(message: FromProvider, tensors: Tensor[]): void {
    this.lastHeard = this.deps.now();
    if (message.type === 'hello') return void this.hello(message);
    if (this.state !== 'welcomed') return this.close(CloseCode.unexpectedMessage, `${message.type} before welcome.`);
    if (message.type === 'bye') {
      this.deps.message(this, message, tensors);
      return this.close(CloseCode.normal, 'bye');
    }
    this.deps.message(this, message, tensors);
  }

  private async hello(hello: Hello): Promise<void> {
    if (this.state !== 'challenged') return this.close(CloseCode.unexpectedMessage, 'A second hello.');
    this.state = 'verifying';
    if (!(await verifyHelloSignature(this.deps.coordinator, this.nonce, hello.signature, hello.node as Address))) {
      return this.refuse(CloseCode.authFailed, 'auth_failed', `The hello signature does not recover to ${hello.node}.`);
    }
    if (!(await this.deps.authorize(hello.node as Address, hello))) {
      return this.refuse(CloseCode.notAuthorized, 'not_authorized', `Node ${hello.node} is not served by this coordinator.`);
    }
    if (!this.socket.open) return;
    clearTimeout(this.timer);
    this.nodeAddress = hello.node as Address;
    this.socket.maxFrameBytes = this.deps.maxFrameBytes;
    this.state = 'welcomed';
    const { lastSeq, payout } = this.deps.welcome(this, hello);
    this.socket.send({ type: 'welcome', providerId: this.nodeAddress, lastSeq, heartbeatMs: this.deps.heartbeatMs, ...(payout === undefined ? {} : { payout }) });
    this.deps.welcomed(this, hello);
    this.timer = setInterval(() => {
      if (this.deps.now() - this.lastHeard > 3 * this.deps.heartbeatMs) this.close(CloseCode.heartbeatTimeout, 'No message for three heartbeat intervals.');
    }, this.deps.heartbeatMs);
  }

  private refuse(code: CloseCodeValue, errorCode: string, message: string): void {
    this.deps.refused(code, message);
    this.socket.send({ type: 'error', code: errorCode, message });
    this.close(code, message);
  }

  private finish(code: number, reason: string): void {
    const was = this.state;
    this.state = 'closed';
    clearTimeout(this.timer);
    clearInterval(this.timer);
    if (was === 'welcomed') this.deps.closed(this, code, reason);
  }
}
