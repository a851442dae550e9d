/**
 * A real coordinator endpoint and a real marketplace client over loopback WebSocket, with a real
 * sandboxed worker running a real ONNX model: a job goes round with signatures checked both ways, and
 * offers that must not run (bad signature, wrong model bytes) are rejected without reaching the worker.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MarketplaceClient } from '../../../provider/marketplace/marketplace-client.js';
import { Dispatcher } from '../../../marketplace/dispatch/dispatcher.js';
import { eip712JobSigner } from '../../../marketplace/provider-link/job-signing.js';
import { NODE_KEY_FILE, loadOrCreateNodeKey } from '../../../provider/marketplace/node-key.js';
import { verifyReceiptSignature } from '../../../common/wire/receipt-signature.js';
import { type VaultDomain, signVoucher } from '../../../common/wire/voucher-signature.js';
import { buildMlp, mlpForward } from '../../helpers/onnx-models.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { WORKER_BUILT, captureLogger, fp32 } from '../../provider/worker/real-worker.js';
import { CHAIN_ID, type Coordinator, MLP, TOKEN, quiet, type Workers, makeJob, sha256Hex, startClient, startCoordinator, startWorkers, waitFor } from './link-fixtures.js';

const mlpBytes = buildMlp(MLP);
const mlp = sha256Hex(mlpBytes);
const x = Float32Array.of(0.5, -1, 2, 0.25);

let temp: { dir: string; remove: () => Promise<void> };
let workers: Workers;
const open: { close(): Promise<void> }[] = [];
const clients: MarketplaceClient[] = [];

beforeAll(async () => {
  if (!WORKER_BUILT) return;
  temp = await makeTempDir('hearth-link-');
  workers = await startWorkers(temp.dir);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.stop()));
  await Promise.all(open.splice(0).map((c) => c.close()));
  workers.runner.calls.length = 0;
});

afterAll(async () => {
  await workers?.close();
  await temp?.remove();
});

async function coordinator(): Promise<Coordinator> {
  const started = await startCoordinator();
  open.push(started);
  started.models.set(mlp, mlpBytes);
  return started;
}

async function connect(c: Coordinator, overrides: Parameters<typeof startClient>[2] = {}) {
  const started = startClient(c, workers, overrides);
  clients.push(started.client);
  await waitFor(() => c.link.session(started.account.address)?.connected === true, 10_000, 'the provider to connect');
  return { ...started, session: c.link.session(started.account.address)! };
}

describe.skipIf(!WORKER_BUILT)('provider link round trip', () => {
  it('offers a job that was waiting for a provider only after the welcome (never 4003 "job.offer before welcome")', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const inputs = [fp32('x', [1, 4], x)];
    let job: ReturnType<typeof makeJob> | null = null;
    let signature: `0x${string}` = '0x';
    const outcomes: Promise<unknown>[] = [];
    // Like the dispatcher with a queued job: the session runs it the moment it is added.
    const c = await startCoordinator({ account, sink: { addSession: (session) => (outcomes.push(session.run(job!, inputs, signature)), () => undefined), wake: () => undefined } });
    open.push(c);
    c.models.set(mlp, mlpBytes);
    job = makeJob(c.modelRef(mlp, mlpBytes.byteLength), inputs);
    signature = await eip712JobSigner(account, CHAIN_ID).sign(job);
    const { client } = startClient(c, workers);
    clients.push(client);
    await waitFor(() => outcomes.length === 1, 10_000, 'the session to join the dispatcher');
    expect(await outcomes[0]).toMatchObject({ ok: true, receipt: { jobId: job.id } });
    expect(client.state).toBe('online');
  });

  it('runs a signed job on the real worker and both sides verify the other’s signatures', async () => {
    const c = await coordinator();
    const { session, journal, account, client } = await connect(c);
    const inputs = [fp32('x', [1, 4], x)];
    const job = makeJob(c.modelRef(mlp, mlpBytes.byteLength), inputs);
    const acked = new Promise((resolve) => client.once('acked', resolve));

    const outcome = await session.run(job, inputs, await c.sign(job));

    if (!outcome.ok) throw new Error(`the job failed: ${outcome.code} ${outcome.message}`);
    const y = new Float32Array(outcome.outputs[0]!.data.slice().buffer);
    Array.from(mlpForward(MLP, x)).forEach((want, i) => expect(y[i]).toBeCloseTo(want, 4));
    expect(outcome.receipt).toMatchObject({ jobId: job.id, modelSha256: mlp, inputSha256: job.inputSha256, executionProvider: 'cpu', seq: 1 });
    expect(await verifyReceiptSignature(CHAIN_ID, outcome.receipt, outcome.signature!, account.address)).toBe(true);
    // The client recorded the coordinator's countersignature only after checking it.
    expect(await acked).toEqual({ jobId: job.id, seq: 1, credited: 1000n });
    expect(journal.kinds(job.id)).toEqual(['offered', 'accepted', 'result', 'ack']);
    expect(workers.runner.calls).toEqual([job.id]);
  });

  it('serves the dispatcher: a submitted job is signed, offered over the link, run and verified', async () => {
    const c = await coordinator();
    const dispatcher = new Dispatcher({ signer: eip712JobSigner(c.account, CHAIN_ID), logger: quiet });
    const linked = await startCoordinator({ account: c.account, sink: dispatcher });
    open.push(linked);
    linked.models.set(mlp, mlpBytes);
    const { account, journal } = await connect(linked);
    await waitFor(() => dispatcher.sessionCount() === 1, 5000, 'the session to join the dispatcher');

    const model = { ...linked.modelRef(mlp, mlpBytes.byteLength), price: { token: TOKEN, amount: '7' } };
    const result = await dispatcher.submit({ model, inputs: [fp32('x', [1, 4], x)], deadlineMs: Date.now() + 20_000 });

    if (!result.ok) throw new Error(`dispatch failed: ${result.error.code} ${result.error.message}`);
    expect(result.providerId).toBe(account.address);
    expect(await verifyReceiptSignature(CHAIN_ID, result.receipt, result.signature!, account.address)).toBe(true);
    await waitFor(() => journal.kinds(result.jobId).includes('ack'), 5000, 'the ack');
    expect(journal.entries.find((e) => e.kind === 'ack')).toMatchObject({ ack: { credited: 7n } });
    dispatcher.close();
  });

  it('rejects an offer signed by another key, or unsigned, and never runs it', async () => {
    const c = await coordinator();
    const { session, journal, client } = await connect(c);
    const inputs = [fp32('x', [1, 4], x)];
    const rejections: string[] = [];
    client.on('rejected', (r) => rejections.push(r.reason));
    const impostor = eip712JobSigner(privateKeyToAccount(generatePrivateKey()), CHAIN_ID);
    const forged = makeJob(c.modelRef(mlp, mlpBytes.byteLength), inputs);
    const unsigned = makeJob(c.modelRef(mlp, mlpBytes.byteLength), inputs);
    const otherChain = makeJob(c.modelRef(mlp, mlpBytes.byteLength), inputs);

    const outcomes = await Promise.all([
      session.run(forged, inputs, await impostor.sign(forged)),
      session.run(unsigned, inputs, '0x'),
      session.run(otherChain, inputs, await eip712JobSigner(c.account, 1).sign(otherChain)),
    ]);

    for (const outcome of outcomes) expect(outcome).toMatchObject({ ok: false, code: 'bad_signature', retryable: false });
    expect(rejections).toEqual(['bad_signature', 'bad_signature', 'bad_signature']);
    expect(workers.runner.calls).toEqual([]);
    expect(journal.entries).toEqual([]);
  });

  it('rejects a job whose model URL serves other bytes, and keeps them out of the cache', async () => {
    const c = await coordinator();
    const { session, journal } = await connect(c);
    const other = buildMlp({ ...MLP, seed: 99 });
    const claimed = sha256Hex(buildMlp({ ...MLP, seed: 42 }));
    c.models.set(claimed, other);
    const inputs = [fp32('x', [1, 4], x)];
    const job = makeJob(c.modelRef(claimed, other.byteLength), inputs);

    const outcome = await session.run(job, inputs, await c.sign(job));

    expect(outcome).toMatchObject({ ok: false, code: 'model_unavailable' });
    expect(outcome.ok ? '' : outcome.message).toMatch(/does not match its hash/);
    expect(workers.runner.calls).toEqual([]);
    expect(await workers.cache.has(claimed)).toBe(false);
    expect(journal.kinds(job.id)).toEqual(['offered', 'failed']);
  });

  it('passes on vouchers signed under the vault domain for this node, and drops the rest', async () => {
    const c = await coordinator();
    const vault: VaultDomain = { chainId: CHAIN_ID, vault: '0x3333333333333333333333333333333333333333' };
    const received: string[] = [];
    const { account } = await connect(c, { vouchers: { ...vault, onVoucher: ({ voucher }) => void received.push(voucher.cumulativeAmount) } });
    const expiry = Math.floor(Date.now() / 1000) + 3600;
    const voucher = (amount: string, provider: string = account.address) => ({ provider, recipient: '0x2222222222222222222222222222222222222222', token: TOKEN, cumulativeAmount: amount, expiry });
    const send = async (v: ReturnType<typeof voucher>, domain = vault, signer = c.account) => c.link.sendVoucher(account.address, { voucher: v, signature: await signVoucher(signer, domain, v) });

    expect(await send(voucher('100'), { ...vault, vault: '0x4444444444444444444444444444444444444444' })).toBe(true);
    expect(await send(voucher('200'), vault, privateKeyToAccount(generatePrivateKey()))).toBe(true);
    expect(await send(voucher('300', c.account.address))).toBe(true);
    expect(await send({ ...voucher('400'), expiry: 1000 })).toBe(true);
    expect(await send(voucher('500'))).toBe(true);
    await waitFor(() => received.length > 0, 5000, 'a voucher');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toEqual(['500']);
  });

  it('never writes the node key into the log', async () => {
    const c = await coordinator();
    const { logger, lines } = captureLogger();
    const { account } = await loadOrCreateNodeKey(temp.dir);
    const key = (JSON.parse(await readFile(join(temp.dir, NODE_KEY_FILE), 'utf8')) as { privateKey: string }).privateKey.slice(2);
    const { session } = await connect(c, { account, logger });
    const inputs = [fp32('x', [1, 4], x)];
    const job = makeJob(c.modelRef(mlp, mlpBytes.byteLength), inputs);
    expect((await session.run(job, inputs, await c.sign(job))).ok).toBe(true);
    c.link.drop(account.address);
    await waitFor(() => lines.some((l) => l.msg === 'marketplace connection closed'), 5000, 'a log line');
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(lines)).not.toContain(key);
  });

  it('drains: in-flight work finishes, new offers are rejected as paused, the session reports paused', async () => {
    const c = await coordinator();
    const { session, client } = await connect(c);
    const inputs = [fp32('x', [1, 4], x)];
    let open!: () => void;
    workers.runner.gate = new Promise<void>((resolve) => (open = resolve));
    const first = makeJob(c.modelRef(mlp, mlpBytes.byteLength), inputs);
    const running = session.run(first, inputs, await c.sign(first));
    await waitFor(() => workers.runner.calls.length === 1, 10_000, 'the first job to reach the runner');

    let drained = false;
    const draining = client.drain('user paused').then(() => (drained = true));
    await waitFor(() => session.paused, 5000, 'the session to report paused');
    const second = makeJob(c.modelRef(mlp, mlpBytes.byteLength), inputs);
    expect(await session.run(second, inputs, await c.sign(second))).toMatchObject({ ok: false, code: 'paused', retryable: true });
    expect(drained).toBe(false);

    workers.runner.gate = null;
    open();
    expect((await running).ok).toBe(true);
    await draining;
    client.resume();
    await waitFor(() => !session.paused, 5000, 'the session to resume');
  });
});
