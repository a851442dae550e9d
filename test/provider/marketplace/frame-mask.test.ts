// The provider's frames carry an all-zero masking key (docs/protocol.md §1), read here from the raw
// bytes a real ClientConnection writes to a bare TCP server that speaks just enough WebSocket: the
// upgrade, then one unmasked `challenge` frame. The hello that answers it must be a masked binary frame
// whose key is 0x00000000 and whose payload is the plain HRT1 frame, readable without unmasking.
import { createHash } from 'node:crypto';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { generatePrivateKey } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../../common/marketplace-frame.js';
import { FromProvider, PROTOCOL_VERSION } from '../../../common/marketplace-protocol.js';
import { protocolAccount } from '../../../common/wire/secp256k1.js';
import { ClientConnection } from '../../../provider/marketplace/client-connection.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A server frame: FIN + binary opcode, no mask. */
function serverFrame(payload: Uint8Array): Buffer {
  const head = payload.length < 126 ? Buffer.from([0x82, payload.length]) : Buffer.from([0x82, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([head, payload]);
}

/** Starts the bare server; resolves with the first client frame's header fields and payload. */
function bareCoordinator(coordinator: string): Promise<{ url: URL; firstFrame: Promise<{ opcode: number; masked: boolean; key: Buffer; payload: Buffer }> }> {
  let deliver: (frame: { opcode: number; masked: boolean; key: Buffer; payload: Buffer }) => void = () => {};
  const firstFrame = new Promise<{ opcode: number; masked: boolean; key: Buffer; payload: Buffer }>((resolve) => (deliver = resolve));
  const server = createServer((socket: Socket) => {
    let buffered = Buffer.alloc(0);
    let upgraded = false;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!upgraded) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const key = /sec-websocket-key: *(\S+)/i.exec(buffered.subarray(0, end).toString())![1]!;
        const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        socket.write(serverFrame(encodeFrame({ type: 'challenge', version: PROTOCOL_VERSION, nonce: `0x${'ab'.repeat(32)}`, coordinator }, [])));
        upgraded = true;
        buffered = buffered.subarray(end + 4);
      }
      if (buffered.length < 2) return;
      const masked = (buffered[1]! & 0x80) !== 0;
      let length = buffered[1]! & 0x7f;
      let at = 2;
      if (length === 126) {
        length = buffered.readUInt16BE(2);
        at = 4;
      }
      if (buffered.length < at + (masked ? 4 : 0) + length) return;
      const key = masked ? buffered.subarray(at, at + 4) : Buffer.alloc(0);
      at += key.length;
      deliver({ opcode: buffered[0]! & 0x0f, masked, key: Buffer.from(key), payload: Buffer.from(buffered.subarray(at, at + length)) });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      closers.push(() => server.close());
      resolve({ url: new URL(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/provider`), firstFrame });
    }),
  );
}

describe('frames the provider sends', () => {
  it('are masked with an all-zero key, so the payload on the wire is the plain frame', async () => {
    const coordinator = protocolAccount(generatePrivateKey()).address;
    const node = protocolAccount(generatePrivateKey());
    const { url, firstFrame } = await bareCoordinator(coordinator);
    const connection = new ClientConnection({
      url,
      coordinator,
      account: node,
      maxFrameBytes: 1 << 20,
      handshakeTimeoutMs: 5000,
      hello: () => Promise.resolve({ app: 'test', devices: [], warmModels: [], benchmarks: {}, resumeJobs: [] }),
      onWelcome: () => {},
      onMessage: () => {},
      onClose: () => {},
      now: Date.now,
    });
    closers.push(() => connection.terminate());
    const frame = await firstFrame;
    expect(frame.opcode).toBe(2);
    expect(frame.masked).toBe(true);
    expect([...frame.key]).toEqual([0, 0, 0, 0]);
    const decoded = decodeFrame(new Uint8Array(frame.payload), FromProvider);
    expect(decoded.ok && decoded.message.type === 'hello' && decoded.message.node).toBe(node.address);
  });
});
