/**
 * A two-layer MLP (y = Relu(x·W1 + b1)·W2 + b2) with a dynamic batch dimension N, built in code. The
 * same graph as test/helpers/onnx-models.ts buildMlp, written again here because the built bench runs
 * under plain Node, where onnx-proto (CommonJS) has only a default export.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** The MLP's sizes. */
export type MlpShape = { inputDim: number; hidden: number; outputDim: number };

/** Deterministic weights in [-scale, scale) (a 32-bit LCG: the bench needs repeatable, not random). */
function weights(count: number, scale: number, seed: number): Uint8Array {
  const values = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = (state / 2 ** 32) * 2 * scale - scale;
  }
  return new Uint8Array(values.buffer);
}

/** The encoded model: input `x` FP32 [N, inputDim], output `y` FP32 [N, outputDim], opset 17. */
export function buildBenchMlp(shape: MlpShape, seed = 1): Uint8Array {
  const { inputDim, hidden, outputDim } = shape;
  const io = (name: string, width: number) => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } },
  });
  const init = (name: string, dims: number[], scale: number, salt: number) => ({
    name,
    dims,
    dataType: FLOAT,
    rawData: weights(dims.reduce((a, b) => a * b, 1), scale, seed * 31 + salt),
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'hearth-bench',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'mlp',
      node: [
        { opType: 'MatMul', input: ['x', 'W1'], output: ['xw1'] },
        { opType: 'Add', input: ['xw1', 'b1'], output: ['h0'] },
        { opType: 'Relu', input: ['h0'], output: ['h'] },
        { opType: 'MatMul', input: ['h', 'W2'], output: ['hw2'] },
        { opType: 'Add', input: ['hw2', 'b2'], output: ['y'] },
      ],
      initializer: [
        init('W1', [inputDim, hidden], 1 / Math.sqrt(inputDim), 1),
        init('b1', [hidden], 0.1, 2),
        init('W2', [hidden, outputDim], 1 / Math.sqrt(hidden), 3),
        init('b2', [outputDim], 0.1, 4),
      ],
      input: [io('x', inputDim)],
      output: [io('y', outputDim)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
