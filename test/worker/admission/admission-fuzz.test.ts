import fc from 'fast-check';
import { onnx } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { AdmissionError } from '../../../worker/admission/admission-error.js';
import { DEFAULT_WORKER_LIMITS } from '../../../worker/admission/default-limits.js';
import { type AdmittedModel, admitModel, sha256Hex } from '../../../worker/admission/model-admission.js';
import {
  buildDeepNesting,
  buildExternalDataModel,
  buildFunctionModel,
  buildMlp,
  buildSlowModel,
  concatBytes,
  lengthDelimitedField,
  readRealModel,
  varint,
} from '../../helpers/onnx-models.js';

/** Admits or refuses with an AdmissionError, never anything else, and never through the catch-all. */
function admitOrRefuse(bytes: Uint8Array): AdmittedModel | AdmissionError {
  try {
    return admitModel(bytes, sha256Hex(bytes), DEFAULT_WORKER_LIMITS);
  } catch (err) {
    if (!(err instanceof AdmissionError)) throw err;
    expect(err.message).not.toMatch(/could not be checked/);
    expect(['model_invalid', 'model_rejected']).toContain(err.code);
    return err;
  }
}

// Random protobuf that follows ONNX's schema (with the odd stray field), so the walk goes deep into
// graphs, nodes, attributes, subgraphs, tensors and functions instead of failing at the first byte.
type Kind = 'model' | 'graph' | 'node' | 'attribute' | 'tensor' | 'function' | 'valueInfo' | 'type' | 'tensorType' | 'shape' | 'dim' | 'opset' | 'entry';
const text = fc.oneof(fc.constantFrom('', 'ai.onnx', 'com.microsoft', 'evil.domain', 'local', 'Relu', 'If', 'f0', 'x', 'y', 'location', '../w.bin'), fc.string({ maxLength: 6 }));
const utf8 = (value: string) => new TextEncoder().encode(value);
const varintField = (n: number, max = 40) => fc.bigInt({ min: 0n, max: BigInt(max) }).map((v) => Uint8Array.of(...varint(n * 8), ...bigVarint(v)));
const stringField = (n: number) => text.map((t) => lengthDelimitedField(n, utf8(t)));
const stray = fc.tuple(fc.integer({ min: 1, max: 40 }), fc.uint8Array({ maxLength: 8 })).map(([n, payload]) => lengthDelimitedField(n, payload));
/**
 * With `withStray`, stray fields appear and singular sub-messages may repeat (protobuf merges them);
 * without it, each singular sub-message appears at most once, so a generated decoder that replaces
 * instead of merging (protobufjs does) reads the same model as onnxruntime.
 */
