/**
 * The coordinator's provider endpoint: WebSocket upgrades on one path of an http.Server (`/provider` by
 * default), one ProviderConnection per socket, and one LinkSession per node that outlives its
 * connections. Sessions join the dispatcher when welcomed and leave it when their connection drops.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Address, LocalAccount } from 'viem';
import { WebSocketServer } from 'ws';
import { type FromCoordinator, MAX_FRAME_BYTES, type PayoutInfo } from '../../common/marketplace-protocol.js';
import { CloseCode } from '../../common/wire/close-codes.js';
import type { ProviderSession } from '../dispatch/provider-session.js';
import { LinkSession } from './link-session.js';
import { type Hello, ProviderConnection } from './provider-connection.js';
import type { CreditDecision, CreditEvent } from './result-handling.js';
import { type SeqBook, memorySeqBook } from './seq-book.js';

/** Where welcomed sessions go: the dispatcher's addSession and wake fit. */
export interface SessionSink {
  addSession(session: ProviderSession): () => void;
  wake(): void;
}

export type ProviderLinkOptions = {
  /** The coordinator's pinned key: its address goes in challenges, it countersigns receipts. */
  account: LocalAccount;
  chainId: number;
  logger: Logger;
  sink?: SessionSink;
  path?: string;
  heartbeatMs?: number;
  maxFrameBytes?: number;
  handshakeTimeoutMs?: number;
  /** How long a provider has to accept or reject an offer (it may be downloading the model). */
  acceptTimeoutMs?: number;
  /** Jobs a node is given at once (the hello does not say; the client's default is 2). */
  maxInFlight?: number;
  /** Acks and credits; in memory by default, marketplace/store/ keeps them across restarts. */
  seqBook?: SeqBook;
  /** What a verified, on-time result earns (the job's price by default); see CreditDecision. */
  creditFor?: CreditDecision;
  /** Told after each non-zero credit is committed with its ack. */
  credited?: (event: CreditEvent) => void;
  /** Sent in `welcome`: the chain, vault and token vouchers pay in (absent: credits only). */
  payout?: PayoutInfo;
  authorize?: (node: Address, hello: Hello) => boolean | Promise<boolean>;
  now?: () => number;
};

export type ProviderLinkEvents = {
  connected: [node: Address];
  /** `welcome` and what follows it went out to a node. */
  welcomed: [info: { node: Address; recipient: Address }];
  /** A connected node named a new payout recipient. */
  recipient: [info: { node: Address; recipient: Address }];
  disconnected: [info: { node: Address; code: number; reason: string }];
  refused: [info: { code: number; reason: string }];
};

