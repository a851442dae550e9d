/**
 * Simulated providers for the `scale` section: protocol clients without inference, all in this process.
 * Each has a real node key and completes the real handshake (challenge → signed hello → welcome), sends
 * heartbeats at the welcome's interval, and answers every offer at once with `job.accept` and a
 * `job.result` whose outputs are fixed tensors and whose receipt is a valid EIP-712 signature by its key
 * over those outputs' hash and fingerprint — everything the coordinator checks, without the run.
 */
import { generatePrivateKey } from 'viem/accounts';
import { WebSocket } from 'ws';
import { fingerprintOutputs } from '../../common/fingerprint.js';
import { decodeFrame, encodeFrame, tensorHeads } from '../../common/marketplace-frame.js';
import { FromCoordinator, type FromProvider, PROTOCOL_VERSION, type Receipt } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import { fingerprintHash } from '../../common/wire/fingerprint-hash.js';
import { signHello } from '../../common/wire/hello-signature.js';
import { signReceipt } from '../../common/wire/receipt-signature.js';
import { protocolAccount } from '../../common/wire/secp256k1.js';
import { outputSha256 } from '../../worker/inference/output-digest.js';
import { serveBench } from '../child-link.js';
import { zeroMask } from '../../provider/marketplace/client-connection.js';

/** Silero VAD's outputs in shape, filled with a constant: what every simulated result carries. */
const OUTPUTS: Tensor[] = [
  { name: 'output', datatype: 'FP32', shape: [1, 1], data: new Uint8Array(new Float32Array([0.25]).buffer) },
  { name: 'stateN', datatype: 'FP32', shape: [2, 1, 128], data: new Uint8Array(new Float32Array(256).fill(0.5).buffer) },
];
const OUTPUT_SHA256 = outputSha256(OUTPUTS);
const FINGERPRINT_HASH = fingerprintHash(fingerprintOutputs(OUTPUTS));
/** Handshakes under way at once while connecting. */
const CONNECTING = 25;

type Counters = { offers: number; results: number; errors: number; closed: number };

function connect(url: string, chainId: number, counters: Counters): Promise<WebSocket> {
  const account = protocolAccount(generatePrivateKey());
  const ws = new WebSocket(url, { perMessageDeflate: false, generateMask: zeroMask });
  const send = (message: FromProvider, tensors: readonly Tensor[] = []) => ws.send(encodeFrame(message, tensors));
  let seq = 0;
  let heartbeat: NodeJS.Timeout | undefined;
  return new Promise((resolve, reject) => {
    ws.on('error', reject);
    ws.on('close', () => {
      clearInterval(heartbeat);
      counters.closed += 1;
      reject(new Error('closed before welcome'));
    });
    ws.on('message', (data: Buffer) => {
      const decoded = decodeFrame(new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength), FromCoordinator);
      if (!decoded.ok) return void (counters.errors += 1);
      const message = decoded.message;
      switch (message.type) {
        case 'challenge':
          void signHello(account, message.coordinator, message.nonce).then((signature) =>
            send({ type: 'hello', version: PROTOCOL_VERSION, node: account.address, app: 'hearth-bench-sim', devices: [], warmModels: [], benchmarks: {}, signature, resumeJobs: [] }),
          );
          return;
        case 'welcome':
          seq = message.lastSeq;
          heartbeat = setInterval(() => send({ type: 'heartbeat', load: 0, inFlight: 0, freeVramBytes: null, warmModels: [], paused: null }), message.heartbeatMs);
          heartbeat.unref();
          return resolve(ws);
        case 'job.offer': {
          counters.offers += 1;
          const job = message.job;
          send({ type: 'job.accept', jobId: job.id });
          seq += 1;
          const receipt: Receipt = {
            jobId: job.id,
            modelSha256: job.model.sha256,
            inputSha256: job.inputSha256,
            outputSha256: OUTPUT_SHA256,
            fingerprintHash: FINGERPRINT_HASH,
            runMs: 0.1,
            executionProvider: 'cpu',
            deviceId: 'cpu',
            seq,
          };
          void signReceipt(account, chainId, receipt).then((signature) => {
            counters.results += 1;
            send({ type: 'job.result', jobId: job.id, receipt, signature, outputs: tensorHeads(OUTPUTS) }, OUTPUTS);
          });
          return;
        }
        case 'error':
          counters.errors += 1;
          return;
        default:
          return;
      }
    });
  });
}

/** Connects `count` simulated providers to the coordinator at `url`; serves counters until the bench disconnects. */
export async function serveSimProvidersChild(args: readonly string[]): Promise<void> {
  const [countText, url, chainIdText] = args;
  const count = Number(countText);
  const chainId = Number(chainIdText);
  if (!Number.isInteger(count) || url === undefined || !Number.isInteger(chainId)) throw new Error('usage: --child sim-providers <count> <ws url> <chain id>');
  const counters: Counters = { offers: 0, results: 0, errors: 0, closed: 0 };
  const sockets: WebSocket[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i += CONNECTING) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(CONNECTING, count - i) }, () => connect(url, chainId, counters)))));
  }
  serveBench({ connected: sockets.length, connectMs: performance.now() - started }, () => {
    const cpu = process.cpuUsage();
    return Promise.resolve({ ...counters, cpuMs: (cpu.user + cpu.system) / 1000 });
  }, async () => {
    for (const ws of sockets) ws.terminate();
  });
}
