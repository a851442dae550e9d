/** Which jobs may share a run, and merging them along dim 0 and splitting the outputs back. */
import { describe, expect, it } from 'vitest';
import type { RunParams } from '../../../common/worker-protocol.js';
import { batchKeyOf, mergeInputs, modelIsBatchable, rowsOf, splitOutputs } from '../../../worker/batching/batch-tensors.js';
import type { ModelSignature } from '../../../worker/inference/model-signature.js';
import { comparable, tensor } from '../engine/worker-fixtures.js';

const mlp: ModelSignature = {
  inputs: [{ name: 'x', datatype: 'FP32', ortType: 'float32', shape: ['N', 4] }],
  outputs: [{ name: 'y', datatype: 'FP32', ortType: 'float32', shape: ['N', 2] }],
};
// Silero VAD as onnxruntime reports it: unnamed dims, a state whose batch is dim 1, a scalar rate.
const vad: ModelSignature = {
  inputs: [
    { name: 'input', datatype: 'FP32', ortType: 'float32', shape: ['', ''] },
    { name: 'state', datatype: 'FP32', ortType: 'float32', shape: [2, '', 128] },
    { name: 'sr', datatype: 'INT64', ortType: 'int64', shape: null },
  ],
  outputs: [{ name: 'output', datatype: 'FP32', ortType: 'float32', shape: ['', 1] }],
};
const ocr: ModelSignature = {
  inputs: [{ name: 'x', datatype: 'FP32', ortType: 'float32', shape: ['p2o.DynamicDimension.0', 3, 48, 'p2o.DynamicDimension.1'] }],
  outputs: [{ name: 'softmax_11.tmp_0', datatype: 'FP32', ortType: 'float32', shape: ['p2o.DynamicDimension.2', 'p2o.DynamicDimension.3', 6625] }],
};

function job(rows: number, cols = 4, seed = 0): RunParams {
  return { jobId: `j${seed}`, model: { sha256: 'a'.repeat(64) }, inputs: [tensor('x', 'FP32', [rows, cols], Float32Array.from({ length: rows * cols }, (_, i) => seed * 100 + i))] };
}

describe('batch eligibility', () => {
  it('takes models whose inputs and outputs all have a symbolic first dim', () => {
    expect(modelIsBatchable(mlp)).toBe(true);
    expect(modelIsBatchable(ocr)).toBe(true);
    expect(modelIsBatchable(vad)).toBe(false);
    expect(modelIsBatchable({ ...mlp, outputs: [{ ...mlp.outputs[0]!, shape: [1, 2] }] })).toBe(false);
    expect(modelIsBatchable({ ...mlp, inputs: [{ ...mlp.inputs[0]!, datatype: 'BYTES', ortType: 'string' }] })).toBe(false);
  });

  it('refuses several inputs unless they share one named batch symbol', () => {
    const two = (a: string, b: string): ModelSignature => ({
      inputs: [
        { name: 'a', datatype: 'FP32', ortType: 'float32', shape: [a, 4] },
        { name: 'b', datatype: 'FP32', ortType: 'float32', shape: [b, 4] },
      ],
      outputs: mlp.outputs,
    });
    expect(modelIsBatchable(two('N', 'N'))).toBe(true);
    expect(modelIsBatchable(two('N', 'M'))).toBe(false);
    expect(modelIsBatchable(two('', ''))).toBe(false);
  });

  it('keys jobs by model, requested outputs and trailing shapes', () => {
    expect(batchKeyOf(job(1), mlp)).toBe(batchKeyOf(job(3), mlp));
    expect(batchKeyOf(job(1), mlp)).not.toBe(batchKeyOf(job(1, 5), mlp));
    expect(batchKeyOf(job(1), mlp)).not.toBe(batchKeyOf({ ...job(1), outputs: ['y'] }, mlp));
    expect(batchKeyOf({ ...job(1), model: { sha256: 'b'.repeat(64) } }, mlp)).not.toBe(batchKeyOf(job(1), mlp));
    expect(batchKeyOf(job(1), vad)).toBeNull();
  });

  it('counts a job’s rows, refusing inputs that disagree', () => {
    expect(rowsOf(job(3).inputs)).toBe(3);
    expect(rowsOf([tensor('a', 'FP32', [2, 1], new Float32Array(2)), tensor('b', 'FP32', [3, 1], new Float32Array(3))])).toBeNull();
    expect(rowsOf([tensor('a', 'FP32', [], new Float32Array(1))])).toBeNull();
  });
});

describe('merge and split', () => {
  it('stacks inputs along dim 0 and cuts outputs back into each job’s rows', () => {
    const jobs = [job(1, 4, 1), job(2, 4, 2), job(1, 4, 3)];
    const [merged] = mergeInputs(jobs.map((j) => j.inputs));
    expect(merged!.shape).toEqual([4, 4]);
    expect(Array.from(new Float32Array(merged!.data.buffer))).toEqual([100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 300, 301, 302, 303]);
    // Pretend the model is the identity: splitting the merged tensor gives each job its own input back.
    const parts = splitOutputs([merged!], [1, 2, 1])!;
    expect(parts.map((p) => comparable(p))).toEqual(jobs.map((j) => comparable(j.inputs)));
    expect(parts[1]![0]!.data.buffer).not.toBe(merged!.data.buffer);
  });

  it('refuses to split outputs whose first dim is not the batch', () => {
    expect(splitOutputs([tensor('y', 'FP32', [3, 2], new Float32Array(6))], [1, 1])).toBeNull();
  });
});
