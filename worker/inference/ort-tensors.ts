/**
 * Conversion between OIP tensors and onnxruntime tensors, without copying numeric data either way
 * (an input is copied only when its bytes are misaligned for its element type).
 */
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { type Tensor, decodeBytesElements, encodeBytesElements, numericView } from '../../common/tensor.js';
import { datatypeOfOrtType, ortTypeOf } from './datatypes.js';
import { WorkerFailure } from './worker-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** An onnxruntime tensor over a validated OIP tensor's data. */
export function toOrtTensor(tensor: Tensor): OrtTensor {
  if (tensor.datatype === 'BYTES') {
    const elements = decodeBytesElements(tensor.data);
    if (elements === null) throw new WorkerFailure('input_invalid', `Input '${tensor.name}' has broken BYTES framing.`);
    return new OrtTensor('string', elements.map((e) => utf8.decode(e)), tensor.shape);
  }
  const data = numericView(tensor.datatype, tensor.data);
  return new OrtTensor(ortTypeOf(tensor.datatype), data as OrtTensor.DataType, tensor.shape);
}

/** The OIP tensor for an onnxruntime output; its data is a view of onnxruntime's buffer. */
export function fromOrtTensor(name: string, tensor: OrtTensor): Tensor {
  const datatype = datatypeOfOrtType(tensor.type);
  if (datatype === null) throw new WorkerFailure('internal', `Output '${name}' is ${tensor.type}, which OIP tensors cannot carry.`);
  const shape = [...tensor.dims];
  if (datatype === 'BYTES') {
    const framed = encodeBytesElements((tensor.data as string[]).map((s) => encoder.encode(s)));
    return { name, datatype, shape, data: new Uint8Array(framed.buffer as ArrayBuffer, framed.byteOffset, framed.byteLength) };
  }
  const view = tensor.data as ArrayBufferView;
  // onnxruntime-node hands outputs over in plain (never shared) ArrayBuffers.
  return { name, datatype, shape, data: new Uint8Array(view.buffer as ArrayBuffer, view.byteOffset, view.byteLength) };
}
