/**
 * The mapping between Open Inference Protocol datatypes and onnxruntime's tensor types. Every OIP
 * datatype that onnxruntime-node can feed and fetch is here; BYTES travels as ORT `string` tensors.
 */
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import type { Datatype } from '../../common/tensor.js';

const ORT_TYPES: Record<Datatype, OrtTensor.Type> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  INT8: 'int8',
  UINT16: 'uint16',
  INT16: 'int16',
  UINT32: 'uint32',
  INT32: 'int32',
  UINT64: 'uint64',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
};

const DATATYPES = new Map<string, Datatype>(Object.entries(ORT_TYPES).map(([datatype, ort]) => [ort, datatype as Datatype]));

/** The onnxruntime tensor type that carries an OIP datatype. */
export function ortTypeOf(datatype: Datatype): OrtTensor.Type {
  return ORT_TYPES[datatype];
}

/** The OIP datatype for an onnxruntime tensor type, or null when OIP cannot carry it (int4, uint4…). */
export function datatypeOfOrtType(type: string): Datatype | null {
  return DATATYPES.get(type) ?? null;
}
