/**
 * A small Open Inference Protocol v2 client for the marketplace tests: builds JSON and binary-extension
 * (Triton) infer requests from Tensors and reads both kinds of response back into Tensors.
 */
import type { Datatype, Tensor } from '../../../common/tensor.js';

export type InferOptions = {
  /** Send inputs as binary data (Inference-Header-Content-Length) instead of JSON arrays. */
  binaryInputs: boolean;
  /** Ask for every output as binary data. */
  binaryOutputs: boolean;
  outputs?: string[];
  key?: string;
};

export type InferReply = { status: number; headers: Headers; json: Record<string, unknown>; outputs: Tensor[] };

type OutputHead = { name: string; datatype: Datatype; shape: number[]; parameters?: { binary_data_size?: number }; data?: unknown[] };

/** An FP32 tensor from numbers. */
export function fp32(name: string, shape: number[], values: Float32Array): Tensor {
  return { name, datatype: 'FP32', shape, data: new Uint8Array(values.buffer as ArrayBuffer, values.byteOffset, values.byteLength) };
}

/** An INT64 tensor from numbers. */
export function int64(name: string, shape: number[], values: bigint[]): Tensor {
  const view = BigInt64Array.from(values);
  return { name, datatype: 'INT64', shape, data: new Uint8Array(view.buffer) };
}

/** A tensor's values as plain numbers (FP32, FP64, INT64 and INT32 are enough here). */
export function valuesOf(tensor: Tensor): number[] {
  const bytes = tensor.data.slice();
  switch (tensor.datatype) {
    case 'FP32':
      return Array.from(new Float32Array(bytes.buffer));
    case 'FP64':
      return Array.from(new Float64Array(bytes.buffer));
    case 'INT64':
      return Array.from(new BigInt64Array(bytes.buffer), Number);
    case 'INT32':
      return Array.from(new Int32Array(bytes.buffer));
    default:
      throw new Error(`valuesOf does not read ${tensor.datatype}`);
  }
}

/** The body and headers of an infer request. */
export function inferRequest(inputs: Tensor[], options: InferOptions): { body: Uint8Array; headers: Record<string, string> } {
  const header = {
    inputs: inputs.map((t) =>
      options.binaryInputs
        ? { name: t.name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: t.data.byteLength } }
        : { name: t.name, datatype: t.datatype, shape: t.shape, data: valuesOf(t) },
    ),
    ...(options.outputs === undefined ? {} : { outputs: options.outputs.map((name) => ({ name, parameters: { binary_data: options.binaryOutputs } })) }),
    parameters: { binary_data_output: options.binaryOutputs },
  };
  const json = Buffer.from(JSON.stringify(header));
  const headers: Record<string, string> = { 'Content-Type': options.binaryInputs ? 'application/octet-stream' : 'application/json' };
  if (options.key !== undefined) headers.Authorization = `Bearer ${options.key}`;
  if (!options.binaryInputs) return { body: json, headers };
  headers['Inference-Header-Content-Length'] = String(json.byteLength);
  return { body: Buffer.concat([json, ...inputs.map((t) => t.data)]), headers };
}

/** Reads an infer response (JSON, or JSON header plus binary outputs) into Tensors. */
export function parseInferResponse(status: number, headers: Headers, body: Uint8Array): InferReply {
  const headerLength = headers.get('inference-header-content-length');
  const jsonEnd = headerLength === null ? body.byteLength : Number(headerLength);
  const json = JSON.parse(Buffer.from(body.subarray(0, jsonEnd)).toString('utf8')) as Record<string, unknown>;
  const outputs: Tensor[] = [];
  let offset = jsonEnd;
  for (const head of (json.outputs as OutputHead[] | undefined) ?? []) {
    const size = head.parameters?.binary_data_size;
    if (size !== undefined) {
      outputs.push({ name: head.name, datatype: head.datatype, shape: head.shape, data: body.slice(offset, offset + size) });
      offset += size;
      continue;
    }
    const data = head.data!;
    const packed =
      head.datatype === 'FP32' ? new Float32Array(data as number[]) : head.datatype === 'INT64' ? BigInt64Array.from(data as number[], (v) => BigInt(v)) : new Float64Array(data as number[]);
    outputs.push({ name: head.name, datatype: head.datatype, shape: head.shape, data: new Uint8Array(packed.buffer) });
  }
  return { status, headers, json, outputs };
}

/** POSTs an infer request and reads the answer. */
export async function infer(baseUrl: string, model: string, inputs: Tensor[], options: InferOptions): Promise<InferReply> {
  const { body, headers } = inferRequest(inputs, options);
  const response = await fetch(`${baseUrl}/v2/models/${model}/infer`, { method: 'POST', headers, body });
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 200) return { status: response.status, headers: response.headers, json: JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>, outputs: [] };
  return parseInferResponse(response.status, response.headers, bytes);
}
