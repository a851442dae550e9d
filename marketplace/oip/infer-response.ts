/**
 * Encodes an infer response. Outputs asked for as binary carry `parameters.binary_data_size` and their
 * bytes follow the JSON header (whose length goes in Inference-Header-Content-Length); the others carry
 * a JSON `data` array. With no binary output the response is plain JSON.
 */
import type { Tensor } from '../../common/tensor.js';
import { jsonDataText } from './json-tensor.js';

/** The response to write: headers and the body's chunks (tensor bytes are not copied). */
export type EncodedInferResponse = { headers: Record<string, string>; chunks: Uint8Array[] };

export type InferResponseFields = {
  modelName: string;
  id?: string;
  outputs: readonly Tensor[];
  binaryOutput: (name: string) => boolean;
  parameters?: Record<string, string | number | boolean>;
};

/** The encoded response, or why an output cannot be sent as JSON. */
export function encodeInferResponse(fields: InferResponseFields): EncodedInferResponse | { problem: string } {
  const binary: Uint8Array[] = [];
  const outputTexts: string[] = [];
  for (const output of fields.outputs) {
    const head = { name: output.name, datatype: output.datatype, shape: output.shape };
    if (fields.binaryOutput(output.name)) {
      outputTexts.push(JSON.stringify({ ...head, parameters: { binary_data_size: output.data.byteLength } }));
      binary.push(output.data);
      continue;
    }
    const data = jsonDataText(output);
    if (data === null) return { problem: `Output '${output.name}' holds bytes that are not UTF-8 text; ask for it with parameters.binary_data: true.` };
    outputTexts.push(`${JSON.stringify(head).slice(0, -1)},"data":${data}}`);
  }
  const top = JSON.stringify({
    model_name: fields.modelName,
    model_version: '1',
    ...(fields.id === undefined ? {} : { id: fields.id }),
    ...(fields.parameters === undefined ? {} : { parameters: fields.parameters }),
  });
  const header = Buffer.from(`${top.slice(0, -1)},"outputs":[${outputTexts.join(',')}]}`, 'utf8');
  const length = binary.reduce((sum, b) => sum + b.byteLength, header.byteLength);
  if (binary.length === 0) return { headers: { 'Content-Type': 'application/json', 'Content-Length': String(length) }, chunks: [header] };
  return {
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(length), 'Inference-Header-Content-Length': String(header.byteLength) },
    chunks: [header, ...binary],
  };
}