/** The provider WebSocket endpoint and its sessions. */
export class ProviderLink extends EventEmitter<ProviderLinkEvents> {
  private readonly wss: WebSocketServer;
  private readonly byNode = new Map<string, { session: LinkSession; connection: ProviderConnection | null; remove: (() => void) | null }>();
  private readonly connections = new Set<ProviderConnection>();
  private readonly seqBook: SeqBook;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head);

  private constructor(
    private readonly server: Server,
    private readonly options: ProviderLinkOptions,
  ) {
    super();
    this.seqBook = options.seqBook ?? memorySeqBook();
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? MAX_FRAME_BYTES, perMessageDeflate: false });
    server.on('upgrade', this.onUpgrade);
  }

  /** Serves provider connections on `server`. */
  static attach(server: Server, options: ProviderLinkOptions): ProviderLink {
    return new ProviderLink(server, options);
  }

  /** The session of a node (connected or holding jobs through a reconnect). */
  session(node: string): LinkSession | undefined {
    return this.byNode.get(node.toLowerCase())?.session;
  }

  /** Every session, connected or not. */
  sessions(): LinkSession[] {
    return [...this.byNode.values()].map((entry) => entry.session);
  }

  /** Sends a signed voucher to a connected node; false when it is not connected. */
  sendVoucher(node: string, message: Omit<Extract<FromCoordinator, { type: 'voucher' }>, 'type'>): boolean {
    return this.session(node)?.sendVoucher({ type: 'voucher', ...message }) ?? false;
  }

  /** Drops a node's connection (its jobs stay assigned until their deadline or its return). */
  disconnect(node: string, code: (typeof CloseCode)[keyof typeof CloseCode] = CloseCode.goingAway, reason = 'Disconnected by the coordinator.'): boolean {
    const connection = this.byNode.get(node.toLowerCase())?.connection;
    if (connection === null || connection === undefined) return false;
    connection.close(code, reason);
    return true;
  }

  /** Drops a node's connection without a closing handshake, as a failing network would. */
  drop(node: string): boolean {
    const connection = this.byNode.get(node.toLowerCase())?.connection;
    if (connection === null || connection === undefined) return false;
    connection.terminate();
    return true;
  }

  /** Stops taking connections and closes every open one. */
  async close(): Promise<void> {
    this.server.off('upgrade', this.onUpgrade);
    for (const connection of this.connections) connection.close(CloseCode.goingAway, 'The coordinator is shutting down.');
    const deadline = Date.now() + 2000;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const connection of this.connections) connection.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(request.url ?? '/', 'http://coordinator').pathname;
    if (path !== (this.options.path ?? '/provider')) {
      // Another upgrade listener may own this path; with none, nobody else would answer.
      if (this.server.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new ProviderConnection(ws, {
        coordinator: this.options.account.address,
        maxFrameBytes: this.options.maxFrameBytes ?? MAX_FRAME_BYTES,
        handshakeTimeoutMs: this.options.handshakeTimeoutMs ?? 10_000,
        heartbeatMs: this.options.heartbeatMs ?? 10_000,
        logger: this.options.logger,
        now: this.options.now ?? Date.now,
        authorize: this.options.authorize ?? (() => true),
        welcome: (c, hello) => this.welcome(c, hello),
        welcomed: (c, hello) => {
          const entry = this.entry(c);
          if (entry === undefined) return;
          entry.session.resumed(hello);
          // Only now may the dispatcher offer it jobs: an offer must never overtake the welcome.
          entry.remove?.();
          entry.remove = this.options.sink?.addSession(entry.session) ?? null;
          this.emit('welcomed', { node: entry.session.id, recipient: entry.session.recipient });
        },
        message: (c, message, tensors) => this.entry(c)?.session.receive(message, tensors),
        closed: (c, code, reason) => this.closed(c, code, reason),
        refused: (code, reason) => this.emit('refused', { code, reason }),
      });
      this.connections.add(connection);
      ws.once('close', () => this.connections.delete(connection));
    });
  }

  private welcome(connection: ProviderConnection, hello: Hello): { lastSeq: number; payout?: PayoutInfo } {
    const node = hello.node as Address;
    const key = node.toLowerCase();
    let entry = this.byNode.get(key);
    if (entry === undefined) {
      entry = { session: this.newSession(node), connection: null, remove: null };
      this.byNode.set(key, entry);
    }
    // The newcomer proved the key; an older connection of the same node is stale.
    entry.connection?.close(CloseCode.replaced, 'The node connected again.');
    entry.connection = connection;
    entry.session.attach(connection, hello);
    // A session of a replaced connection leaves the dispatcher until this one is welcomed.
    entry.remove?.();
    entry.remove = null;
    this.options.logger.info({ node }, 'provider connected');
    this.emit('connected', node);
    return { lastSeq: this.seqBook.lastSeq(node), ...(this.options.payout === undefined ? {} : { payout: this.options.payout }) };
  }

  private closed(connection: ProviderConnection, code: number, reason: string): void {
    const node = connection.node;
    const entry = this.entry(connection);
    if (node === null || entry === undefined) return;
    entry.connection = null;
    entry.session.detach(connection);
    entry.remove?.();
    entry.remove = null;
    this.prune(node);
    this.options.logger.info({ node, code, reason }, 'provider disconnected');
    this.emit('disconnected', { node, code, reason });
  }

  private entry(connection: ProviderConnection) {
    const entry = connection.node === null ? undefined : this.byNode.get(connection.node.toLowerCase());
    return entry?.connection === connection ? entry : undefined;
  }

  private newSession(node: Address): LinkSession {
    return new LinkSession(node, {
      chainId: this.options.chainId,
      signer: this.options.account,
      seqBook: this.seqBook,
      creditFor: this.options.creditFor ?? ((job) => BigInt(job.price.amount)),
      credited: this.options.credited,
      logger: this.options.logger.child({ provider: node }),
      now: this.options.now ?? Date.now,
      acceptTimeoutMs: this.options.acceptTimeoutMs ?? 30_000,
      maxInFlight: this.options.maxInFlight ?? 2,
      changed: () => {
        this.prune(node);
        this.options.sink?.wake();
      },
      recipientChanged: (recipient) => this.emit('recipient', { node, recipient }),
    });
  }

  /** Forgets a disconnected node once it holds no jobs; its next hello makes a fresh session. */
  private prune(node: Address): void {
    const entry = this.byNode.get(node.toLowerCase());
    if (entry !== undefined && entry.connection === null && !entry.session.connected && entry.session.inFlight === 0) this.byNode.delete(node.toLowerCase());
  }
}
