/** The checks a signed offer passes before it is accepted, in order, each with its reject reason. */
import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../../common/marketplace-protocol.js';
import { checkSignedOffer, type OfferContext } from '../../../provider/marketplace/offer-check.js';
import { outputSha256 } from '../../../worker/inference/output-digest.js';
import { fp32, realConfig } from '../worker/real-worker.js';

const inputs = [fp32('x', [1, 4])];
const job: JobSpec = {
  id: 'job-1',
  deadline: 2_000,
  model: { sha256: 'a'.repeat(64), bytes: 1000, url: 'https://models.example/a.onnx' },
  inputSha256: outputSha256(inputs),
  price: { token: '0x1111111111111111111111111111111111111111', amount: '10' },
  verification: 'none',
};
const context: OfferContext = { limits: realConfig('/models').limits, now: 1_000, isHeld: () => false, paused: null, inFlight: 0, maxInFlight: 2 };

describe('checkSignedOffer', () => {
  it('accepts a fresh, affordable, well-formed job', () => expect(checkSignedOffer(job, inputs, context)).toBeNull());
  it.each<[string, Partial<JobSpec>, Partial<OfferContext>, string]>([
    ['a job id already held', {}, { isHeld: () => true }, 'duplicate'],
    ['a past deadline', { deadline: 1_000 }, {}, 'expired'],
    ['a paused node', {}, { paused: 'gaming' }, 'paused'],
    ['a full node', {}, { inFlight: 2 }, 'busy'],
    ['a price the policy refuses', {}, { acceptPrice: (p) => BigInt(p.amount) >= 100n }, 'price_invalid'],
    ['a model over the size limit', { model: { ...job.model, bytes: 2 * 1024 ** 3 } }, {}, 'model_unavailable'],
    ['inputs that hash to something else', { inputSha256: 'f'.repeat(64) }, {}, 'invalid'],
  ])('rejects %s', (_what, jobChange, contextChange, reason) => {
    expect(checkSignedOffer({ ...job, ...jobChange }, inputs, { ...context, ...contextChange })?.reason).toBe(reason);
  });
  it('rejects inputs over the worker limits before anything is fetched', () => {
    const big = [fp32('x', [1, 3_000_000])];
    expect(checkSignedOffer({ ...job, inputSha256: outputSha256(big) }, big, context)?.reason).toBe('input_too_large');
  });
});
