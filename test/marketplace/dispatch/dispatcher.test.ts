import pino from 'pino';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import type { Tensor } from '../../../common/tensor.js';
import { type DispatchResult, Dispatcher, type DispatcherOptions, type ModelRef } from '../../../marketplace/dispatch/dispatcher.js';
import { eip712JobSigner } from '../../../marketplace/provider-link/job-signing.js';
import { fakeProviderSession, goodOutcome } from './fake-provider-session.js';

const MODEL: ModelRef = {
  sha256: 'a'.repeat(64),
  bytes: 1234,
  url: 'http://127.0.0.1:1/models/' + 'a'.repeat(64),
  price: { token: '0x0000000000000000000000000000000000000000', amount: '100' },
};
const INPUTS: Tensor[] = [{ name: 'x', datatype: 'FP32', shape: [1], data: new Uint8Array(4) }];

const open: Dispatcher[] = [];

function dispatcher(options: Partial<DispatcherOptions> = {}): { dispatcher: Dispatcher; settled: DispatchResult[] } {
  const d = new Dispatcher({ signer: eip712JobSigner(privateKeyToAccount(generatePrivateKey()), 31337), logger: pino({ enabled: false }), ...options });
  const settled: DispatchResult[] = [];
  d.on('settled', (r) => settled.push(r));
  open.push(d);
  return { dispatcher: d, settled };
}

afterEach(() => {
  for (const d of open.splice(0)) d.close();
});

const submit = (d: Dispatcher, deadlineInMs = 5000) => d.submit({ model: MODEL, inputs: INPUTS, deadlineMs: Date.now() + deadlineInMs });

