/**
 * Verification in the dispatcher, with fake provider sessions (a real one needs a provider on a
 * WebSocket): redundant runs answer the consumer on the first result and credit both copies only when
 * they agree within tolerance; a disagreement goes to a third provider (or to the trusted in-process
 * session) and the one outvoted is not credited and lands in quarantine; canaries go out beside
 * consumer jobs, signed like them, and judge the provider that ran them. The wire-level view of the same
 * rules is in link-verification.test.ts.
 */
import pino from 'pino';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintOutputs } from '../../../common/fingerprint.js';
import type { Receipt } from '../../../common/marketplace-protocol.js';
import type { Tensor } from '../../../common/tensor.js';
import { verifyJobSignature } from '../../../common/wire/job-signature.js';
import { Dispatcher, type ModelRef, type VerificationOutcome } from '../../../marketplace/dispatch/dispatcher.js';
import { eip712JobSigner } from '../../../marketplace/provider-link/job-signing.js';
import { QUARANTINE_THRESHOLD, Reputation } from '../../../marketplace/verification/reputation.js';
import { MarketplaceMetrics } from '../../../marketplace/metrics.js';
import { Verifier, type VerifierOptions } from '../../../marketplace/verification/verifier.js';
import { fp32 } from '../../provider/worker/real-worker.js';
import { type FakeProviderSession, type OfferedRun, fakeProviderSession, goodOutcome } from '../dispatch/fake-provider-session.js';

const MODEL: ModelRef = {
  sha256: 'a'.repeat(64),
  bytes: 1234,
  url: 'http://127.0.0.1:1/models/' + 'a'.repeat(64),
  price: { token: '0x0000000000000000000000000000000000000000', amount: '100' },
};
const INPUTS: Tensor[] = [fp32('x', [1, 4], Float32Array.of(1, 2, 3, 4))];
const OTHER_INPUTS: Tensor[] = [fp32('x', [1, 4], Float32Array.of(5, 6, 7, 8))];
const RIGHT = Float32Array.of(0.25, -1.5, 3.75, 1000);
const right = (scale = 1): Tensor[] => [fp32('y', [1, 4], RIGHT.map((v) => v * scale))];
const wrong = (): Tensor[] => [fp32('y', [1, 4], Float32Array.of(9, 9, 9, 9))];

const account = privateKeyToAccount(generatePrivateKey());
const open: { dispatcher: Dispatcher }[] = [];

afterEach(() => {
  for (const { dispatcher } of open.splice(0)) dispatcher.close();
});

function setup(options: Partial<VerifierOptions> = {}) {
  const verifier = new Verifier({ logger: pino({ enabled: false }), canaryRate: 0, redundancyRate: 0, trusted: (id) => id === '0xlocal', ...options });
  const dispatcher = new Dispatcher({ signer: eip712JobSigner(account, 31337), logger: pino({ enabled: false }), verifier });
  const verdicts: VerificationOutcome[] = [];
  dispatcher.on('verified', (v) => verdicts.push(v));
  open.push({ dispatcher });
  const submit = (deadlineInMs = 5000, inputs = INPUTS) => dispatcher.submit({ model: MODEL, inputs, deadlineMs: Date.now() + deadlineInMs });
  return { verifier, dispatcher, verdicts, submit };
}

/** Every consumer job runs twice; providers 0xa and 0xb are connected, one job is submitted, and both copies are offered. */
async function twoCopiesOffered() {
  const env = setup({ redundancyRate: 1 });
  const a = fakeProviderSession('0xa');
  const b = fakeProviderSession('0xb');
  env.dispatcher.addSession(a);
  env.dispatcher.addSession(b);
  const pending = env.submit();
  const [runA, runB] = await Promise.all([a.nextOffer(), b.nextOffer()]);
  return { ...env, a, b, pending, runA, runB };
}

function receiptOf(run: OfferedRun, outputs: Tensor[]): Receipt {
  const outcome = goodOutcome(run.job, outputs);
  if (!outcome.ok) throw new Error('goodOutcome always succeeds');
  return outcome.receipt;
}

/**
 * Answers a run the way the provider link does: the credit is decided first (it may wait for the other
 * copy), and only then does the run settle. Resolves with the credit the ack would carry.
 */
