/**
 * The verifier's comparison is the fingerprint's tolerant one: outputs that differ as a GPU's and a CPU's
 * floats do (1e-6 relative, element by element, on a large tensor) agree; outputs that differ as a wrong
 * model or a lazy provider's would (a few percent, a shifted index) do not. Seen through what a redundant
 * pair is credited.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { JobSpec, Receipt } from '../../../common/marketplace-protocol.js';
import type { Tensor } from '../../../common/tensor.js';
import type { VerificationOutcome } from '../../../marketplace/dispatch/dispatch-types.js';
import { Verifier } from '../../../marketplace/verification/verifier.js';
import { fp32 } from '../../provider/worker/real-worker.js';

const N = 10_000;
const base = Float32Array.from({ length: N }, (_, i) => Math.sin(i) * 10 + (i % 7));
const job = (id: string): JobSpec => ({
  id,
  deadline: Date.now() + 10_000,
  model: { sha256: 'd'.repeat(64), bytes: 1, url: 'https://models.example/d.onnx' },
  inputSha256: 'e'.repeat(64),
  price: { token: '0x1111111111111111111111111111111111111111', amount: '7' },
  verification: 'none',
});
const receipt = {} as Receipt;

/** The credits a redundant pair gets for outputs `a` and `b`, and the verdicts. */
async function pair(a: Float32Array, b: Float32Array): Promise<{ credits: bigint[]; verdicts: VerificationOutcome[] }> {
  const verifier = new Verifier({ logger: pino({ enabled: false }), redundancyRate: 1, canaryRate: 0 });
  const verdicts: VerificationOutcome[] = [];
  verifier.attach({ report: (v) => verdicts.push(v), tiebreak: () => Promise.resolve(false) });
  const first = job('first');
  const second = job('second');
  expect(verifier.plan(first, []).redundant).toBe(true);
  verifier.tracking('first', 'first', '0xa');
  verifier.tracking('first', 'second', '0xb');
  const out = (values: Float32Array): Tensor[] => [fp32('y', [1, N], values)];
  const credits = await Promise.all([verifier.creditFor(first, receipt, '0xa', out(a)), verifier.creditFor(second, receipt, '0xb', out(b))]);
  verifier.close();
  return { credits, verdicts };
}

describe('the tolerance of redundant comparison', () => {
  it('agrees on outputs 1e-6 apart (relative, every element, alternating sign)', async () => {
    const noisy = base.map((v, i) => v * (1 + (i % 2 ? 1e-6 : -1e-6)));
    expect(await pair(base, noisy)).toEqual({ credits: [7n, 7n], verdicts: ['agreement'] });
  });

  it('agrees on outputs 1e-4 apart, as fp16 against fp32 arithmetic might be', async () => {
    expect(await pair(base, base.map((v) => v * (1 + 1e-4)))).toEqual({ credits: [7n, 7n], verdicts: ['agreement'] });
  });

  it('disagrees on outputs 5% apart, and on outputs shifted by one element', async () => {
    expect(await pair(base, base.map((v) => v * 1.05))).toEqual({ credits: [0n, 0n], verdicts: ['disagreement', 'unresolved'] });
    expect(await pair(base, Float32Array.from({ length: N }, (_, i) => base[(i + 1) % N]!))).toEqual({ credits: [0n, 0n], verdicts: ['disagreement', 'unresolved'] });
  });
});
