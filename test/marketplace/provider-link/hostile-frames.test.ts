/**
 * A malformed, invalid or oversized frame, from either side, closes only the connection it came on,
 * with its close code; the handshake refuses bad signatures, other versions, silence and early messages.
 */
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { encodeFrame } from '../../../common/marketplace-frame.js';
import { FRAME_MAGIC, MAX_HEADER_BYTES } from '../../../common/marketplace-protocol.js';
import type { MarketplaceClient } from '../../../provider/marketplace/marketplace-client.js';
import { CloseCode } from '../../../common/wire/close-codes.js';
import { buildMlp } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { WORKER_BUILT, fp32 } from '../../provider/worker/real-worker.js';
import { type Coordinator, MLP, type Workers, makeJob, sha256Hex, startClient, startCoordinator, startWorkers, waitFor } from './link-fixtures.js';
import { challengeFrame, rawCoordinator, rawProvider } from './raw-peer.js';

const mlpBytes = buildMlp(MLP);
const mlp = sha256Hex(mlpBytes);

let temp: { dir: string; remove: () => Promise<void> };
let workers: Workers;
let coordinator: Coordinator;
let client: MarketplaceClient;
let node: string;

beforeAll(async () => {
  if (!WORKER_BUILT) return;
  temp = await makeTempDir('hearth-hostile-');
  workers = await startWorkers(temp.dir);
  coordinator = await startCoordinator({ maxFrameBytes: 1024 * 1024, handshakeTimeoutMs: 1000 });
  coordinator.models.set(mlp, mlpBytes);
  const started = startClient(coordinator, workers);
  client = started.client;
  node = started.account.address;
  await waitFor(() => coordinator.link.session(node)?.connected === true);
});

afterAll(async () => {
  await client?.stop();
  await coordinator?.close();
  await workers?.close();
  await temp?.remove();
});

/** The bystander: still connected on the same connection, and still running jobs. */
async function bystanderUnaffected(): Promise<void> {
  const session = coordinator.link.session(node)!;
  expect(session.connected).toBe(true);
  const inputs = [fp32('x', [1, 4], Float32Array.of(1, 2, 3, 4))];
  const job = makeJob(coordinator.modelRef(mlp, mlpBytes.byteLength), inputs);
  expect((await session.run(job, inputs, await coordinator.sign(job))).ok).toBe(true);
}

function frameWithHeader(header: string, extra = 0): Uint8Array {
  const json = new TextEncoder().encode(header);
  const frame = new Uint8Array(8 + json.byteLength + extra);
  new DataView(frame.buffer).setUint32(0, FRAME_MAGIC, true);
  new DataView(frame.buffer).setUint32(4, json.byteLength, true);
  frame.set(json, 8);
  return frame;
}

