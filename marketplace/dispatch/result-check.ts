/**
 * What the coordinator checks of a provider's result before it counts: the receipt names this job,
 * model and inputs, the outputs hash to the receipt's outputSha256, each output's bytes fit its shape,
 * and the outputs are the ones asked for. (The receipt's signature is checked where the node key is known.)
 */
import type { JobSpec, Receipt } from '../../common/marketplace-protocol.js';
import { type Tensor, tensorDataProblem } from '../../common/tensor.js';
import { outputSha256 } from '../../worker/inference/output-digest.js';

/** Why a result cannot be accepted for the job, or null when it can. */
export function resultProblem(job: JobSpec, outputs: readonly Tensor[], receipt: Receipt): string | null {
  if (receipt.jobId !== job.id) return `The receipt is for job ${receipt.jobId}, not ${job.id}.`;
  if (receipt.modelSha256 !== job.model.sha256) return 'The receipt names another model.';
  if (receipt.inputSha256 !== job.inputSha256) return 'The receipt names other inputs.';
  for (const output of outputs) {
    const problem = tensorDataProblem(output);
    if (problem !== null) return `Output ${problem}.`;
  }
  const names = outputs.map((o) => o.name);
  if (new Set(names).size !== names.length) return 'The result lists an output twice.';
  if (job.outputs !== undefined) {
    const wanted = new Set(job.outputs);
    if (names.length !== wanted.size || names.some((n) => !wanted.has(n))) return `The result has outputs ${names.join(', ')}; the job asked for ${job.outputs.join(', ')}.`;
  }
  if (outputSha256(outputs) !== receipt.outputSha256) return 'The outputs do not hash to the receipt’s outputSha256.';
  return null;
}
