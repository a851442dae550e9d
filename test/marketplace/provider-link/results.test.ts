/**
 * What the coordinator credits: a verified result for a job it gave, on time, earns the job's price in a
 * countersigned `receipt.ack`; a result for a job not given, or after its deadline, is acknowledged with
 * credited 0; a receipt that does not verify gets `receipt_invalid` and settles the run as
 * `invalid_result`; a result sent again gets the same ack. Driven by a raw provider socket.
 */
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintOutputs } from '../../../common/fingerprint.js';
import { tensorHeads } from '../../../common/marketplace-frame.js';
import type { JobSpec, Receipt } from '../../../common/marketplace-protocol.js';
import type { Tensor } from '../../../common/tensor.js';
import type { ProviderOutcome } from '../../../marketplace/dispatch/provider-session.js';
import { verifyAckSignature } from '../../../common/wire/ack-signature.js';
import { fingerprintHash } from '../../../common/wire/fingerprint-hash.js';
import { receiptDigest, signReceipt } from '../../../common/wire/receipt-signature.js';
import { outputSha256 } from '../../../worker/inference/output-digest.js';
import { fp32 } from '../../provider/worker/real-worker.js';
import { CHAIN_ID, type Coordinator, makeJob, startCoordinator, waitFor } from './link-fixtures.js';
import { type RawProvider, rawProvider } from './raw-peer.js';

const MODEL = 'a'.repeat(64);
const inputs = [fp32('x', [1, 4], Float32Array.of(1, 2, 3, 4))];
const outputs: Tensor[] = [fp32('y', [1, 2], Float32Array.of(0.5, -0.5))];

let coordinator: Coordinator;
let peer: RawProvider;

beforeEach(async () => {
  coordinator = await startCoordinator({ acceptTimeoutMs: 5000 });
  peer = await rawProvider(coordinator.url);
  await peer.hello();
  await peer.next('welcome');
});

afterEach(async () => {
  peer.ws.terminate();
  await coordinator.close();
});

function receiptFor(job: Pick<JobSpec, 'id' | 'inputSha256'>, seq: number, tensors: readonly Tensor[] = outputs): Receipt {
  return {
    jobId: job.id,
    modelSha256: MODEL,
    inputSha256: job.inputSha256,
    outputSha256: outputSha256(tensors),
    fingerprintHash: fingerprintHash(fingerprintOutputs(tensors)),
    runMs: 1.234,
    executionProvider: 'cpu',
    deviceId: 'cpu',
    seq,
  };
}

async function sendResult(receipt: Receipt, tensors: readonly Tensor[] = outputs, signer = peer.account): Promise<void> {
  const signature = await signReceipt(signer, CHAIN_ID, receipt);
  peer.send({ type: 'job.result', jobId: receipt.jobId, receipt, signature, outputs: tensorHeads(tensors) }, tensors);
}

/** Offers a job to the raw provider and has it accept. */
async function offered(overrides: Partial<JobSpec> = {}): Promise<{ job: JobSpec; outcome: Promise<ProviderOutcome> }> {
  const session = coordinator.link.session(peer.account.address)!;
  const job = makeJob({ sha256: MODEL, bytes: 100, url: 'https://models.example/a.onnx' }, inputs, overrides);
  const outcome = session.run(job, inputs, await coordinator.sign(job));
  const offer = await peer.next('job.offer');
  expect(offer.job).toEqual(job);
  expect(offer.tensors.map((t) => t.name)).toEqual(['x']);
  peer.send({ type: 'job.accept', jobId: job.id });
  return { job, outcome };
}

async function ackOf(jobId: string) {
  const ack = await peer.next('receipt.ack');
  expect(ack.jobId).toBe(jobId);
  return ack;
}

