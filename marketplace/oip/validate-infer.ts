/**
 * Checks an infer request against the registered model before it is dispatched, with the very rules a
 * worker applies (worker/inference/validate-inputs.ts) on the signature model admission read from the
 * file: input names, datatypes, ranks, fixed and symbolic dims, data size, BOOL and BYTES values, output
 * names, and the input size caps. A request that fails here never reaches a provider.
 */
import type { Tensor } from '../../common/tensor.js';
import type { WorkerLimits } from '../../common/worker-protocol.js';
import type { ModelValueInfo } from '../../worker/admission/model-admission.js';
import type { ModelSignature, TensorSpec } from '../../worker/inference/model-signature.js';
import { validateRunInputs } from '../../worker/inference/validate-inputs.js';

function specOf(value: ModelValueInfo): TensorSpec {
  return {
    name: value.name,
    datatype: value.datatype,
    ortType: value.kind === 'tensor' ? `ONNX element type ${value.elemType}` : `a ${value.kind.replace('_', ' ')}`,
    // Unnamed dims ('' here) match any size; named ones must agree across inputs.
    shape: value.dims === null ? null : value.dims.map((d) => d ?? ''),
  };
}

/** The model's signature as admission read it, in the form the worker's validation takes. */
export function signatureOf(model: { inputs: readonly ModelValueInfo[]; outputs: readonly ModelValueInfo[] }): ModelSignature {
  return { inputs: model.inputs.map(specOf), outputs: model.outputs.map(specOf) };
}

/** Why the inputs and requested outputs cannot run on the model, or null when they can. */
export function inferProblem(
  inputs: readonly Tensor[],
  outputs: readonly string[] | undefined,
  signature: ModelSignature,
  limits: Pick<WorkerLimits, 'maxInputBytes' | 'maxInputElements'>,
): string | null {
  return validateRunInputs(inputs, outputs, signature, limits)?.message ?? null;
}
