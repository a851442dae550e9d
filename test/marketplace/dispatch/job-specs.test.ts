// The specs the dispatcher signs, and what a consumer is told when a job's deadline passes unrun.
import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../../common/marketplace-protocol.js';
import { deadlineFailure } from '../../../marketplace/dispatch/deadline-failure.js';
import { canarySpec, consumerSpec } from '../../../marketplace/dispatch/job-specs.js';
import type { ProviderSession } from '../../../marketplace/dispatch/provider-session.js';
import { outputSha256 } from '../../../worker/inference/output-digest.js';

const SHA = 'ab'.repeat(32);
const model = { sha256: SHA, bytes: 10, url: 'http://m/x', price: { token: `0x${'11'.repeat(20)}`, amount: '7' } };
const x = { name: 'x', datatype: 'FP32' as const, shape: [1], data: new Uint8Array(4) };

describe('job specs', () => {
  it('a consumer job: whole-ms deadline, input hash, price from the model, outputs only when asked, never marked as checked', () => {
    const spec = consumerSpec({ model, inputs: [x], deadlineMs: 1234.6 }, 'job-1');
    expect(spec).toEqual({ id: 'job-1', deadline: 1235, model: { sha256: SHA, bytes: 10, url: 'http://m/x' }, inputSha256: outputSha256([x]), price: model.price, verification: 'none' });
    expect(consumerSpec({ model, inputs: [x], deadlineMs: 5, outputs: ['y'] }, 'job-2').outputs).toEqual(['y']);
  });

  it("a canary keeps the consumer job's model, price and deadline, and carries its own inputs and outputs (none when it has none)", () => {
    const beside: JobSpec = { ...consumerSpec({ model, inputs: [x], deadlineMs: 99, outputs: ['y'] }, 'consumer'), verification: 'none' };
    const plan = { inputs: [x], inputSha256: 'cd'.repeat(32), outputs: undefined, excluded: () => false, sent: () => undefined };
    const canary = canarySpec(beside, plan, 'canary-1');
    expect(canary).toEqual({ id: 'canary-1', deadline: 99, model: beside.model, inputSha256: 'cd'.repeat(32), price: beside.price, verification: 'none' });
    expect(canarySpec(beside, { ...plan, outputs: ['z'] }, 'canary-2').outputs).toEqual(['z']);
  });
});

describe('deadlineFailure', () => {
  const session = (id: string, paused: boolean) => ({ id, paused }) as unknown as ProviderSession;
  const job = { lastFailure: null, spec: { model: { sha256: SHA } }, skip: (id: string) => id === 'quarantined' };

  it("names the last provider's failure when one failed the job", () => {
    const failed = { ...job, lastFailure: { ok: false as const, code: 'worker_crashed' as const, retryable: true, message: 'The worker crashed.' } };
    expect(deadlineFailure(failed, [session('a', false)], 500)).toEqual({ code: 'failed', providerCode: 'worker_crashed', message: 'The worker crashed. (no other provider took the job within 500 ms)' });
  });

  it('says no provider when none could take it (none, paused, or skipped for it), and overloaded when some could but stayed busy', () => {
    expect(deadlineFailure(job, [], 10).code).toBe('no_provider');
    expect(deadlineFailure(job, [session('a', true), session('quarantined', false)], 10).code).toBe('no_provider');
    expect(deadlineFailure(job, [session('a', false)], 10)).toMatchObject({ code: 'overloaded', message: expect.stringContaining('10 ms') });
  });
});
