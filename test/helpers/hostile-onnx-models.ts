/**
 * Hostile and malformed ONNX models for the admission, worker and sandbox tests: an allocation bomb,
 * a slow model for deadlines, forbidden domains, deep nesting, external data tricks, sparse
 * initializers, huge outputs, exploding local functions, and protobuf-level damage.
 */
// onnx-proto is CommonJS: plain Node's ESM loader gives it only a default export (the bench runs these builders there).
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;
import { DEFAULT_TEST_OPSET, encodeModel, floatTensor, int64Tensor, seededRandom, valueInfo } from './onnx-models.js';

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

/**
 * ConstantOfShape asking for `shape` FP32 (default [65536, 65536, 64]: 1 TiB). The shape is input `n`
 * INT64 [1] times `shape`, so feed n = [1]: the allocation happens in `run()`. (onnxruntime 1.30 also
 * skips constant folding above 1 GiB, so even a constant shape would not go off at session creation.)
 */
export function buildAllocationBomb(shape: readonly number[] = [1 << 16, 1 << 16, 64]): Uint8Array {
  const fill: OnnxTypes.IAttributeProto = { name: 'value', type: A.TENSOR, t: floatTensor('one', [1], Float32Array.of(1)) };
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
  const body: OnnxTypes.IGraphProto = {
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
  const leaf = (name: string): OnnxTypes.IGraphProto => ({
    name: `leaf_${name}`,
    node: [{ opType: 'Identity', input: ['x'], output: [name] }],
    output: [valueInfo(name, T.FLOAT, null)],
  });
  const ifNode = (level: number, output: string): OnnxTypes.INodeProto => ({
    opType: 'If',
    input: ['cond'],
    output: [output],
    attribute: [
      { name: 'then_branch', type: A.GRAPH, g: branch(level) },
      { name: 'else_branch', type: A.GRAPH, g: leaf(`y${level}_else`) },
    ],
  });
  function branch(level: number): OnnxTypes.IGraphProto {
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
  const w: OnnxTypes.ITensorProto = { name: 'W', dims: [4], dataType: T.FLOAT };
  if (marker !== 'entries-only') w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  if (marker !== 'location-only') {
    w.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: '0' },
      { key: 'length', value: '16' },
    ];
  }
  const constant: OnnxTypes.INodeProto = { opType: 'Constant', output: ['W'], attribute: [{ name: 'value', type: A.TENSOR, t: w }] };
  const add: OnnxTypes.INodeProto = { opType: 'Add', input: ['x', 'W'], output: ['y'] };
  const io = { input: [valueInfo('x', T.FLOAT, [4])], output: [valueInfo('y', T.FLOAT, [4])] };
  switch (options.via ?? 'initializer') {
    case 'initializer':
      return encodeModel({ name: 'external', node: [add], initializer: [w], ...io });
    case 'constant':
      return encodeModel({ name: 'external', node: [constant, add], ...io });
    case 'subgraph': {
      const then: OnnxTypes.IGraphProto = { name: 'then', node: [constant, { ...add, output: ['t'] }], output: [valueInfo('t', T.FLOAT, [4])] };
      const other: OnnxTypes.IGraphProto = { name: 'else', node: [{ opType: 'Identity', input: ['x'], output: ['e'] }], output: [valueInfo('e', T.FLOAT, [4])] };
      const node: OnnxTypes.INodeProto = {
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
  const sparse: OnnxTypes.ISparseTensorProto = {
    values: floatTensor('W', [2], Float32Array.of(1, 2)),
    indices: int64Tensor('W_indices', [2], [0, 3]),
    dims: [4],
  };
  const add: OnnxTypes.INodeProto = { opType: 'Add', input: ['x', 'W'], output: ['y'] };
  const io = { input: [valueInfo('x', T.FLOAT, [4])], output: [valueInfo('y', T.FLOAT, [4])] };
  if (options.via === 'constant') {
    const constant: OnnxTypes.INodeProto = { opType: 'Constant', output: ['W'], attribute: [{ name: 'sparse_value', type: A.SPARSE_TENSOR, sparseTensor: sparse }] };
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
  const chain = (callee: string, count: number): OnnxTypes.INodeProto[] =>
    Array.from({ length: count }, (_, i) => ({
      opType: callee,
      domain: 'local',
      input: [i === 0 ? 'a' : `t${i}`],
      output: [i === count - 1 ? 'b' : `t${i + 1}`],
    }));
  const functions: OnnxTypes.IFunctionProto[] = Array.from({ length: levels }, (_, k) => {
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
