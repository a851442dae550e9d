/**
 * The rules admission applies to what the walk found: operator domains on the allowlist, opsets in
 * range, and model-local functions resolved the way onnxruntime inlines them, so a small file whose
 * functions call each other many times cannot expand into millions of nodes, recurse, or nest past the
 * subgraph limit.
 */
import type { WorkerLimits } from '../../common/worker-protocol.js';
import { ModelRejection, formatCount, quote } from './admission-error.js';
import { type FunctionFacts, type ModelFacts, type OpsetEntry, type Scope, normalizeDomain, opKey } from './onnx-walk.js';

/** Deepest chain of model-local functions calling each other. */
export const MAX_FUNCTION_NESTING = 32;

export interface OperatorSummary {
  /** The ONNX opset the model imports (the highest, if it lists several). */
  opsetVersion: number;
  /** Nodes after inlining every function call, subgraphs included. */
  nodeCount: number;
  /** Deepest subgraph nesting after inlining. */
  maxDepth: number;
}

type OperatorLimits = Pick<WorkerLimits, 'allowedOpDomains' | 'minOpset' | 'maxOpset' | 'maxNodes' | 'maxSubgraphDepth'>;

/** Applies domain, opset, function and size rules; throws ModelRejection naming the first broken one. */
export function checkOperators(facts: ModelFacts, limits: OperatorLimits): OperatorSummary {
  const allowed = new Set(limits.allowedOpDomains.map(normalizeDomain));
  const functions = functionTable(facts.functions);
  const functionDomains = new Set(facts.functions.map((f) => f.domain));
  const opsetVersion = checkOpsets(facts.opsets, 'the model', limits, allowed, functionDomains, true);
  for (const fn of facts.functions) checkOpsets(fn.opsets, `function ${quote(fn.name)}`, limits, allowed, functionDomains, false);
  checkDomains(facts.main, functions, allowed);
  for (const fn of facts.functions) checkDomains(fn.scope, functions, allowed);
  const inliner = new Inliner(functions, limits);
  const { nodes, depth } = inliner.expand(facts.main, []);
  return { opsetVersion, nodeCount: nodes, maxDepth: depth };
}

function functionTable(list: readonly FunctionFacts[]): Map<string, FunctionFacts> {
  const table = new Map<string, FunctionFacts>();
  for (const fn of list) {
    const key = opKey(fn.domain, fn.name, fn.overload);
    if (table.has(key)) throw new ModelRejection(`defines function ${quote(fn.name)} in domain ${quote(fn.domain)} twice`);
    table.set(key, fn);
  }
  return table;
}

function checkOpsets(
  opsets: readonly OpsetEntry[],
  owner: string,
  limits: OperatorLimits,
  allowed: ReadonlySet<string>,
  functionDomains: ReadonlySet<string>,
  requireOnnx: boolean,
): number {
  let onnxVersion = 0;
  for (const { domain, version } of opsets) {
    if (!allowed.has(domain) && !functionDomains.has(domain)) {
      throw new ModelRejection(`imports operator set ${quote(domain)}, which is not allowed (${describeDomains(allowed)})`);
    }
    if (domain === '') {
      if (version < limits.minOpset || version > limits.maxOpset) {
        throw new ModelRejection(`uses ONNX opset ${version}; supported opsets are ${limits.minOpset} to ${limits.maxOpset}`);
      }
      onnxVersion = Math.max(onnxVersion, version);
    } else if (version < 1 || !Number.isSafeInteger(version)) {
      throw new ModelRejection(`imports operator set ${quote(domain)} at version ${version}, which does not exist`);
    }
  }
  if (requireOnnx && onnxVersion === 0) throw new ModelRejection(`does not say which ONNX opset ${owner} uses`);
  return onnxVersion;
}

function checkDomains(scope: Scope, functions: ReadonlyMap<string, FunctionFacts>, allowed: ReadonlySet<string>): void {
  for (const [key, use] of scope.ops) {
    if (functions.has(key) || allowed.has(use.domain)) continue;
    throw new ModelRejection(`uses operator ${quote(use.opType)} from domain ${quote(use.domain)}, which is not allowed (${describeDomains(allowed)})`);
  }
}

function describeDomains(allowed: ReadonlySet<string>): string {
  const names = [...allowed].map((d) => (d === '' ? 'ai.onnx' : d));
  return names.length === 0 ? 'no operator domains are allowed' : `allowed: ${names.join(', ')}`;
}

interface Expansion {
  nodes: number;
  depth: number;
}

/** Node count and nesting of a scope with every function call replaced by the function's body. */
class Inliner {
  private readonly done = new Map<FunctionFacts, Expansion>();

  constructor(
    private readonly functions: ReadonlyMap<string, FunctionFacts>,
    private readonly limits: OperatorLimits,
  ) {}

  expand(scope: Scope, callers: readonly FunctionFacts[]): Expansion {
    let nodes = scope.rawNodes;
    let depth = scope.maxDepth;
    for (const [key, use] of scope.ops) {
      const callee = this.functions.get(key);
      if (callee === undefined) continue;
      const body = this.function(callee, callers);
      // The call node itself stays counted: a small overestimate that keeps the sum simple.
      nodes += use.count * body.nodes;
      depth = Math.max(depth, use.maxDepth + body.depth);
      this.check(nodes, depth);
    }
    return { nodes, depth };
  }

  private function(fn: FunctionFacts, callers: readonly FunctionFacts[]): Expansion {
    const known = this.done.get(fn);
    if (known !== undefined) return known;
    if (callers.includes(fn)) {
      const cycle = [...callers.slice(callers.indexOf(fn)), fn].map((f) => f.name.slice(0, 40)).join(' → ');
      throw new ModelRejection(`has functions that call each other in a cycle (${cycle}); onnxruntime would inline them forever`);
    }
    if (callers.length >= MAX_FUNCTION_NESTING) {
      throw new ModelRejection(`nests function calls more than ${MAX_FUNCTION_NESTING} deep`);
    }
    const result = this.expand(fn.scope, [...callers, fn]);
    this.done.set(fn, result);
    return result;
  }

  private check(nodes: number, depth: number): void {
    const { maxNodes, maxSubgraphDepth } = this.limits;
    if (nodes > maxNodes) {
      throw new ModelRejection(`expands to more than ${formatCount(maxNodes)} nodes once its functions are inlined, which is the limit`);
    }
    if (depth > maxSubgraphDepth) {
      throw new ModelRejection(`nests subgraphs ${depth} levels deep once its functions are inlined; the limit is ${maxSubgraphDepth}`);
    }
  }
}
