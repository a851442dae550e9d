/**
 * One pass over an ONNX ModelProto's wire format that collects what admission decides on: operators by
 * domain and nesting depth, opset imports, model-local functions, graph inputs and outputs. It refuses
 * on the spot what is never allowed (external data, sparse tensors, training info, protobuf fields this
 * code does not know in any message that can carry a graph or a tensor) and stops as soon as a node or
 * nesting limit is passed, so its work and memory stay bounded by the limits, not by the file.
 */
import { ModelRejection, formatCount, quote } from './admission-error.js';
import { type ModelValueInfo, readValueInfo } from './onnx-value-info.js';
import { FieldReader } from './protobuf-wire.js';

export interface WalkLimits {
  maxNodes: number;
  maxSubgraphDepth: number;
}

/** An operator as nodes name it: domain ('' for ONNX itself), op_type and overload. */
export interface OpUse {
  domain: string;
  opType: string;
  overload: string;
  count: number;
  /** Deepest subgraph nesting (within its scope) at which it is used. */
  maxDepth: number;
}

/** The main graph, or one function body, with every subgraph inside it. */
export interface Scope {
  rawNodes: number;
  maxDepth: number;
  ops: Map<string, OpUse>;
}

export interface OpsetEntry {
  domain: string;
  version: number;
}

export interface FunctionFacts {
  domain: string;
  name: string;
  overload: string;
  opsets: OpsetEntry[];
  scope: Scope;
}

export interface ModelFacts {
  irVersion: number;
  hasGraph: boolean;
  opsets: OpsetEntry[];
  main: Scope;
  functions: FunctionFacts[];
  /** Graph inputs that are not initializers, and graph outputs. */
  inputs: ModelValueInfo[];
  outputs: ModelValueInfo[];
}

export const MAX_FUNCTIONS = 10_000;
export const MAX_OPSET_IMPORTS = 1_000;
export const MAX_GRAPH_IO = 100_000;

/** '' and 'ai.onnx' both name the ONNX operator set. */
export function normalizeDomain(domain: string): string {
  return domain === 'ai.onnx' ? '' : domain;
}

/** The key under which a node's operator and a model-local function match. */
export function opKey(domain: string, name: string, overload: string): string {
  return `${normalizeDomain(domain)}\u0000${name}\u0000${overload}`;
}

/** Reads the model's structure; throws WireFormatError for broken protobuf, ModelRejection for a broken rule. */
export function walkModel(bytes: Uint8Array, limits: WalkLimits): ModelFacts {
  return new Walker(bytes, limits).model();
}

function newScope(): Scope {
  return { rawNodes: 0, maxDepth: 0, ops: new Map() };
}

function unknownField(message: string, field: number): never {
  throw new ModelRejection(`uses protobuf field ${field} of ${message}, which this version of Hearth does not know; it refuses what it cannot check`);
}

// Fields that cannot hold a graph or a tensor, skipped without reading, per message.
const SKIP = {
  model: new Set([2, 3, 4, 5, 6, 14, 26]),
  graph: new Set([2, 10, 13, 14, 16]),
  node: new Set([1, 2, 3, 6, 9, 10]),
  attribute: new Set([1, 2, 3, 4, 7, 8, 9, 13, 14, 15, 20, 21]),
  tensor: new Set([1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 16]),
  function: new Set([4, 5, 6, 8, 12, 14]),
};