function onnxShapedModels(withStray: boolean): fc.Arbitrary<Uint8Array> {
  return fc.letrec<Record<Kind, Uint8Array>>((tie) => {
    const sub = (n: number, kind: Kind) => tie(kind).map((m) => lengthDelimitedField(n, m as Uint8Array));
    const message = (repeated: fc.Arbitrary<Uint8Array>[], singular: fc.Arbitrary<Uint8Array>[] = []) => {
      const choices = [...repeated, ...(withStray ? singular : [])].map((arbitrary) => ({ arbitrary, weight: 8 }));
      if (withStray) choices.push({ arbitrary: stray, weight: 1 });
      const many = choices.length === 0 ? fc.constant([]) : fc.array(fc.oneof({ depthSize: 'small' }, ...choices), { maxLength: 5 });
      const once = fc.tuple(...singular.map((a) => fc.option(a, { nil: new Uint8Array(0) })));
      return fc.tuple(once, many).map(([a, b]) => concatBytes(...a, ...b));
    };
    // A graph and an ONNX opset up front, so most samples get past the first checks.
    const onnxOpset = fc.integer({ min: 5, max: 28 }).map((v) => lengthDelimitedField(8, Uint8Array.of(0x10, v)));
    return {
      model: fc
        .tuple(sub(7, 'graph'), onnxOpset, message([varintField(1), sub(8, 'opset'), sub(25, 'function')], withStray ? [sub(7, 'graph')] : []))
        .map((parts) => concatBytes(...parts)),
      graph: message([sub(1, 'node'), sub(1, 'node'), sub(5, 'tensor'), sub(11, 'valueInfo'), sub(12, 'valueInfo'), stringField(2)]),
      node: message([stringField(4), stringField(7), stringField(1), stringField(2), sub(5, 'attribute'), sub(5, 'attribute')]),
      attribute: message([stringField(1), varintField(20, 14), sub(11, 'graph'), sub(10, 'tensor'), varintField(3, 2 ** 40)], [sub(5, 'tensor'), sub(6, 'graph')]),
      tensor: message([
        stringField(8),
        varintField(1, 2 ** 40),
        varintField(2, 20),
        varintField(14, 2),
        sub(13, 'entry'),
        fc.uint8Array({ maxLength: 16 }).map((b) => lengthDelimitedField(9, b)),
      ]),
      function: message([stringField(1), stringField(10), sub(7, 'node'), sub(9, 'opset'), sub(11, 'attribute')]),
      valueInfo: message([stringField(1)], [sub(2, 'type')]),
      type: message([], [sub(1, 'tensorType')]),
      tensorType: message([varintField(1, 20)], [sub(2, 'shape')]),
      shape: message([sub(1, 'dim'), sub(1, 'dim')]),
      dim: message([varintField(1, 2 ** 62), stringField(2)]),
      opset: message([stringField(1), varintField(2, 30)]),
      entry: message([stringField(1), stringField(2)]),
    };
  }).model;
}
const onnxShaped = onnxShapedModels(true);

function bigVarint(value: bigint): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 127n) {
    out.push(Number(v & 127n) | 128);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

const seeds = [
  buildMlp({ inputDim: 3, hidden: 4, outputDim: 2, batch: 'dynamic', seed: 3 }),
  buildDeepNesting(3),
  buildFunctionModel({ levels: 3, callsPerLevel: 2 }),
  buildExternalDataModel('../../etc/passwd', { via: 'subgraph' }),
  buildSlowModel(10, 4),
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = m.at % (bytes.byteLength + 1);
  switch (m.kind) {
    case 'flip': {
      const copy = bytes.slice();
      if (at < copy.byteLength) copy[at] = m.value;
      return copy;
    }
    case 'insert':
      return concatBytes(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
    case 'delete':
      return concatBytes(bytes.subarray(0, at), bytes.subarray(at + m.count));
    case 'truncate':
      return bytes.subarray(0, at);
  }
}

describe('admitModel under fuzzing', () => {
  it('throws nothing but AdmissionError on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => void admitOrRefuse(bytes)), { numRuns: 3000 });
  });

  it('throws nothing but AdmissionError on random protobuf shaped like ONNX', () => {
    fc.assert(fc.property(onnxShaped, (bytes) => void admitOrRefuse(bytes)), { numRuns: 2000 });
  });

  it('throws nothing but AdmissionError on random mutations of valid models', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, mutations) => {
        void admitOrRefuse(mutations.reduce(mutate, seed));
      }),
      { numRuns: 3000 },
    );
  });

  it('throws nothing but AdmissionError on mutations of a real model', () => {
    const silero = readRealModel('sileroVad');
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => void admitOrRefuse(mutations.reduce(mutate, silero))), { numRuns: 150 });
  });
});