async function answer(verifier: Verifier, run: OfferedRun, provider: FakeProviderSession, outputs: Tensor[]): Promise<bigint> {
  const credited = await verifier.creditFor(run.job, receiptOf(run, outputs), provider.id, outputs);
  run.settle(goodOutcome(run.job, outputs));
  return credited;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Two offers of one piece of work as separate jobs: every field equal but the id, each validly signed. */
function expectSameWork(one: OfferedRun, other: OfferedRun): void {
  expect({ ...other.job, id: one.job.id }).toEqual(one.job);
  expect(other.job.id).not.toBe(one.job.id);
  expect(one.job.verification).toBe('none');
  expect(other.inputs).toEqual(one.inputs);
  expect(other.signature).not.toBe(one.signature);
}

describe('redundant execution', () => {
  it('sends the job to two providers as two ordinary-looking jobs, and credits both once they agree within tolerance', async () => {
    const { verifier, dispatcher, verdicts, submit } = setup({ redundancyRate: 1 });
    const a = fakeProviderSession('0xa');
    const b = fakeProviderSession('0xb');
    dispatcher.addSession(a);
    dispatcher.addSession(b);
    let answered = false;
    const pending = submit().then((r) => ((answered = true), r));
    const [runA, runB] = await Promise.all([a.nextOffer(), b.nextOffer()]);
    // Same work, own id and signature: nothing tells either provider that another runs it too.
    expectSameWork(runA, runB);
    const creditA = answer(verifier, runA, a, right());
    await tick();
    // The credit (and so the consumer's answer) waits for the other copy.
    expect(answered).toBe(false);
    // A CPU and a GPU differ in the last bits: 1e-6 relative still agrees.
    const creditB = answer(verifier, runB, b, right(1 + 1e-6));
    expect([await creditA, await creditB]).toEqual([100n, 100n]);
    expect((await pending).ok).toBe(true);
    expect(verdicts).toEqual(['agreement']);
    expect(verifier.reputation('0xa')).toBeGreaterThan(0);
    expect(verifier.reputation('0xb')).toBeGreaterThan(0);
    // Two providers agreeing make a canary.
    expect(verifier.canaries.size(MODEL.sha256)).toBe(1);
    await tick();
    expect(verifier.openChecks()).toBe(0);
  });

  it('runs a third copy on a disagreement; the outvoted provider gets 0, its outputs answer nobody, and it gets no more consumer jobs', async () => {
    const { verifier, dispatcher, verdicts, submit, a, b, pending, runA, runB } = await twoCopiesOffered();
    const c = fakeProviderSession('0xc');
    dispatcher.addSession(c);
    const creditB = answer(verifier, runB, b, wrong());
    const creditA = answer(verifier, runA, a, right());
    const runC = await c.nextOffer();
    expectSameWork(runC, runA);
    const creditC = answer(verifier, runC, c, right(1 - 1e-6));
    expect([await creditA, await creditB, await creditC]).toEqual([100n, 0n, 100n]);
    // The consumer gets the majority's outputs, never the outvoted ones.
    const result = await pending;
    expect(result.ok && ['0xa', '0xc'].includes(result.providerId)).toBe(true);
    expect(verdicts).toEqual(['disagreement', 'tiebreak_resolved']);
    expect(verifier.reputation('0xb')).toBeLessThanOrEqual(QUARANTINE_THRESHOLD);
    expect(verifier.admits('0xb')).toBe(false);
    // b is quarantined: more consumer jobs (redundant ones included) go to a and c only.
    for (let i = 0; i < 3; i++) {
      const job = submit();
      const runs = [await a.nextOffer(), await c.nextOffer()];
      await Promise.all([answer(verifier, runs[0]!, a, right()), answer(verifier, runs[1]!, c, right())]);
      expect((await job).ok).toBe(true);
    }
    expect(b.offered).toHaveLength(1);
  });

  it('lets the trusted in-process session break a tie without a third provider', async () => {
    const { verifier, dispatcher, verdicts, submit } = setup({ redundancyRate: 1 });
    const local = fakeProviderSession('0xlocal');
    const b = fakeProviderSession('0xb');
    dispatcher.addSession(local);
    dispatcher.addSession(b);
    const pending = submit();
    const [runL, runB] = await Promise.all([local.nextOffer(), b.nextOffer()]);
    // The in-process session is not asked for credit: its result goes straight to the dispatcher.
    runL.settle(goodOutcome(runL.job, right()));
    expect(await pending).toMatchObject({ ok: true, providerId: '0xlocal' });
    expect(await answer(verifier, runB, b, wrong())).toBe(0n);
    expect(verdicts).toEqual(['disagreement', 'tiebreak_resolved']);
    expect(verifier.admits('0xb')).toBe(false);
  });

  it('credits neither copy and moves no reputation when no third provider can break the tie; the consumer gets the first result', async () => {
    const { verifier, verdicts, a, b, pending, runA, runB } = await twoCopiesOffered();
    const creditA = answer(verifier, runA, a, right());
    const creditB = answer(verifier, runB, b, wrong());
    expect([await creditA, await creditB]).toEqual([0n, 0n]);
    expect((await pending).ok).toBe(true);
    expect(verdicts).toEqual(['disagreement', 'unresolved']);
    expect([verifier.reputation('0xa'), verifier.reputation('0xb')]).toEqual([0, 0]);
  });

  it('runs a job on one provider when no second one is free, and credits it at once', async () => {
    const { verifier, dispatcher, submit } = setup({ redundancyRate: 1 });
    const a = fakeProviderSession('0xa');
    dispatcher.addSession(a);
    const pending = submit();
    const run = await a.nextOffer();
    // Not a checked run: the credit is the price, at once (not a promise).
    expect(verifier.creditFor(run.job, receiptOf(run, right()), a.id, right())).toBe(100n);
    run.settle(goodOutcome(run.job, right()));
    expect((await pending).ok).toBe(true);
    expect(verifier.openChecks()).toBe(0);
  });

  it('credits the copy that delivered when the other times out, and counts the timeout against that provider', async () => {
    const { verifier, verdicts, a, pending, runA, runB } = await twoCopiesOffered();
    const creditA = answer(verifier, runA, a, right());
    runB.settle({ ok: false, code: 'timeout', retryable: false, message: 'Provider 0xb did not finish by its deadline.' });
    expect(await creditA).toBe(100n);
    expect(await pending).toMatchObject({ ok: true, providerId: '0xa' });
    expect(verdicts).toEqual([]);
    expect(verifier.reputation('0xb')).toBeLessThan(0);
  });
});

describe('quarantine and retries', () => {
  it('never offers a consumer job to a quarantined provider: with only that one connected, the job ends no_provider', async () => {
    const reputation = new Reputation();
    reputation.record('0xbad', 'wrong_output');
    const { dispatcher, submit } = setup({ redundancyRate: 1, reputation });
    const bad = fakeProviderSession('0xbad');
    dispatcher.addSession(bad);
    expect(dispatcher.quarantinedCount()).toBe(1);
    const result = await submit(200);
    expect(result).toMatchObject({ ok: false, error: { code: 'no_provider' } });
    expect(bad.offered).toHaveLength(0);
  });

  it('retries a redundant job whose copies both failed on a third provider, and credits that one result', async () => {
    const { verifier, dispatcher, verdicts, pending, runA, runB } = await twoCopiesOffered();
    const c = fakeProviderSession('0xc');
    dispatcher.addSession(c);
    runA.settle({ ok: false, code: 'worker_crashed', retryable: true, message: 'The worker process ended.' });
    runB.settle({ ok: false, code: 'disconnected', retryable: true, message: 'Provider 0xb went away.' });
    const runC = await c.nextOffer();
    expect(await answer(verifier, runC, c, right())).toBe(100n);
    expect(await pending).toMatchObject({ ok: true, providerId: '0xc' });
    expect(verdicts).toEqual([]);
    // Honest failures cost nothing.
    expect([verifier.reputation('0xa'), verifier.reputation('0xb')]).toEqual([0, 0]);
  });
});

describe('canaries', () => {
  it('come from trusted results, go out beside consumer jobs signed like them, and fail a wrong provider into quarantine', async () => {
    const { verifier, dispatcher, verdicts, submit } = setup({ canaryRate: 1 });
    const local = fakeProviderSession('0xlocal');
    const cheat = fakeProviderSession('0xcheat', { maxInFlight: 4 });
    dispatcher.addSession(local);
    // The trusted session's result becomes the canary.
    const first = submit();
    (await local.nextOffer()).settle(goodOutcome(local.offered[0]!.job, right()));
    await first;
    expect(verifier.canaries.size(MODEL.sha256)).toBe(1);
    dispatcher.addSession(cheat);
    local.inFlight = local.maxInFlight; // keep the consumer job off the trusted session
    const consumer = submit(5000, OTHER_INPUTS);
    const offers = [await cheat.nextOffer(), await cheat.nextOffer()];
    // The canary carries the trusted job's inputs; the consumer job, its own.
    const canary = offers.find((r) => r.job.inputSha256 === local.offered[0]!.job.inputSha256)!;
    const ordinary = offers.find((r) => r !== canary)!;
    // Same fields, same signing, same verification mode: nothing in the offer tells them apart.
    expect(Object.keys(canary.job).sort()).toEqual(Object.keys(ordinary.job).sort());
    expect(canary.job.verification).toBe('none');
    expect(canary.job.id).not.toBe(ordinary.job.id);
    expect(canary.job.deadline).toBe(ordinary.job.deadline);
    expect(canary.job.price).toEqual(ordinary.job.price);
    expect(await verifyJobSignature(31337, canary.job, canary.signature, account.address)).toBe(true);
    // The canary's wrong output earns 0 at once; the unchecked job's is paid (nothing to compare it with).
    expect(await answer(verifier, canary, cheat, wrong())).toBe(0n);
    expect(await answer(verifier, ordinary, cheat, wrong())).toBe(100n);
    await consumer;
    expect(verdicts).toEqual(['canary_fail']);
    expect(verifier.admits('0xcheat')).toBe(false);
    // Quarantined: the next consumer job waits for the (busy) trusted session instead, and times out.
    const later = await submit(300, OTHER_INPUTS);
    expect(later).toMatchObject({ ok: false, error: { code: 'overloaded' } });
    expect(cheat.offered.map((r) => r.job.id)).not.toContain(later.jobId);
  });

  it('let a quarantined provider earn its way back by passing canaries, and show on /metrics', async () => {
    // Caught once before: quarantined.
    const reputation = new Reputation();
    reputation.record('0xmended', 'wrong_output');
    const { verifier, dispatcher, verdicts, submit } = setup({ canaryRate: 1, reputation });
    const metrics = new MarketplaceMetrics(dispatcher);
    const local = fakeProviderSession('0xlocal', { maxInFlight: 8 });
    const mended = fakeProviderSession('0xmended', { maxInFlight: 8 });
    dispatcher.addSession(local);
    dispatcher.addSession(mended);
    verifier.canaries.add({ modelSha256: MODEL.sha256, inputs: INPUTS, outputs: undefined, expected: fingerprintOutputs(right()), sources: new Set(['0xlocal']) });
    expect(verifier.admits('0xmended')).toBe(false);
    expect(metrics.render()).toContain('hearth_providers_quarantined 1');
    let canariesPassed = 0;
    while (!verifier.admits('0xmended')) {
      // Consumer jobs go to the trusted session; the canary beside each goes to the quarantined provider.
      const job = submit(5000, OTHER_INPUTS);
      (await local.nextOffer()).settle(goodOutcome(local.offered.at(-1)!.job, right()));
      // While quarantined, whatever it is offered is a canary.
      const canary = await mended.nextOffer();
      expect(await answer(verifier, canary, mended, right())).toBe(100n);
      await job;
      canariesPassed += 1;
      expect(canariesPassed).toBeLessThan(20);
    }
    expect(canariesPassed).toBeGreaterThan(1);
    expect(verdicts.every((v) => v === 'canary_pass')).toBe(true);
    expect(metrics.render()).toContain(`hearth_verifications_total{verdict="canary_pass"} ${canariesPassed}`);
    expect(metrics.render()).toContain('hearth_providers_quarantined 0');
    // Back in: with the trusted session full, a consumer job goes to it again.
    local.inFlight = local.maxInFlight;
    const job = submit(5000, OTHER_INPUTS);
    const offers = [await mended.nextOffer(), await mended.nextOffer()];
    for (const run of offers) await answer(verifier, run, mended, right());
    const result = await job;
    expect(result).toMatchObject({ ok: true, providerId: '0xmended' });
    expect(offers.map((r) => r.job.id)).toContain(result.jobId);
    metrics.close();
  });
});