class Walker {
  private rawTotal = 0;
  private readonly facts: ModelFacts = { irVersion: 0, hasGraph: false, opsets: [], main: newScope(), functions: [], inputs: [], outputs: [] };
  private readonly mainGraphs: Array<[number, number]> = [];

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: WalkLimits,
  ) {}

  model(): ModelFacts {
    // Broken framing anywhere at the top level makes the file invalid, whatever rule an earlier field
    // would break: random bytes are `model_invalid`, not a refusal of some "unknown field".
    const framing = new FieldReader(this.bytes);
    while (framing.next());
    const r = new FieldReader(this.bytes);
    while (r.next()) {
      if (r.field === 1) this.facts.irVersion = r.varintValue('ModelProto.ir_version');
      else if (r.field === 7) {
        this.facts.hasGraph = true;
        this.mainGraphs.push([r.start, r.end]);
        this.graph(r.message('ModelProto.graph'), 0, this.facts.main, true);
      } else if (r.field === 8) this.opsetImport(r, this.facts.opsets);
      else if (r.field === 25) this.function(r.message('ModelProto.functions'));
      else if (r.field === 20) throw new ModelRejection('carries training_info; Hearth runs inference only and accepts no training graphs');
      else if (!SKIP.model.has(r.field)) unknownField('ModelProto', r.field);
    }
    this.dropInitializerInputs();
    return this.facts;
  }

  private graph(r: FieldReader, depth: number, scope: Scope, isMain: boolean): void {
    while (r.next()) {
      switch (r.field) {
        case 1:
          this.node(r.message('GraphProto.node'), depth, scope);
          break;
        case 5:
          this.tensor(r.message('GraphProto.initializer'), 'initializer');
          break;
        case 11:
        case 12:
          if (isMain) this.graphValue(r, r.field === 11 ? this.facts.inputs : this.facts.outputs);
          break;
        case 15:
          throw new ModelRejection('has sparse initializers, which Hearth does not accept');
        default:
          if (!SKIP.graph.has(r.field)) unknownField('GraphProto', r.field);
      }
    }
  }

  private graphValue(r: FieldReader, into: ModelValueInfo[]): void {
    if (into.length >= MAX_GRAPH_IO) throw new ModelRejection(`declares more than ${formatCount(MAX_GRAPH_IO)} graph inputs or outputs`);
    into.push(readValueInfo(r.message('GraphProto.input')));
  }

  private node(r: FieldReader, depth: number, scope: Scope): void {
    if (++this.rawTotal > this.limits.maxNodes) {
      throw new ModelRejection(`has more than ${formatCount(this.limits.maxNodes)} nodes (subgraphs and functions included), which is the limit`);
    }
    let opType = '';
    let domain = '';
    let overload = '';
    while (r.next()) {
      if (r.field === 4) opType = r.string('NodeProto.op_type');
      else if (r.field === 7) domain = normalizeDomain(r.string('NodeProto.domain'));
      else if (r.field === 8) overload = r.string('NodeProto.overload');
      else if (r.field === 5) this.attribute(r.message('NodeProto.attribute'), depth, scope);
      else if (!SKIP.node.has(r.field)) unknownField('NodeProto', r.field);
    }
    scope.rawNodes++;
    const key = opKey(domain, opType, overload);
    const use = scope.ops.get(key);
    if (use === undefined) scope.ops.set(key, { domain, opType, overload, count: 1, maxDepth: depth });
    else {
      use.count++;
      use.maxDepth = Math.max(use.maxDepth, depth);
    }
  }

  private attribute(r: FieldReader, depth: number, scope: Scope): void {
    while (r.next()) {
      switch (r.field) {
        case 5:
        case 10:
          this.tensor(r.message('AttributeProto.t'), 'tensor attribute');
          break;
        case 6:
        case 11:
          this.subgraph(r.message('AttributeProto.g'), depth + 1, scope);
          break;
        case 22:
        case 23:
          throw new ModelRejection('has a sparse tensor attribute, which Hearth does not accept');
        default:
          if (!SKIP.attribute.has(r.field)) unknownField('AttributeProto', r.field);
      }
    }
  }

  private subgraph(r: FieldReader, depth: number, scope: Scope): void {
    if (depth > this.limits.maxSubgraphDepth) {
      throw new ModelRejection(`nests subgraphs (If, Loop, Scan bodies) more than ${this.limits.maxSubgraphDepth} levels deep, which is the limit`);
    }
    scope.maxDepth = Math.max(scope.maxDepth, depth);
    this.graph(r, depth, scope, false);
  }

  private tensor(r: FieldReader, where: string): void {
    let name = '';
    let external = false;
    let location: string | null = null;
    while (r.next()) {
      if (r.field === 8) name = r.string('TensorProto.name');
      else if (r.field === 14) external ||= r.varintValue('TensorProto.data_location') !== 0;
      else if (r.field === 13) {
        external = true;
        location = externalLocation(r.message('TensorProto.external_data')) ?? location;
      } else if (!SKIP.tensor.has(r.field)) unknownField('TensorProto', r.field);
    }
    if (external) {
      const at = location === null ? '' : ` at ${quote(location)}`;
      throw new ModelRejection(
        `keeps ${where} ${quote(name)} in external data${at}; Hearth loads models from memory only and never reads external data, whatever the path (relative, absolute, ../, symlink or hard link)`,
      );
    }
  }

  private function(r: FieldReader): void {
    if (this.facts.functions.length >= MAX_FUNCTIONS) throw new ModelRejection(`defines more than ${formatCount(MAX_FUNCTIONS)} functions`);
    const fn: FunctionFacts = { domain: '', name: '', overload: '', opsets: [], scope: newScope() };
    while (r.next()) {
      switch (r.field) {
        case 1:
          fn.name = r.string('FunctionProto.name');
          break;
        case 10:
          fn.domain = normalizeDomain(r.string('FunctionProto.domain'));
          break;
        case 13:
          fn.overload = r.string('FunctionProto.overload');
          break;
        case 7:
          this.node(r.message('FunctionProto.node'), 0, fn.scope);
          break;
        case 9:
          this.opsetImport(r, fn.opsets);
          break;
        case 11:
          // Default attribute values: a graph here is a subgraph of the function body.
          this.attribute(r.message('FunctionProto.attribute_proto'), 0, fn.scope);
          break;
        default:
          if (!SKIP.function.has(r.field)) unknownField('FunctionProto', r.field);
      }
    }
    this.facts.functions.push(fn);
  }

  private opsetImport(r: FieldReader, into: OpsetEntry[]): void {
    if (into.length >= MAX_OPSET_IMPORTS) throw new ModelRejection(`imports more than ${formatCount(MAX_OPSET_IMPORTS)} operator sets`);
    const m = r.message('OperatorSetIdProto');
    const entry: OpsetEntry = { domain: '', version: 0 };
    while (m.next()) {
      if (m.field === 1) entry.domain = normalizeDomain(m.string('OperatorSetIdProto.domain'));
      else if (m.field === 2) entry.version = m.varintValue('OperatorSetIdProto.version');
    }
    into.push(entry);
  }

  /** Graph inputs that an initializer of the main graph fills are weights, not inputs a job supplies. */
  private dropInitializerInputs(): void {
    if (this.facts.inputs.length === 0) return;
    const names = new Set(this.facts.inputs.map((i) => i.name));
    const filled = new Set<string>();
    for (const [start, end] of this.mainGraphs) {
      const g = new FieldReader(this.bytes, start, end);
      while (g.next()) {
        if (g.field !== 5) continue;
        const t = g.message('GraphProto.initializer');
        while (t.next()) {
          if (t.field !== 8) continue;
          const name = t.string('TensorProto.name');
          if (names.has(name)) filled.add(name);
        }
      }
    }
    if (filled.size > 0) this.facts.inputs = this.facts.inputs.filter((i) => !filled.has(i.name));
  }
}

function externalLocation(r: FieldReader): string | null {
  let key = '';
  let value = '';
  while (r.next()) {
    if (r.field === 1) key = r.string('StringStringEntryProto.key');
    else if (r.field === 2) value = r.string('StringStringEntryProto.value');
  }
  return key === 'location' ? value : null;
}