describe('admitModel agrees with onnx-proto on well-formed models', () => {
  /** What a generated decoder sees in every graph and function: nodes, nesting, domains, external and sparse tensors. */
  function decodedSafetyFacts(bytes: Uint8Array) {
    const model = onnx.ModelProto.decode(bytes);
    const facts = { nodes: 0, depth: 0, external: 0, sparse: 0, nodeDomains: new Set<string>(), functionDomains: (model.functions ?? []).map((f) => f.domain ?? '') };
    const tensor = (t: onnx.ITensorProto) => {
      if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData ?? []).length > 0) facts.external++;
    };
    const nodes = (list: onnx.INodeProto[], level: number, counted: boolean) => {
      for (const node of list) {
        if (counted) facts.nodes++;
        facts.nodeDomains.add(node.domain ?? '');
        for (const a of node.attribute ?? []) {
          if (a.t) tensor(a.t);
          (a.tensors ?? []).forEach(tensor);
          if (a.sparseTensor || (a.sparseTensors ?? []).length > 0) facts.sparse++;
          for (const g of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) graph(g, level + 1, counted);
        }
      }
    };
    const graph = (g: onnx.IGraphProto, level: number, counted: boolean) => {
      facts.depth = Math.max(facts.depth, level);
      (g.initializer ?? []).forEach(tensor);
      facts.sparse += (g.sparseInitializer ?? []).length;
      nodes(g.node ?? [], level, counted);
    };
    graph(model.graph!, 0, true);
    for (const f of model.functions ?? []) nodes(f.node ?? [], 0, false);
    return { ...facts, nodeDomains: [...facts.nodeDomains] };
  }

  /** Nodes and deepest nesting as onnx-proto's generated decoder sees them. */
  function decodedStats(bytes: Uint8Array): { nodes: number; depth: number; inputs: string[] } {
    const model = onnx.ModelProto.decode(bytes);
    let nodes = 0;
    let depth = 0;
    const walk = (graph: onnx.IGraphProto, level: number) => {
      depth = Math.max(depth, level);
      for (const node of graph.node ?? []) {
        nodes++;
        for (const attribute of node.attribute ?? []) {
          if (attribute.g) walk(attribute.g, level + 1);
          for (const g of attribute.graphs ?? []) walk(g, level + 1);
        }
      }
    };
    walk(model.graph!, 0);
    const initializers = new Set((model.graph!.initializer ?? []).map((t) => t.name));
    return { nodes, depth, inputs: (model.graph!.input ?? []).map((i) => i.name!).filter((n) => !initializers.has(n)) };
  }

  it('counts the same nodes, depth and inputs on random MLPs and nestings', () => {
    const model = fc.oneof(
      fc.record({ inputDim: fc.integer({ min: 1, max: 8 }), hidden: fc.integer({ min: 1, max: 8 }), outputDim: fc.integer({ min: 1, max: 8 }), seed: fc.nat() }).map((o) => buildMlp({ ...o, batch: 'dynamic' })),
      fc.integer({ min: 0, max: 6 }).map(buildDeepNesting),
    );
    fc.assert(
      fc.property(model, (bytes) => {
        const admitted = admitModel(bytes, sha256Hex(bytes), DEFAULT_WORKER_LIMITS);
        const expected = decodedStats(bytes);
        expect({ nodes: admitted.nodeCount, depth: admitted.maxDepth, inputs: admitted.inputs.map((i) => i.name) }).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('finds, on random schema-shaped models it admits, nothing that an independent decoder calls unsafe', () => {
    let admittedCount = 0;
    fc.assert(
      fc.property(onnxShapedModels(false), (bytes) => {
        const result = admitOrRefuse(bytes);
        if (result instanceof AdmissionError) return;
        admittedCount++;
        const facts = decodedSafetyFacts(bytes);
        expect(facts.external).toBe(0);
        expect(facts.sparse).toBe(0);
        expect(facts.depth).toBeLessThanOrEqual(DEFAULT_WORKER_LIMITS.maxSubgraphDepth);
        for (const domain of facts.nodeDomains) expect([...DEFAULT_WORKER_LIMITS.allowedOpDomains, ...facts.functionDomains]).toContain(domain);
        if (facts.functionDomains.length === 0) expect(result.nodeCount).toBe(facts.nodes);
      }),
      { numRuns: 3000 },
    );
    expect(admittedCount).toBeGreaterThan(100);
  });

  it('counts the same on the real models', () => {
    for (const name of ['sileroVad', 'ocrDetection', 'ocrRecognition', 'ocrOrientation'] as const) {
      const bytes = readRealModel(name);
      const admitted = admitModel(bytes, sha256Hex(bytes), DEFAULT_WORKER_LIMITS);
      expect({ nodes: admitted.nodeCount, depth: admitted.maxDepth, inputs: admitted.inputs.map((i) => i.name) }).toEqual(decodedStats(bytes));
    }
  });
});
