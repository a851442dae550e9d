/**
 * Reconnecting: the client backs off exponentially (with jitter) while the coordinator drops it, and a
 * job in flight when the line drops is listed in `hello.resumeJobs`, stays assigned, and its result is
 * delivered, verified and acknowledged over the new connection.
 */
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../common/marketplace-frame.js';
import { buildMlp } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { WORKER_BUILT, fp32 } from '../../provider/worker/real-worker.js';
import { MLP, type Workers, makeJob, sha256Hex, startClient, startCoordinator, startWorkers, waitFor } from './link-fixtures.js';
import { challengeFrame, rawCoordinator } from './raw-peer.js';

const mlpBytes = buildMlp(MLP);
const mlp = sha256Hex(mlpBytes);

let temp: { dir: string; remove: () => Promise<void> };
let workers: Workers;

beforeAll(async () => {
  if (!WORKER_BUILT) return;
  temp = await makeTempDir('hearth-reconnect-');
  workers = await startWorkers(temp.dir);
});

afterAll(async () => {
  await workers?.close();
  await temp?.remove();
});

describe.skipIf(!WORKER_BUILT)('reconnect', () => {
  it('backs off exponentially, with jitter, while the coordinator drops every connection', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const fake = await rawCoordinator((ws, index, decode) => {
      ws.send(challengeFrame(account.address));
      ws.on('message', (data: Buffer) => {
        const hello = decode(data);
        if (hello?.type !== 'hello') return;
        ws.send(encodeFrame({ type: 'welcome', providerId: hello.node, lastSeq: 0, heartbeatMs: 1000 }));
        // The first five connections are dropped right after the welcome.
        if (index < 5) setTimeout(() => ws.terminate(), 5);
      });
    });
    const delays: number[] = [];
    const { client } = startClient({ url: fake.url, account }, workers, { backoff: { baseMs: 80, factor: 2, maxMs: 5000, jitter: 0.5 }, stableAfterMs: 60_000 });
    client.on('reconnect', ({ delayMs }) => delays.push(delayMs));
    try {
      await waitFor(() => fake.dials.length === 6 && client.state === 'online', 15_000, 'six dials');
      const gaps = fake.dials.slice(1).map((at, i) => at - fake.dials[i]!);
      // Each delay is drawn from [d/2, d] with d = 80 ms × 2^attempt.
      delays.forEach((delay, attempt) => {
        expect(delay).toBeGreaterThanOrEqual(40 * 2 ** attempt);
        expect(delay).toBeLessThanOrEqual(80 * 2 ** attempt);
        expect(gaps[attempt]).toBeGreaterThanOrEqual(delay);
      });
      expect(gaps[4]).toBeGreaterThan(gaps[0]! * 3);
    } finally {
      await client.stop();
      await fake.close();
    }
  });

  it('drops a coordinator that stops answering pings, and dials again', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const fake = await rawCoordinator(
      (ws, _index, decode) => {
        ws.send(challengeFrame(account.address));
        ws.on('message', (data: Buffer) => {
          const hello = decode(data);
          if (hello?.type === 'hello') ws.send(encodeFrame({ type: 'welcome', providerId: hello.node, lastSeq: 0, heartbeatMs: 100 }));
        });
      },
      { autoPong: false },
    );
    const { client } = startClient({ url: fake.url, account }, workers);
    try {
      await waitFor(() => fake.dials.length >= 2, 10_000, 'a second dial');
      // The client gave up on the silent line itself (1006: no closing handshake), after about three heartbeats.
      expect(fake.closes[0]?.code).toBe(1006);
      expect(fake.dials[1]! - fake.dials[0]!).toBeGreaterThanOrEqual(300);
    } finally {
      await client.stop();
      await fake.close();
    }
  });

  it('delivers a job that was in flight when the coordinator dropped the socket, after the reconnect', async () => {
    const coordinator = await startCoordinator();
    coordinator.models.set(mlp, mlpBytes);
    const hellos: string[][] = [];
    const { client, journal, account } = startClient(coordinator, workers);
    client.on('welcome', () => hellos.push(client.heldJobs()));
    let release = () => undefined as void;
    try {
      await waitFor(() => coordinator.link.session(account.address)?.connected === true);
      const session = coordinator.link.session(account.address)!;
      workers.runner.gate = new Promise<void>((resolve) => (release = resolve));
      const inputs = [fp32('x', [1, 4], Float32Array.of(0.1, 0.2, 0.3, 0.4))];
      const job = makeJob(coordinator.modelRef(mlp, mlpBytes.byteLength), inputs);
      const outcome = session.run(job, inputs, await coordinator.sign(job));
      await waitFor(() => workers.runner.calls.includes(job.id), 10_000, 'the job to reach the worker');

      const reconnects: number[] = [];
      client.on('reconnect', ({ delayMs }) => reconnects.push(delayMs));
      expect(coordinator.link.drop(account.address)).toBe(true);
      await waitFor(() => reconnects.length === 1 && hellos.length === 2 && session.connected, 10_000, 'the client to reconnect');
      // Still assigned: the coordinator kept the job through the drop, and the node announced it.
      expect(session.pendingJobs()).toEqual([job.id]);
      expect(hellos.at(-1)).toEqual([job.id]);

      workers.runner.gate = null;
      release();
      const result = await outcome;
      expect(result.ok).toBe(true);
      await waitFor(() => journal.kinds(job.id).includes('ack'), 5000, 'the ack');
      expect(journal.kinds(job.id)).toEqual(['offered', 'accepted', 'result', 'ack']);
    } finally {
      workers.runner.gate = null;
      release();
      await client.stop();
      await coordinator.close();
    }
  });
});
