/**
 * Hand-driven protocol peers for tests: a raw provider socket (to misbehave towards the coordinator, or
 * to send results the real client never would) and a raw coordinator server (to misbehave towards the
 * client). Both speak HRT1 frames through the same encoder and decoder as the real sides.
 */
import type { AddressInfo } from 'node:net';
import type { LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { WebSocket, WebSocketServer } from 'ws';
import { decodeFrame, encodeFrame } from '../../../common/marketplace-frame.js';
import { FromCoordinator, FromProvider, PROTOCOL_VERSION } from '../../../common/marketplace-protocol.js';
import type { Tensor } from '../../../common/tensor.js';
import { signHello } from '../../../common/wire/hello-signature.js';

type Challenge = Extract<FromCoordinator, { type: 'challenge' }>;
type Received = { message: FromCoordinator; tensors: Tensor[] };

export type RawProvider = {
  ws: WebSocket;
  account: LocalAccount;
  challenge: Challenge;
  received: Received[];
  closed: Promise<{ code: number; reason: string }>;
  send(message: object, tensors?: readonly Tensor[]): void;
  /** Answers the challenge; `tweak` changes the hello before it is sent. */
  hello(tweak?: (hello: Record<string, unknown>) => void): Promise<void>;
  /** The next received message of `type` (already received ones count). */
  next<T extends FromCoordinator['type']>(type: T, timeoutMs?: number): Promise<Extract<FromCoordinator, { type: T }> & { tensors: Tensor[] }>;
};

/** Opens a raw provider socket and waits for the coordinator's challenge. */
export async function rawProvider(url: string, account: LocalAccount = privateKeyToAccount(generatePrivateKey())): Promise<RawProvider> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const received: Received[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('error', () => undefined);
  ws.on('message', (data: Buffer) => {
    const decoded = decodeFrame(new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength), FromCoordinator);
    if (decoded.ok) received.push({ message: decoded.message, tensors: decoded.tensors });
  });
  const peer: RawProvider = {
    ws,
    account,
    challenge: undefined as unknown as Challenge,
    received,
    closed,
    send: (message, tensors = []) => ws.send(encodeFrame(message, tensors)),
    async hello(tweak) {
      const hello: Record<string, unknown> = {
        type: 'hello',
        version: PROTOCOL_VERSION,
        node: account.address,
        app: 'raw-test',
        devices: [],
        warmModels: [],
        benchmarks: {},
        signature: await signHello(account, peer.challenge.coordinator, peer.challenge.nonce),
        resumeJobs: [],
      };
      tweak?.(hello);
      peer.send(hello);
    },
    async next(type, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const at = received.findIndex((r) => r.message.type === type);
        if (at >= 0) {
          const [found] = received.splice(at, 1);
          return { ...found!.message, tensors: found!.tensors } as never;
        }
        if (Date.now() > until) throw new Error(`No ${type} within ${timeoutMs} ms.`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
  peer.challenge = await peer.next('challenge');
  return peer;
}

export type RawCoordinator = {
  url: string;
  /** Close codes of every connection that ended, in order. */
  closes: { code: number; reason: string }[];
  /** Connections accepted so far. */
  dials: number[];
  close(): Promise<void>;
};

/** A raw coordinator server; `onConnection` drives each connection as the test likes. */
export async function rawCoordinator(
  onConnection: (ws: WebSocket, index: number, decode: (data: Buffer) => FromProvider | null) => void,
  options: { autoPong?: boolean } = {},
): Promise<RawCoordinator> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, autoPong: options.autoPong ?? true });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const closes: { code: number; reason: string }[] = [];
  const dials: number[] = [];
  wss.on('connection', (ws) => {
    dials.push(Date.now());
    ws.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }));
    ws.on('error', () => undefined);
    onConnection(ws, dials.length - 1, (data) => {
      const decoded = decodeFrame(new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength), FromProvider);
      return decoded.ok ? decoded.message : null;
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/provider`,
    closes,
    dials,
    close: () => {
      for (const client of wss.clients) client.terminate();
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** A challenge frame from `coordinator`. */
export function challengeFrame(coordinator: string, version: number = PROTOCOL_VERSION): Uint8Array {
  return encodeFrame({ type: 'challenge', version, nonce: `0x${'ab'.repeat(32)}`, coordinator });
}
