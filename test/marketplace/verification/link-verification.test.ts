/**
 * Verification over the real provider link: a dispatcher with a verifier behind a real ProviderLink,
 * and providers that speak the protocol over loopback WebSockets from the test (scripted-provider.ts).
 * A dishonest provider (wrong outputs under a valid receipt and signature) is acknowledged with credited
 * "0" for what it is caught on, falls into quarantine and gets no more consumer jobs, while an honest one
 * keeps earning; canaries and redundant copies arrive as offers shaped exactly like ordinary jobs.
 */
import pino from 'pino';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintOutputs } from '../../../common/fingerprint.js';
import type { Tensor } from '../../../common/tensor.js';
import { verifyJobSignature } from '../../../common/wire/job-signature.js';
import { type DispatchResult, Dispatcher, type ModelRef, type VerificationOutcome } from '../../../marketplace/dispatch/dispatcher.js';
import { eip712JobSigner } from '../../../marketplace/provider-link/job-signing.js';
import { CanaryPool } from '../../../marketplace/verification/canary-pool.js';
import { Verifier, type VerifierOptions } from '../../../marketplace/verification/verifier.js';
import { fp32 } from '../../provider/worker/real-worker.js';
import { CHAIN_ID, type Coordinator, TOKEN, startCoordinator, waitFor } from '../provider-link/link-fixtures.js';
import { type ScriptedProvider, scriptedProvider } from './scripted-provider.js';

const MODEL: ModelRef = { sha256: 'c'.repeat(64), bytes: 100, url: 'https://models.example/c.onnx', price: { token: TOKEN, amount: '1000' } };
const inputsOf = (i: number): Tensor[] => [fp32('x', [1, 4], Float32Array.of(i, i + 1, i + 2, i + 3))];

/** What the model computes: an honest provider's answer (scaled a hair, as another device would). */
function honest(scale = 1): (inputs: Tensor[]) => Tensor[] {
  return (inputs) => {
    const x = new Float32Array(inputs[0]!.data.slice().buffer);
    return [fp32('y', [1, 2], Float32Array.of((x[0]! + x[1]!) * scale, x[2]! * x[3]! * scale))];
  };
}
const dishonest = (): Tensor[] => [fp32('y', [1, 2], Float32Array.of(1, 1))];

let coordinator: Coordinator | null = null;
let dispatcher: Dispatcher | null = null;
const providers: ScriptedProvider[] = [];

afterEach(async () => {
  for (const p of providers.splice(0)) p.close();
  dispatcher?.close();
  await coordinator?.close();
  coordinator = null;
  dispatcher = null;
});

async function setup(options: Partial<VerifierOptions>) {
  // One canary, the one the test adds, so every canary is recognisable by its inputs.
  const canaries = new CanaryPool({ perModel: 1, random: () => 0.99 });
  const verifier = new Verifier({ logger: pino({ enabled: false }), canaryRate: 0, redundancyRate: 0, canaries, ...options });
  const account = privateKeyToAccount(generatePrivateKey());
  const d = new Dispatcher({ signer: eip712JobSigner(account, CHAIN_ID), logger: pino({ enabled: false }), verifier });
  dispatcher = d;
  const c = await startCoordinator({ account, sink: d, creditFor: verifier.creditFor, acceptTimeoutMs: 5000 });
  coordinator = c;
  const events: (VerificationOutcome | DispatchResult)[] = [];
  d.on('verified', (v) => events.push(v));
  d.on('settled', (r) => events.push(r));
  const connect = async (script: (inputs: Tensor[]) => Tensor[]) => {
    const before = d.sessionCount();
    const p = await scriptedProvider(c.url, script);
    providers.push(p);
    await waitFor(() => d.sessionCount() > before, 5000, 'the provider to join the dispatcher');
    return p;
  };
  const submit = (i: number) => d.submit({ model: MODEL, inputs: inputsOf(i), deadlineMs: Date.now() + 10_000 });
  return { verifier, dispatcher: d, events, connect, submit };
}

const credits = (p: ScriptedProvider) => p.acks.map((a) => a.credited);

