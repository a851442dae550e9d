/**
 * Checks a job's inputs against the model's signature and the worker's limits before any onnxruntime
 * tensor exists: names, caps, datatypes, ranks and fixed dims, consistent symbolic dims, and the bytes
 * themselves (framing, BOOL values, UTF-8 in BYTES).
 */
import { type Tensor, decodeBytesElements, elementCount, tensorDataProblem } from '../../common/tensor.js';
import type { WorkerError, WorkerLimits } from '../../common/worker-protocol.js';
import type { ModelSignature, TensorSpec } from './model-signature.js';
import { workerError } from './worker-error.js';

type InputLimits = Pick<WorkerLimits, 'maxInputBytes' | 'maxInputElements'>;

function list(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.map((n) => `'${n}'`).join(', ');
}

function checkNames(inputs: readonly Tensor[], signature: ModelSignature): WorkerError | null {
  const expected = signature.inputs.map((s) => s.name);
  const seen = new Set<string>();
  for (const input of inputs) {
    if (seen.has(input.name)) return workerError('input_invalid', `Input '${input.name}' is given twice.`);
    seen.add(input.name);
    if (!expected.includes(input.name)) {
      return workerError('input_invalid', `The model has no input '${input.name}'; its inputs are ${list(expected)}.`);
    }
  }
  const missing = expected.filter((name) => !seen.has(name));
  return missing.length > 0 ? workerError('input_invalid', `Missing input ${list(missing)}; the model needs ${list(expected)}.`) : null;
}

function checkCaps(inputs: readonly Tensor[], limits: InputLimits): WorkerError | null {
  let elements = 0;
  let bytes = 0;
  for (const input of inputs) {
    elements += elementCount(input.shape);
    bytes += input.data.byteLength;
  }
  if (elements > limits.maxInputElements) {
    return workerError('input_too_large', `The inputs hold ${elements} elements; the limit is ${limits.maxInputElements}.`);
  }
  if (bytes > limits.maxInputBytes) {
    return workerError('input_too_large', `The inputs are ${bytes} bytes; the limit is ${limits.maxInputBytes}.`);
  }
  return null;
}

function checkShape(input: Tensor, spec: TensorSpec, symbols: Map<string, number>): WorkerError | null {
  if (spec.shape === null) return null;
  const expected = `[${spec.shape.map((d) => (typeof d === 'number' ? d : d || '?')).join(', ')}]`;
  if (input.shape.length !== spec.shape.length) {
    return workerError('input_invalid', `Input '${input.name}' has shape [${input.shape.join(', ')}]; the model expects ${expected}.`);
  }
  for (let i = 0; i < spec.shape.length; i++) {
    const want = spec.shape[i]!;
    const got = input.shape[i]!;
    if (typeof want === 'number') {
      if (got !== want) return workerError('input_invalid', `Input '${input.name}' has ${got} at dim ${i}; the model expects ${expected}.`);
    } else if (want !== '') {
      const bound = symbols.get(want);
      if (bound === undefined) symbols.set(want, got);
      else if (bound !== got) {
        return workerError('input_invalid', `Input '${input.name}' has ${got} at dim ${i} ('${want}'), which another input set to ${bound}.`);
      }
    }
  }
  return null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function checkValues(input: Tensor): WorkerError | null {
  const framing = tensorDataProblem(input);
  if (framing !== null) return workerError('input_invalid', `Input ${framing}.`);
  if (input.datatype === 'BOOL' && input.data.some((b) => b > 1)) {
    return workerError('input_invalid', `Input '${input.name}' is BOOL but holds bytes other than 0 and 1.`);
  }
  if (input.datatype === 'BYTES') {
    // onnxruntime-node carries strings as C strings, so BYTES elements must be UTF-8 text without NUL.
    for (const element of decodeBytesElements(input.data)!) {
      if (element.includes(0)) return workerError('input_invalid', `Input '${input.name}' has a BYTES element containing a NUL byte, which onnxruntime would cut short.`);
      try {
        strictUtf8.decode(element);
      } catch {
        return workerError('input_invalid', `Input '${input.name}' has a BYTES element that is not UTF-8 text.`);
      }
    }
  }
  return null;
}

function checkOutputs(requested: readonly string[] | undefined, signature: ModelSignature): WorkerError | null {
  if (requested === undefined) return null;
  if (requested.length === 0) return workerError('input_invalid', 'The job asks for no outputs; leave `outputs` out to get them all.');
  const outputs = new Map(signature.outputs.map((s) => [s.name, s]));
  const seen = new Set<string>();
  for (const name of requested) {
    const spec = outputs.get(name);
    if (spec === undefined) return workerError('input_invalid', `The model has no output '${name}'; its outputs are ${list([...outputs.keys()])}.`);
    if (seen.has(name)) return workerError('input_invalid', `Output '${name}' is requested twice.`);
    seen.add(name);
  }
  return null;
}

/** Why a job's inputs (and requested outputs) cannot run on this model, or null when they can. */
export function validateRunInputs(
  inputs: readonly Tensor[],
  requestedOutputs: readonly string[] | undefined,
  signature: ModelSignature,
  limits: InputLimits,
): WorkerError | null {
  const early = checkNames(inputs, signature) ?? checkCaps(inputs, limits) ?? checkOutputs(requestedOutputs, signature);
  if (early !== null) return early;
  const specs = new Map(signature.inputs.map((s) => [s.name, s]));
  const symbols = new Map<string, number>();
  for (const input of inputs) {
    const spec = specs.get(input.name)!;
    if (spec.datatype === null) return workerError('input_invalid', `Input '${input.name}' is ${spec.ortType}, which the worker cannot feed.`);
    if (spec.datatype !== input.datatype) {
      return workerError('input_invalid', `Input '${input.name}' is ${input.datatype}; the model expects ${spec.datatype}.`);
    }
    const problem = checkShape(input, spec, symbols) ?? checkValues(input);
    if (problem !== null) return problem;
  }
  return null;
}