describe.skipIf(!WORKER_BUILT)('hostile frames towards the coordinator', () => {
  afterEach(async () => {
    await bystanderUnaffected();
    expect(client.state).toBe('online');
  });

  const cases: [string, (send: (data: Uint8Array | string) => void) => void, number][] = [
    ['a text frame', (send) => send('{"type":"hello"}'), CloseCode.frameMalformed],
    ['bytes without the HRT1 magic', (send) => send(new Uint8Array(64).fill(7)), CloseCode.frameMalformed],
    ['a header that is not JSON', (send) => send(frameWithHeader('{not json')), CloseCode.frameMalformed],
    ['a header length past the frame', (send) => send(frameWithHeader('{}').map((b, i) => (i === 4 ? 255 : b))), CloseCode.frameMalformed],
    ['a message outside the schema', (send) => send(frameWithHeader('{"type":"job.result","jobId":"../etc"}')), CloseCode.frameInvalid],
    ['bytes the header does not account for', (send) => send(frameWithHeader('{"type":"bye"}', 3)), CloseCode.frameMalformed],
    ['a frame over the pre-handshake cap', (send) => send(frameWithHeader('{"type":"bye"}', MAX_HEADER_BYTES)), CloseCode.frameTooLarge],
  ];
  for (const [what, misbehave, code] of cases) {
    it(`closes the connection that sent ${what} with ${code}`, async () => {
      const peer = await rawProvider(coordinator.url);
      misbehave((data) => peer.ws.send(data));
      expect((await peer.closed).code).toBe(code);
    });
  }

  it('closes a welcomed connection that sends a frame over the link cap (ws maxPayload) with 1009', async () => {
    const peer = await rawProvider(coordinator.url);
    await peer.hello();
    await peer.next('welcome');
    peer.ws.send(frameWithHeader('{"type":"bye"}', 1024 * 1024));
    expect((await peer.closed).code).toBe(CloseCode.frameTooLarge);
  });

  it('closes a welcomed connection whose tensor bytes do not match their heads with frame_invalid', async () => {
    const peer = await rawProvider(coordinator.url);
    await peer.hello();
    await peer.next('welcome');
    const receipt = { jobId: 'j1', modelSha256: mlp, inputSha256: mlp, outputSha256: mlp, fingerprintHash: `0x${mlp}`, runMs: 1, executionProvider: 'cpu', deviceId: 'cpu', seq: 1 };
    const heads = [{ name: 'y', datatype: 'FP32', shape: [3], byteLength: 8 }];
    peer.ws.send(encodeFrame({ type: 'job.result', jobId: 'j1', receipt, signature: '0x', outputs: heads }, [{ name: 'y', datatype: 'FP32', shape: [2], data: new Uint8Array(8) }]));
    expect((await peer.closed).code).toBe(CloseCode.frameInvalid);
  });

  it('refuses a hello whose signature is not by its node: error auth_failed, then 4010', async () => {
    const peer = await rawProvider(coordinator.url);
    await peer.hello((hello) => (hello.node = privateKeyToAccount(generatePrivateKey()).address));
    expect((await peer.next('error')).code).toBe('auth_failed');
    expect((await peer.closed).code).toBe(CloseCode.authFailed);
  });

  it('refuses a hello that answers another challenge (replayed nonce)', async () => {
    const first = await rawProvider(coordinator.url);
    const second = await rawProvider(coordinator.url, first.account);
    second.challenge = first.challenge;
    await second.hello();
    expect((await second.closed).code).toBe(CloseCode.authFailed);
    first.ws.terminate();
  });

  it('refuses another protocol version with 4011', async () => {
    const peer = await rawProvider(coordinator.url);
    await peer.hello((hello) => (hello.version = 2));
    expect((await peer.closed).code).toBe(CloseCode.versionUnsupported);
  });

  it('closes a welcomed connection that goes quiet for three heartbeat intervals with 4020', async () => {
    const peer = await rawProvider(coordinator.url);
    await peer.hello();
    expect((await peer.next('welcome')).heartbeatMs).toBe(1000);
    const since = Date.now();
    expect((await peer.closed).code).toBe(CloseCode.heartbeatTimeout);
    // Silence counts from the hello, a moment before the welcome arrived here.
    expect(Date.now() - since).toBeGreaterThanOrEqual(2900);
  });

  it('closes the older connection of a node that connects again with 4013, and keeps the newer', async () => {
    const older = await rawProvider(coordinator.url);
    await older.hello();
    await older.next('welcome');
    const newer = await rawProvider(coordinator.url, older.account);
    await newer.hello();
    await newer.next('welcome');
    expect((await older.closed).code).toBe(CloseCode.replaced);
    expect(coordinator.link.session(older.account.address)?.connected).toBe(true);
    newer.ws.terminate();
  });

  it('closes a connection that sends nothing with 4012, and one that skips the hello with 4003', async () => {
    const silent = await rawProvider(coordinator.url);
    const early = await rawProvider(coordinator.url);
    early.send({ type: 'job.accept', jobId: 'j1' });
    expect((await early.closed).code).toBe(CloseCode.unexpectedMessage);
    expect((await silent.closed).code).toBe(CloseCode.handshakeTimeout);
  });
});

describe.skipIf(!WORKER_BUILT)('hostile frames towards the provider', () => {
  it('closes each bad connection with its code and dials again until a good one welcomes it', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const script: ((ws: WebSocket) => void)[] = [
      (ws) => ws.send(new Uint8Array(32).fill(1)),
      (ws) => ws.send('{"type":"challenge"}'),
      (ws) => ws.send(frameWithHeader('{"type":"welcome","providerId":"nope"}')),
      (ws) => ws.send(challengeFrame(account.address, 7)),
      (ws) => ws.send(challengeFrame(privateKeyToAccount(generatePrivateKey()).address)),
      (ws) => ws.send(frameWithHeader('{"type":"error","code":"x","message":"y"}', 70_000)),
    ];
    const fake = await rawCoordinator((ws, index, decode) => {
      const misbehave = script[index];
      if (misbehave !== undefined) return misbehave(ws);
      ws.send(challengeFrame(account.address));
      ws.on('message', (data: Buffer) => {
        const hello = decode(data);
        if (hello?.type === 'hello') ws.send(encodeFrame({ type: 'welcome', providerId: hello.node, lastSeq: 0, heartbeatMs: 1000 }));
      });
    });
    const { client: victim } = startClient({ url: fake.url, account }, workers, { maxFrameBytes: 64 * 1024 });
    try {
      await waitFor(() => victim.state === 'online', 15_000, 'the client to reach the well-behaved coordinator');
      expect(fake.closes.map((c) => c.code)).toEqual([
        CloseCode.frameMalformed,
        CloseCode.frameMalformed,
        CloseCode.frameInvalid,
        CloseCode.versionUnsupported,
        CloseCode.coordinatorMismatch,
        CloseCode.frameTooLarge,
      ]);
      // The real coordinator's provider never noticed.
      expect(coordinator.link.session(node)?.connected).toBe(true);
    } finally {
      await victim.stop();
      await fake.close();
    }
  });
});
