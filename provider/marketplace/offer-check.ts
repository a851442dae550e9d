/**
 * The checks a signed offer passes before a provider accepts it, in order: a fresh job id, the
 * deadline, pause and capacity, the price, the model size, and the inputs against the worker limits and
 * the signed input hash. The coordinator's signature is checked first, by the caller (wire/job-signature.ts):
 * these checks are synchronous so that capacity is read and claimed with no await in between.
 */
import type { z } from 'zod';
import type { JobSpec, RejectReason } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import type { WorkerLimits } from '../../common/worker-protocol.js';
import { outputSha256 } from '../../worker/inference/output-digest.js';
import { inputCapsProblem } from '../worker/input-caps.js';

/** Why an offer is refused. */
export type OfferRefusal = { reason: z.infer<typeof RejectReason>; message: string };

export type OfferContext = {
  limits: WorkerLimits;
  now: number;
  isHeld: (jobId: string) => boolean;
  /** Why the node is paused, or null. */
  paused: string | null;
  inFlight: number;
  maxInFlight: number;
  /** The provider's price policy; every well-formed price passes when absent. */
  acceptPrice?: (price: JobSpec['price']) => boolean;
};

/** Why this signed offer must be rejected, or null when it may be accepted. */
export function checkSignedOffer(job: JobSpec, inputs: readonly Tensor[], context: OfferContext): OfferRefusal | null {
  if (context.isHeld(job.id)) return { reason: 'duplicate', message: `Job ${job.id} was already offered to this node.` };
  if (job.deadline <= context.now) return { reason: 'expired', message: `Job ${job.id} expired ${context.now - job.deadline} ms before it arrived.` };
  if (context.paused !== null) return { reason: 'paused', message: `This node is paused (${context.paused}) and finishing its jobs.` };
  if (context.inFlight >= context.maxInFlight) return { reason: 'busy', message: `This node runs at most ${context.maxInFlight} jobs at once.` };
  if (context.acceptPrice !== undefined && !context.acceptPrice(job.price)) {
    return { reason: 'price_invalid', message: `Price ${job.price.amount} of token ${job.price.token} is not one this node accepts.` };
  }
  if (job.model.bytes > context.limits.maxModelBytes) {
    return { reason: 'model_unavailable', message: `Model ${job.model.sha256.slice(0, 8)}… is ${job.model.bytes} bytes; this node runs models up to ${context.limits.maxModelBytes} bytes.` };
  }
  const caps = inputCapsProblem(inputs, context.limits);
  if (caps !== null) return { reason: caps.code === 'input_too_large' ? 'input_too_large' : 'invalid', message: caps.message };
  const inputHash = outputSha256(inputs);
  if (inputHash !== job.inputSha256) {
    return { reason: 'invalid', message: `The inputs hash to ${inputHash.slice(0, 8)}…; the signed job says ${job.inputSha256.slice(0, 8)}….` };
  }
  return null;
}