describe('results on the coordinator', () => {
  it('credits a verified, on-time result with the job price and countersigns the receipt', async () => {
    const { job, outcome } = await offered();
    const receipt = receiptFor(job, 1);
    await sendResult(receipt);
    const result = await outcome;
    expect(result).toMatchObject({ ok: true, receipt });
    const ack = await ackOf(job.id);
    expect(ack).toMatchObject({ seq: 1, credited: '1000' });
    const fields = { jobId: job.id, provider: peer.account.address, seq: 1, receiptDigest: receiptDigest(CHAIN_ID, receipt), credited: 1000n };
    expect(await verifyAckSignature(CHAIN_ID, fields, ack.signature, coordinator.account.address)).toBe(true);
  });

  it('answers a result sent again with the same ack, and tells a reconnecting node its last seq', async () => {
    const { job, outcome } = await offered();
    await sendResult(receiptFor(job, 7));
    await outcome;
    const first = await ackOf(job.id);
    await sendResult(receiptFor(job, 7));
    expect(await ackOf(job.id)).toEqual(first);
    peer.ws.terminate();
    const again = await rawProvider(coordinator.url, peer.account);
    await again.hello();
    expect((await again.next('welcome')).lastSeq).toBe(7);
    peer = again;
  });

  it('acknowledges a result for a job it never gave with credited 0', async () => {
    const receipt = receiptFor({ id: 'never-given', inputSha256: 'b'.repeat(64) }, 1);
    await sendResult(receipt);
    expect(await ackOf('never-given')).toMatchObject({ credited: '0', seq: 1 });
  });

  it('acknowledges a result that arrives after the deadline with credited 0; the run already timed out', async () => {
    const { job, outcome } = await offered({ deadline: Date.now() + 300 });
    expect(await outcome).toMatchObject({ ok: false, code: 'timeout', retryable: false });
    expect((await peer.next('job.cancel')).jobId).toBe(job.id);
    await sendResult(receiptFor(job, 1));
    expect(await ackOf(job.id)).toMatchObject({ credited: '0' });
  });

  const forgeries: [string, (job: JobSpec) => { receipt: Receipt; tensors?: Tensor[]; other?: boolean }][] = [
    ['signed by another key', (job) => ({ receipt: receiptFor(job, 1), other: true })],
    ['naming other inputs', (job) => ({ receipt: { ...receiptFor(job, 1), inputSha256: 'c'.repeat(64) } })],
    ['whose outputs hash differently', (job) => ({ receipt: receiptFor(job, 1), tensors: [fp32('y', [1, 2], Float32Array.of(9, 9))] })],
    ['with a fingerprint of other outputs', (job) => ({ receipt: { ...receiptFor(job, 1), fingerprintHash: fingerprintHash(fingerprintOutputs([fp32('y', [1, 2], Float32Array.of(9, 9))])) } })],
  ];
  for (const [what, forge] of forgeries) {
    it(`refuses a receipt ${what}: receipt_invalid, run settles as invalid_result`, async () => {
      const { job, outcome } = await offered();
      const { receipt, tensors, other } = forge(job);
      const stranger = other ? privateKeyToAccount(generatePrivateKey()) : peer.account;
      await sendResult(receipt, tensors, stranger);
      expect(await outcome).toMatchObject({ ok: false, code: 'invalid_result', retryable: true });
      expect((await peer.next('error')).code).toBe('receipt_invalid');
      expect(peer.received.filter((r) => r.message.type === 'receipt.ack')).toEqual([]);
    });
  }

  it('refuses a receipt EIP-712 cannot encode, and still handles the results behind it', async () => {
    const { job, outcome } = await offered();
    const receipt = { ...receiptFor(job, 1), runMs: 1e300 };
    peer.send({ type: 'job.result', jobId: job.id, receipt, signature: `0x${'11'.repeat(64)}1b`, outputs: tensorHeads(outputs) }, outputs);
    expect(await outcome).toMatchObject({ ok: false, code: 'invalid_result' });
    expect((await peer.next('error')).code).toBe('receipt_invalid');
    const next = await offered();
    await sendResult(receiptFor(next.job, 2));
    expect((await next.outcome).ok).toBe(true);
  });

  it('refuses a seq already acknowledged for another job', async () => {
    const first = await offered();
    await sendResult(receiptFor(first.job, 3));
    await first.outcome;
    await ackOf(first.job.id);
    const second = await offered();
    await sendResult(receiptFor(second.job, 3));
    expect(await second.outcome).toMatchObject({ ok: false, code: 'invalid_result' });
    expect((await peer.next('error')).message).toMatch(/seq 3/);
  });

  it('maps rejections and failures to outcomes, and fails jobs the node does not resume after a reconnect', async () => {
    const session = coordinator.link.session(peer.account.address)!;
    const busy = makeJob({ sha256: MODEL, bytes: 100, url: 'https://models.example/a.onnx' }, inputs);
    const running = session.run(busy, inputs, await coordinator.sign(busy));
    await peer.next('job.offer');
    peer.send({ type: 'job.reject', jobId: busy.id, reason: 'busy', message: 'full' });
    expect(await running).toMatchObject({ ok: false, code: 'busy', retryable: true });

    const failing = await offered();
    peer.send({ type: 'job.fail', jobId: failing.job.id, code: 'out_of_memory', retryable: false, message: 'too big' });
    expect(await failing.outcome).toMatchObject({ ok: false, code: 'out_of_memory', retryable: false, message: 'too big' });

    const lost = await offered();
    const kept = await offered();
    peer.ws.terminate();
    await waitFor(() => !session.connected);
    const again = await rawProvider(coordinator.url, peer.account);
    await again.hello((hello) => (hello.resumeJobs = [kept.job.id]));
    await again.next('welcome');
    peer = again;
    expect(await lost.outcome).toMatchObject({ ok: false, code: 'disconnected', retryable: true });
    expect(session.pendingJobs()).toEqual([kept.job.id]);
    await sendResult(receiptFor(kept.job, 1));
    expect((await kept.outcome).ok).toBe(true);
  });
});
