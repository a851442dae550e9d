/**
 * The specs the dispatcher signs. Every one is signed `verification: "none"` — consumer jobs, canaries
 * and redundant copies alike — so the signed field never tells a provider which jobs are checked
 * (docs/protocol.md, "Verification and reputation").
 */
import type { JobSpec } from '../../common/marketplace-protocol.js';
import { outputSha256 } from '../../worker/inference/output-digest.js';
import type { CanaryPlan, SubmitRequest } from './dispatch-types.js';

/** The spec of a consumer's job. */
export function consumerSpec(request: SubmitRequest, id: string): JobSpec {
  return {
    id,
    deadline: Math.max(1, Math.round(request.deadlineMs)),
    model: { sha256: request.model.sha256, bytes: request.model.bytes, url: request.model.url },
    inputSha256: outputSha256(request.inputs),
    ...(request.outputs === undefined ? {} : { outputs: request.outputs }),
    price: request.model.price,
    verification: 'none',
  };
}

/** A canary sent beside `beside`: the same model, price and deadline, the canary's own inputs and outputs. */
export function canarySpec(beside: JobSpec, plan: CanaryPlan, id: string): JobSpec {
  const { outputs: _ignored, ...rest } = beside;
  return { ...rest, id, inputSha256: plan.inputSha256, verification: 'none', ...(plan.outputs === undefined ? {} : { outputs: plan.outputs }) };
}