describe('the dispatcher (with fake provider sessions)', () => {
  it('offers a signed job spec with the inputs hash, and returns the outputs of a checked result', async () => {
    const { dispatcher: d } = dispatcher();
    const a = fakeProviderSession('0xa');
    d.addSession(a);
    const pending = submit(d);
    const run = await a.nextOffer();
    expect(run.job).toMatchObject({ model: { sha256: MODEL.sha256, bytes: 1234 }, price: MODEL.price, verification: 'none' });
    expect(run.job.inputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(run.signature).toMatch(/^0x[0-9a-f]{130}$/);
    run.settle(goodOutcome(run.job));
    const result = await pending;
    expect(result).toMatchObject({ ok: true, providerId: '0xa', attempts: 1 });
  });

  it('prefers a provider with the model warm, then the least loaded one', async () => {
    const { dispatcher: d } = dispatcher();
    const cold = fakeProviderSession('0xcold', { maxInFlight: 4 });
    const warm = fakeProviderSession('0xwarm', { maxInFlight: 4, warm: [MODEL.sha256] });
    d.addSession(cold);
    d.addSession(warm);
    const first = submit(d);
    (await warm.nextOffer()).settle(goodOutcome(warm.offered[0]!.job));
    expect((await first).ok && (await first).ok && warm.offered.length).toBe(1);
    warm.warmModels.clear();
    warm.inFlight = 3;
    const second = submit(d);
    const run = await cold.nextOffer();
    run.settle(goodOutcome(run.job));
    expect(await second).toMatchObject({ ok: true, providerId: '0xcold' });
  });

  it('retries on another provider after a retryable failure, and says so once', async () => {
    const { dispatcher: d } = dispatcher();
    const retries: string[] = [];
    d.on('retry', (r) => retries.push(`${r.providerId}:${r.code}`));
    const a = fakeProviderSession('0xa', { warm: [MODEL.sha256] });
    const b = fakeProviderSession('0xb');
    d.addSession(a);
    d.addSession(b);
    const pending = submit(d);
    (await a.nextOffer()).settle({ ok: false, code: 'worker_crashed', retryable: true, message: 'The worker process ended.' });
    const run = await b.nextOffer();
    expect(run.job.id).toBe(a.offered[0]!.job.id);
    run.settle(goodOutcome(run.job));
    expect(await pending).toMatchObject({ ok: true, providerId: '0xb', attempts: 2 });
    expect(retries).toEqual(['0xa:worker_crashed']);
  });

  it('does not retry a failure that is not retryable (the input is wrong everywhere)', async () => {
    const { dispatcher: d } = dispatcher();
    const a = fakeProviderSession('0xa');
    const b = fakeProviderSession('0xb');
    d.addSession(a);
    d.addSession(b);
    const pending = submit(d);
    const first = await Promise.race([a.nextOffer(), b.nextOffer()]);
    first.settle({ ok: false, code: 'input_invalid', retryable: false, message: "Input 'x' has shape [1]; the model expects [2]." });
    expect(await pending).toMatchObject({ ok: false, attempts: 1, error: { code: 'failed', providerCode: 'input_invalid' } });
    expect(a.offered.length + b.offered.length).toBe(1);
  });

  it('treats a result whose receipt does not match its outputs as a failed attempt and retries it', async () => {
    const { dispatcher: d } = dispatcher();
    const a = fakeProviderSession('0xa', { warm: [MODEL.sha256] });
    const b = fakeProviderSession('0xb');
    d.addSession(a);
    d.addSession(b);
    const pending = submit(d);
    const bad = await a.nextOffer();
    const forged = goodOutcome(bad.job);
    if (forged.ok) forged.outputs = [{ name: 'y', datatype: 'FP32', shape: [1], data: Uint8Array.of(1, 2, 3, 4) }];
    bad.settle(forged);
    const good = await b.nextOffer();
    good.settle(goodOutcome(good.job));
    expect(await pending).toMatchObject({ ok: true, providerId: '0xb' });
  });

  it('fails a job once at its deadline, cancels it on the provider, and ignores the late result', async () => {
    const { dispatcher: d, settled } = dispatcher();
    const ignored: string[] = [];
    d.on('ignored', (late) => ignored.push(late.providerId));
    const a = fakeProviderSession('0xa');
    d.addSession(a);
    const started = Date.now();
    const pending = submit(d, 150);
    const run = await a.nextOffer();
    const result = await pending;
    expect(result).toMatchObject({ ok: false, error: { code: 'timeout' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(a.cancelled).toEqual([run.job.id]);
    run.settle(goodOutcome(run.job));
    run.settle(goodOutcome(run.job));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled.filter((r) => r.jobId === run.job.id)).toHaveLength(1);
    expect(ignored).toEqual(['0xa']);
  });

  it('answers no_provider after the deadline when no provider is connected', async () => {
    const { dispatcher: d } = dispatcher();
    const result = await submit(d, 100);
    expect(result).toMatchObject({ ok: false, attempts: 0, error: { code: 'no_provider' } });
    if (!result.ok) expect(result.error.message).toMatch(/No provider is connected/);
  });

  it('queues a job while every provider is busy and starts it when a slot frees', async () => {
    const { dispatcher: d } = dispatcher();
    const a = fakeProviderSession('0xa', { maxInFlight: 1 });
    d.addSession(a);
    const first = submit(d);
    const firstRun = await a.nextOffer();
    const second = submit(d);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(d.queueDepth()).toBe(1);
    const secondOffer = a.nextOffer();
    firstRun.settle(goodOutcome(firstRun.job));
    const secondRun = await secondOffer;
    secondRun.settle(goodOutcome(secondRun.job));
    expect((await first).ok && (await second).ok).toBe(true);
    expect(d.queueDepth()).toBe(0);
  });

  it('says overloaded when providers stay busy until the deadline, and fails on a full queue at once', async () => {
    const { dispatcher: d } = dispatcher({ maxQueue: 1 });
    const a = fakeProviderSession('0xa', { maxInFlight: 1 });
    d.addSession(a);
    void submit(d, 1000);
    await a.nextOffer();
    const waiting = submit(d, 100);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await submit(d, 100)).toMatchObject({ ok: false, error: { code: 'queue_full' } });
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'overloaded' } });
  });

  it('skips a paused provider and picks the job up when it is woken unpaused', async () => {
    const { dispatcher: d } = dispatcher({ pollMs: 60_000 });
    const a = fakeProviderSession('0xa');
    a.paused = true;
    d.addSession(a);
    const pending = submit(d);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(a.offered).toHaveLength(0);
    a.paused = false;
    d.wake();
    const run = await a.nextOffer();
    run.settle(goodOutcome(run.job));
    expect((await pending).ok).toBe(true);
  });
});
