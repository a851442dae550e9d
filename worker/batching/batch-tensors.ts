/**
 * Which jobs can share a run, and how their tensors are merged along the batch dimension (dim 0) and
 * split back. Only models whose every input has a symbolic first dimension (the same symbol for all)
 * and whose outputs' first dimension is not fixed qualify; BYTES tensors never do.
 */
import type { Tensor } from '../../common/tensor.js';
import type { RunParams } from '../../common/worker-protocol.js';
import type { ModelSignature } from '../inference/model-signature.js';

/** Whether the model's signature lets jobs be stacked along dim 0. */
export function modelIsBatchable(signature: ModelSignature): boolean {
  const firstDims = signature.inputs.map((s) => s.shape?.[0]);
  if (firstDims.length === 0 || firstDims.some((d) => typeof d !== 'string')) return false;
  // Unnamed dims ('') cannot be told apart, so several inputs must share one named symbol.
  if (firstDims.length > 1 && (firstDims[0] === '' || firstDims.some((d) => d !== firstDims[0]))) return false;
  if (signature.inputs.some((s) => s.datatype === null || s.datatype === 'BYTES')) return false;
  return signature.outputs.every((s) => s.datatype !== null && s.datatype !== 'BYTES' && typeof s.shape?.[0] !== 'number');
}

/** The rows (dim 0) a job contributes, or null when its inputs disagree or are scalars. */
export function rowsOf(inputs: readonly Tensor[]): number | null {
  const rows = inputs[0]?.shape[0];
  if (rows === undefined || rows < 1) return null;
  return inputs.every((t) => t.shape.length >= 1 && t.shape[0] === rows) ? rows : null;
}

/**
 * The key under which a job can merge with others (same model, outputs, datatypes and trailing
 * shapes), or null when it must run alone.
 */
export function batchKeyOf(params: RunParams, signature: ModelSignature): string | null {
  if (!modelIsBatchable(signature) || rowsOf(params.inputs) === null) return null;
  const inputs = [...params.inputs]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((t) => `${t.name}:${t.datatype}:${t.shape.slice(1).join('x')}`);
  return JSON.stringify([params.model.sha256, params.outputs ?? null, inputs]);
}

/** Each input of the jobs concatenated along dim 0 (the jobs share a batch key). */
export function mergeInputs(jobs: readonly (readonly Tensor[])[]): Tensor[] {
  const first = jobs[0]!;
  return first.map((template) => {
    const parts = jobs.map((inputs) => inputs.find((t) => t.name === template.name)!);
    const data = new Uint8Array(parts.reduce((sum, p) => sum + p.data.byteLength, 0));
    let offset = 0;
    for (const part of parts) {
      data.set(part.data, offset);
      offset += part.data.byteLength;
    }
    const rows = parts.reduce((sum, p) => sum + p.shape[0]!, 0);
    return { name: template.name, datatype: template.datatype, shape: [rows, ...template.shape.slice(1)], data };
  });
}

/**
 * The merged outputs cut back into each job's rows, or null when they cannot be. Each part gets its own
 * buffer: a structured-cloned view would carry the whole batch's buffer with it (Electron's port clones).
 */
export function splitOutputs(outputs: readonly Tensor[], rows: readonly number[]): Tensor[][] | null {
  const total = rows.reduce((a, b) => a + b, 0);
  if (outputs.some((t) => t.datatype === 'BYTES' || t.shape[0] !== total)) return null;
  const perJob: Tensor[][] = rows.map(() => []);
  for (const output of outputs) {
    const rowBytes = total === 0 ? 0 : output.data.byteLength / total;
    let row = 0;
    rows.forEach((count, job) => {
      const data = output.data.slice(row * rowBytes, (row + count) * rowBytes);
      perJob[job]!.push({ name: output.name, datatype: output.datatype, shape: [count, ...output.shape.slice(1)], data });
      row += count;
    });
  }
  return perJob;
}
