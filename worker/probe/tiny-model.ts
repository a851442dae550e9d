/**
 * The model every execution provider is probed with: y = x + x over a float32 [1, 4] tensor, encoded
 * in code with onnx-proto so the probe needs no file.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** The probe's input, and the output a working provider must return for it. */
export const PROBE_INPUT = Float32Array.from([1, 2, 3, 4]);
export const PROBE_EXPECTED = Float32Array.from([2, 4, 6, 8]);

/** The encoded probe model (opset 17). */
export function buildProbeModel(): Uint8Array {
  const valueInfo = (name: string) => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'hearth-probe',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'probe',
      node: [{ opType: 'Add', input: ['x', 'x'], output: ['y'] }],
      input: [valueInfo('x')],
      output: [valueInfo('y')],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
