/**
 * One connection from a provider to its coordinator: dial, check that the challenge names the pinned
 * coordinator, answer it with the node key, wait for `welcome`, then pass messages up and keep the line
 * alive (heartbeats out, WebSocket pings to notice a dead peer). Reconnecting is the client's job.
 */
import type { LocalAccount } from 'viem';
import { WebSocket } from 'ws';
import { FromCoordinator, type FromProvider, PROTOCOL_VERSION } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import { CloseCode } from '../../common/wire/close-codes.js';
import { FrameSocket } from './frame-socket.js';
import { sameAddress } from '../../common/wire/signatures.js';
import { signHello } from '../../common/wire/hello-signature.js';

type Hello = Extract<FromProvider, { type: 'hello' }>;
export type HelloContent = Omit<Hello, 'type' | 'version' | 'node' | 'signature'>;
export type Welcome = Extract<FromCoordinator, { type: 'welcome' }>;
/** A coordinator message that arrives after `welcome`. */
export type SessionMessage = Exclude<FromCoordinator, { type: 'challenge' | 'welcome' }>;

export type ClientConnectionOptions = {
  url: URL;
  coordinator: string;
  account: LocalAccount;
  maxFrameBytes: number;
  /** Time for the challenge and welcome to arrive after the socket opens. */
  handshakeTimeoutMs: number;
  hello: () => Promise<HelloContent>;
  onWelcome: (welcome: Welcome) => void;
  onMessage: (message: SessionMessage, tensors: Tensor[]) => void;
  onClose: (info: { code: number; reason: string; welcomed: boolean }) => void;
  now: () => number;
};

/**
 * The masking key of every frame the provider sends: all zeros. Masking (RFC 6455 §5.3) keeps a
 * browser script's frames from poisoning HTTP caches on the way; between the provider and its
 * coordinator it protects nothing, and ws masks and unmasks in JavaScript, 1.8 + 1.3 ms for one OCR
 * recognition result (1.06 MB) on this machine. ws skips both steps for a zero key, which is still a
 * well-formed masked frame (docs/protocol.md, "Transport").
 */
export function zeroMask(mask: Uint8Array): void {
  mask.fill(0);
}

/** A single dialled connection and its handshake. */
export class ClientConnection {
  private readonly socket: FrameSocket<typeof FromCoordinator, FromProvider>;
  private state: 'handshaking' | 'answered' | 'welcomed' | 'closed' = 'handshaking';
  private lastHeard: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ClientConnectionOptions) {
    this.lastHeard = options.now();
    const ws = new WebSocket(options.url, { maxPayload: options.maxFrameBytes, perMessageDeflate: false, handshakeTimeout: options.handshakeTimeoutMs, generateMask: zeroMask });
    ws.on('pong', () => (this.lastHeard = options.now()));
    this.socket = new FrameSocket(ws, {
      schema: FromCoordinator,
      maxFrameBytes: options.maxFrameBytes,
      onMessage: (message, tensors) => this.receive(message, tensors),
      onClose: (code, reason) => this.finish(code, reason),
    });
    this.timer = setTimeout(() => this.close(CloseCode.handshakeTimeout, 'No challenge and welcome in time.'), options.handshakeTimeoutMs);
  }

  /** True once welcomed and still open. */
  get online(): boolean {
    return this.state === 'welcomed' && this.socket.open;
  }

  /** Sends a message if the connection is welcomed and open. */
  send(message: FromProvider, tensors: readonly Tensor[] = []): boolean {
    return this.online && this.socket.send(message, tensors);
  }

  /** Sends a heartbeat now and every `intervalMs`, and drops the line when the peer goes quiet for three. */
  keepAlive(intervalMs: number, heartbeat: () => Extract<FromProvider, { type: 'heartbeat' }>): void {
    clearInterval(this.timer);
    const beat = () => {
      if (this.options.now() - this.lastHeard > 3 * intervalMs) return this.socket.terminate();
      this.send(heartbeat());
      if (this.socket.open) this.socket.ws.ping();
    };
    beat();
    this.timer = setInterval(beat, intervalMs);
  }

  /** Closes with a protocol code. */
  close(code: (typeof CloseCode)[keyof typeof CloseCode], reason: string): void {
    this.socket.close(code, reason);
  }

  /** Drops the connection at once. */
  terminate(): void {
    this.socket.terminate();
  }

  private receive(message: FromCoordinator, tensors: Tensor[]): void {
    this.lastHeard = this.options.now();
    if (message.type === 'challenge') return void this.answer(message);
    if (message.type === 'welcome') return this.welcome(message);
    if (this.state !== 'welcomed') {
      if (message.type === 'error') return; // The coordinator explains a refusal, then closes.
      return this.close(CloseCode.unexpectedMessage, `${message.type} before welcome.`);
    }
    this.options.onMessage(message, tensors);
  }

  private async answer(challenge: Extract<FromCoordinator, { type: 'challenge' }>): Promise<void> {
    if (this.state !== 'handshaking') return this.close(CloseCode.unexpectedMessage, 'A second challenge.');
    if (!sameAddress(challenge.coordinator, this.options.coordinator)) {
      return this.close(CloseCode.coordinatorMismatch, `The challenge names ${challenge.coordinator}; this node trusts ${this.options.coordinator}.`);
    }
    this.state = 'answered';
    const [content, signature] = await Promise.all([this.options.hello(), signHello(this.options.account, this.options.coordinator, challenge.nonce)]);
    if (this.state !== 'answered') return;
    this.socket.send({ type: 'hello', version: PROTOCOL_VERSION, node: this.options.account.address, signature, ...content });
  }

  private welcome(welcome: Welcome): void {
    if (this.state !== 'answered') return this.close(CloseCode.unexpectedMessage, 'A welcome that does not follow this node\'s hello.');
    if (!sameAddress(welcome.providerId, this.options.account.address)) return this.close(CloseCode.unexpectedMessage, 'The welcome is for another node.');
    clearTimeout(this.timer);
    this.state = 'welcomed';
    this.options.onWelcome(welcome);
  }

  private finish(code: number, reason: string): void {
    const welcomed = this.state === 'welcomed';
    this.state = 'closed';
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.options.onClose({ code, reason, welcomed });
  }
}
