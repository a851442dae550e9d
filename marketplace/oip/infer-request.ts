/**
 * Parses a POST /v2/models/{name}/infer body into binary Tensors. Two forms, as Triton defines them:
 * plain JSON, or the binary tensor data extension — `Inference-Header-Content-Length: N` says the first
 * N bytes are the JSON header, and each input with `parameters.binary_data_size` takes that many of the
 * bytes after it, in input order. Outputs are binary when they ask (`parameters.binary_data`) or when the
 * request does (`parameters.binary_data_output`); otherwise JSON.
 */
import { Datatype, type Tensor, tensorDataProblem } from '../../common/tensor.js';
import { tensorFromJson } from './json-tensor.js';
import { OipInferRequest, type OipParameters } from './oip-schemas.js';

/** An infer request as the dispatcher takes it, plus how each output is to be returned. */
export type ParsedInferRequest = {
  id?: string;
  inputs: Tensor[];
  /** Output names asked for; all of the model's when absent. */
  outputs?: string[];
  /** Whether an output goes back as binary data. */
  binaryOutput: (name: string) => boolean;
};

export type ParseResult = { ok: true; request: ParsedInferRequest } | { ok: false; message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(message: string): ParseResult {
  return { ok: false, message };
}

/** The value of a boolean parameter, undefined when absent, or a problem when it is not a boolean. */
function booleanParameter(parameters: OipParameters | undefined, key: string, where: string): boolean | undefined | { problem: string } {
  const value = parameters?.[key];
  if (value === undefined || typeof value === 'boolean') return value;
  return { problem: `${where} parameters.${key} must be true or false.` };
}

/** Splits the body into the JSON header and the binary part, per Inference-Header-Content-Length. */
function splitBody(body: Uint8Array, headerLength: string | undefined): { json: Uint8Array; binary: Uint8Array } | string {
  if (headerLength === undefined) return { json: body, binary: body.subarray(body.byteLength) };
  if (!/^\d{1,12}$/.test(headerLength)) return 'Inference-Header-Content-Length must be a whole number of bytes.';
  const length = Number(headerLength);
  if (length > body.byteLength) return `Inference-Header-Content-Length is ${length}, but the body has only ${body.byteLength} bytes.`;
  return { json: body.subarray(0, length), binary: body.subarray(length) };
}

/** Parses an infer request body; `headerLength` is the Inference-Header-Content-Length header, if any. */
export function parseInferRequest(body: Uint8Array, headerLength: string | undefined): ParseResult {
  const parts = splitBody(body, headerLength);
  if (typeof parts === 'string') return fail(parts);
  let raw: unknown;
  try {
    raw = JSON.parse(utf8.decode(parts.json));
  } catch {
    return fail(headerLength === undefined ? 'The request body is not JSON (for binary tensors, send Inference-Header-Content-Length).' : 'The request header is not JSON.');
  }
  const parsed = OipInferRequest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(`Invalid inference request at ${issue?.path.join('.') || 'the top level'}: ${issue?.message ?? 'invalid'}.`);
  }
  const request = parsed.data;
  const inputs: Tensor[] = [];
  let offset = 0;
  for (const input of request.inputs) {
    const datatype = Datatype.safeParse(input.datatype);
    if (!datatype.success) return fail(`Input '${input.name}' has datatype ${JSON.stringify(input.datatype)}; OIP datatypes are ${Datatype.options.join(', ')}.`);
    const size = input.parameters?.binary_data_size;
    if (size === undefined) {
      if (input.data === undefined) return fail(`Input '${input.name}' has neither data nor parameters.binary_data_size.`);
      const tensor = tensorFromJson(input.name, datatype.data, input.shape, input.data);
      if (typeof tensor === 'string') return fail(tensor);
      inputs.push(tensor);
      continue;
    }
    if (input.data !== undefined) return fail(`Input '${input.name}' has both data and parameters.binary_data_size; send one.`);
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return fail(`Input '${input.name}' parameters.binary_data_size must be a whole number of bytes.`);
    if (offset + size > parts.binary.byteLength) {
      return fail(`Input '${input.name}' claims ${size} binary bytes at offset ${offset}, but the binary part has ${parts.binary.byteLength} bytes.`);
    }
    const data = parts.binary.subarray(offset, offset + size);
    offset += size;
    const tensor: Tensor = { name: input.name, datatype: datatype.data, shape: input.shape, data: new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength) };
    const problem = tensorDataProblem(tensor);
    if (problem !== null) return fail(`Input ${problem}.`);
    inputs.push(tensor);
  }
  if (offset !== parts.binary.byteLength) return fail(`The body has ${parts.binary.byteLength - offset} binary bytes that no input's binary_data_size accounts for.`);
  return outputsOf(request, inputs);
}

function outputsOf(request: OipInferRequest, inputs: Tensor[]): ParseResult {
  const all = booleanParameter(request.parameters, 'binary_data_output', 'The request');
  if (typeof all === 'object') return fail(all.problem);
  const perOutput = new Map<string, boolean>();
  for (const output of request.outputs ?? []) {
    if (output.parameters?.classification !== undefined) return fail(`Output '${output.name}' asks for classification, which this marketplace does not offer.`);
    const binary = booleanParameter(output.parameters, 'binary_data', `Output '${output.name}'`);
    if (typeof binary === 'object') return fail(binary.problem);
    if (binary !== undefined) perOutput.set(output.name, binary);
  }
  const outputs = request.outputs?.map((o) => o.name);
  return {
    ok: true,
    request: {
      ...(request.id === undefined ? {} : { id: request.id }),
      inputs,
      ...(outputs === undefined ? {} : { outputs }),
      binaryOutput: (name) => perOutput.get(name) ?? all ?? false,
    },
  };
}
