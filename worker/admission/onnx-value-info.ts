/**
 * Graph inputs and outputs as admission reports them: name, element type and shape, read from
 * ValueInfoProto / TypeProto without following nested sequence or map types.
 */
import type { Datatype } from '../../common/tensor.js';
import { ModelRejection, formatCount } from './admission-error.js';
import type { FieldReader } from './protobuf-wire.js';

/** One dimension: a size, a symbolic name (`batch`), or null when the model leaves it open. */
export type ModelDim = number | string | null;

/** What kind of value a graph input or output carries; only 'tensor' can come from a job. */
export type ValueKind = 'tensor' | 'sparse_tensor' | 'sequence' | 'map' | 'optional' | 'opaque' | 'unknown';

export interface ModelValueInfo {
  name: string;
  kind: ValueKind;
  /** ONNX TensorProto.DataType number (1 = FLOAT, 7 = INT64, …); 0 when not a tensor or not declared. */
  elemType: number;
  /** The same type as an Open Inference Protocol datatype, or null when OIP has none (BFLOAT16, complex…). */
  datatype: Datatype | null;
  /** Null when the model does not declare a shape (any rank). */
  dims: ModelDim[] | null;
}

/** Highest rank admission records for a graph input or output. */
export const MAX_DECLARED_RANK = 64;

const DATATYPES: Record<number, Datatype> = {
  1: 'FP32',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'BYTES',
  9: 'BOOL',
  10: 'FP16',
  11: 'FP64',
  12: 'UINT32',
  13: 'UINT64',
};

/** The Open Inference Protocol datatype of an ONNX element type, or null when there is none. */
export function datatypeOfElemType(elemType: number): Datatype | null {
  return DATATYPES[elemType] ?? null;
}

/** Reads a ValueInfoProto (name 1, type 2; the rest is ignored). */
export function readValueInfo(r: FieldReader): ModelValueInfo {
  const info: ModelValueInfo = { name: '', kind: 'unknown', elemType: 0, datatype: null, dims: null };
  while (r.next()) {
    if (r.field === 1) info.name = r.string('ValueInfoProto.name');
    else if (r.field === 2) readType(r.message('ValueInfoProto.type'), info);
  }
  info.datatype = info.kind === 'tensor' ? datatypeOfElemType(info.elemType) : null;
  return info;
}

const KINDS: Record<number, ValueKind> = { 4: 'sequence', 5: 'map', 7: 'opaque', 9: 'optional' };

function readType(r: FieldReader, info: ModelValueInfo): void {
  while (r.next()) {
    if (r.field === 1 || r.field === 8) {
      // tensor_type and sparse_tensor_type share their layout: elem_type 1, shape 2.
      info.kind = r.field === 1 ? 'tensor' : 'sparse_tensor';
      readTensorType(r.message('TypeProto.tensor_type'), info);
    } else {
      const kind = KINDS[r.field];
      if (kind !== undefined) {
        info.kind = kind;
        info.elemType = 0;
        info.dims = null;
      }
    }
  }
}

function readTensorType(r: FieldReader, info: ModelValueInfo): void {
  while (r.next()) {
    if (r.field === 1) info.elemType = r.varintValue('TypeProto.Tensor.elem_type');
    else if (r.field === 2) info.dims = readShape(r.message('TensorShapeProto'), info.name, info.dims ?? []);
  }
}

function readShape(r: FieldReader, name: string, dims: ModelDim[]): ModelDim[] {
  while (r.next()) {
    if (r.field !== 1) continue;
    if (dims.length >= MAX_DECLARED_RANK) {
      throw new ModelRejection(`declares graph value ${JSON.stringify(name.slice(0, 80))} with more than ${formatCount(MAX_DECLARED_RANK)} dimensions`);
    }
    dims.push(readDimension(r.message('TensorShapeProto.dim')));
  }
  return dims;
}

function readDimension(r: FieldReader): ModelDim {
  let dim: ModelDim = null;
  while (r.next()) {
    if (r.field === 1) {
      const value = r.varintValue('Dimension.dim_value');
      // Negative int64 values arrive as huge unsigned varints: not a usable size either way.
      dim = Number.isSafeInteger(value) ? value : null;
    } else if (r.field === 2) {
      const param = r.string('Dimension.dim_param');
      dim = param === '' ? null : param;
    }
  }
  return dim;
}