describe('verification over the provider link', () => {
  it('catches a dishonest provider with canaries: credited "0", quarantined, no more consumer jobs; the honest one keeps earning', async () => {
    const { verifier, events, connect, submit } = await setup({ canaryRate: 1 });
    // A canary whose outputs the coordinator trusts (how it comes to trust them is verified-dispatch.test.ts's concern).
    verifier.canaries.add({ modelSha256: MODEL.sha256, inputs: inputsOf(100), outputs: undefined, expected: fingerprintOutputs(honest()(inputsOf(100))), sources: new Set() });
    const good = await connect(honest(1 + 1e-6));
    const cheat = await connect(dishonest);
    const results: DispatchResult[] = [];
    for (let i = 0; i < 6; i++) results.push(await submit(i));
    await waitFor(() => good.acks.length + cheat.acks.length === good.offers.length + cheat.offers.length, 5000, 'every result acknowledged');
    expect(results.every((r) => r.ok)).toBe(true);
    expect(events).toContain('canary_fail');
    expect(verifier.admits(cheat.account.address)).toBe(false);
    expect(verifier.reputation(good.account.address)).toBeGreaterThan(0);
    // Every canary the cheat ran was acknowledged with 0; the honest provider was paid for everything.
    const canaryIds = new Set(cheat.offers.filter((o) => isCanary(o.tensors)).map((o) => o.job.id));
    expect(canaryIds.size).toBeGreaterThan(0);
    for (const ack of cheat.acks) if (canaryIds.has(ack.jobId)) expect(ack.credited).toBe('0');
    expect(credits(good).every((c) => c === '1000')).toBe(true);
    expect(good.acks.length).toBeGreaterThanOrEqual(6);
    // From its first failed canary on, no consumer job went to the cheat.
    const caught = events.indexOf('canary_fail');
    const after = events.slice(caught).filter((e): e is DispatchResult => typeof e === 'object');
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((r) => r.ok && r.providerId === good.account.address)).toBe(true);
  });

  it('sends canaries and redundant copies as offers shaped exactly like ordinary jobs', async () => {
    const { verifier, connect, submit } = await setup({ canaryRate: 1, redundancyRate: 1 });
    verifier.canaries.add({ modelSha256: MODEL.sha256, inputs: inputsOf(100), outputs: undefined, expected: fingerprintOutputs(honest()(inputsOf(100))), sources: new Set() });
    const a = await connect(honest());
    const b = await connect(honest(1 - 1e-6));
    const c = await connect(honest(1 + 1e-6));
    for (let i = 0; i < 3; i++) expect((await submit(i)).ok).toBe(true);
    const offers = [...a.offers, ...b.offers, ...c.offers];
    await waitFor(() => a.acks.length + b.acks.length + c.acks.length === offers.length, 5000, 'every result acknowledged');
    const canaries = offers.filter((o) => isCanary(o.tensors));
    const ordinary = offers.filter((o) => !isCanary(o.tensors));
    expect(canaries.length).toBeGreaterThan(0);
    // Each consumer job ran twice, under two ids.
    expect(ordinary.length).toBe(6);
    expect(new Set(ordinary.map((o) => o.job.id)).size).toBe(6);
    const shape = (o: (typeof offers)[number]) => ({
      message: Object.keys(o).sort(),
      job: Object.keys(o.job).sort(),
      model: o.job.model,
      price: o.job.price,
      verification: o.job.verification,
      inputs: o.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })),
    });
    for (const offer of offers) {
      expect(shape(offer)).toEqual(shape(ordinary[0]!));
      expect(await verifyJobSignature(CHAIN_ID, offer.job, offer.signature, coordinator!.account.address)).toBe(true);
    }
    // Honest providers agree within tolerance, so every run was paid.
    for (const p of [a, b, c]) expect(credits(p).every((x) => x === '1000')).toBe(true);
  });
});

/** The canary in these tests carries inputs 100..103. */
function isCanary(tensors: Tensor[]): boolean {
  return new Float32Array(tensors[0]!.data.slice().buffer)[0] === 100;
}
