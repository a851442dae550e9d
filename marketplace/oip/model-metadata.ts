/**
 * What GET /v2/models and GET /v2/models/{name} answer: the OIP model metadata (inputs and outputs with
 * -1 for a dimension the model leaves open), plus the model's sha256 and price per run as parameters.
 */
import type { RegisteredModel } from '../registry/model-registry.js';

type TensorMetadata = { name: string; datatype: string; shape: number[] };

function tensorMetadata(value: RegisteredModel['inputs'][number]): TensorMetadata {
  return {
    name: value.name,
    // OIP has no word for a type it cannot carry; such a model input cannot be fed over OIP at all.
    datatype: value.datatype ?? 'UNSUPPORTED',
    shape: value.dims === null ? [-1] : value.dims.map((d) => (typeof d === 'number' ? d : -1)),
  };
}

/** The OIP model metadata response. */
export function modelMetadata(model: RegisteredModel, token: string): object {
  return {
    name: model.name,
    versions: ['1'],
    platform: 'onnxruntime_onnx',
    inputs: model.inputs.map(tensorMetadata),
    outputs: model.outputs.map(tensorMetadata),
    parameters: { sha256: model.sha256, bytes: model.bytes, price_token: token, price_per_run: model.price },
  };
}

/** One entry of GET /v2/models. */
export function modelListEntry(model: RegisteredModel, token: string): object {
  return { name: model.name, versions: ['1'], platform: 'onnxruntime_onnx', sha256: model.sha256, bytes: model.bytes, price_token: token, price_per_run: model.price };
}
