/** Input validation against a model's signature, before any onnxruntime tensor exists. */
import { describe, expect, it } from 'vitest';
import { type Tensor, encodeBytesElements } from '../../../common/tensor.js';
import type { ModelSignature } from '../../../worker/inference/model-signature.js';
import { validateRunInputs } from '../../../worker/inference/validate-inputs.js';
import { tensor } from '../engine/worker-fixtures.js';

// Shaped like a two-input model: image [N, 3, H, W] FP32 and mask [N, H, W] BOOL, one output.
const signature: ModelSignature = {
  inputs: [
    { name: 'image', datatype: 'FP32', ortType: 'float32', shape: ['N', 3, 'H', 'W'] },
    { name: 'mask', datatype: 'BOOL', ortType: 'bool', shape: ['N', 'H', 'W'] },
  ],
  outputs: [{ name: 'scores', datatype: 'FP32', ortType: 'float32', shape: ['N', 10] }],
};
const limits = { maxInputBytes: 10_000, maxInputElements: 2_000 };

function image(shape = [1, 3, 4, 4]): Tensor {
  return tensor('image', 'FP32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)));
}
function mask(shape = [1, 4, 4], fill = 1): Tensor {
  return tensor('mask', 'BOOL', shape, new Uint8Array(shape.reduce((a, b) => a * b, 1)).fill(fill));
}
const check = (inputs: Tensor[], outputs?: string[]) => validateRunInputs(inputs, outputs, signature, limits);

describe('validateRunInputs', () => {
  it('accepts inputs that match', () => {
    expect(check([image(), mask()])).toBeNull();
    expect(check([mask(), image()], ['scores'])).toBeNull();
  });

  it('refuses unknown, missing and repeated names', () => {
    expect(check([image(), mask(), tensor('extra', 'FP32', [1], new Float32Array(1))])).toEqual({
      code: 'input_invalid',
      message: "The model has no input 'extra'; its inputs are 'image', 'mask'.",
    });
    expect(check([image()])).toEqual({ code: 'input_invalid', message: "Missing input 'mask'; the model needs 'image', 'mask'." });
    expect(check([image(), image(), mask()])?.code).toBe('input_invalid');
  });

  it('refuses a datatype the model does not take', () => {
    expect(check([tensor('image', 'FP64', [1, 3, 4, 4], new Float64Array(48)), mask()])).toEqual({
      code: 'input_invalid',
      message: "Input 'image' is FP64; the model expects FP32.",
    });
  });

  it('refuses a wrong rank or a wrong fixed dim', () => {
    expect(check([image([1, 3, 16]), mask()])?.message).toBe("Input 'image' has shape [1, 3, 16]; the model expects [N, 3, H, W].");
    expect(check([image([1, 4, 4, 4]), mask()])?.message).toBe("Input 'image' has 4 at dim 1; the model expects [N, 3, H, W].");
  });

  it('holds a symbolic dim to one value across inputs', () => {
    expect(check([image([2, 3, 4, 4]), mask([2, 4, 4])])).toBeNull();
    expect(check([image([1, 3, 4, 4]), mask([1, 4, 5])])?.message).toBe("Input 'mask' has 5 at dim 2 ('W'), which another input set to 4.");
  });

  it('leaves unnamed symbolic dims free', () => {
    const loose: ModelSignature = { inputs: [{ name: 'a', datatype: 'FP32', ortType: 'float32', shape: ['', ''] }], outputs: [] };
    expect(validateRunInputs([tensor('a', 'FP32', [2, 3], new Float32Array(6))], undefined, loose, limits)).toBeNull();
  });

  it('says input_too_large for too many elements or bytes, before looking at the data', () => {
    expect(check([image([1, 3, 40, 40]), mask([1, 40, 40])])?.code).toBe('input_too_large');
    // A shape that claims a huge count with tiny data is refused on the count.
    const liar: Tensor = { name: 'image', datatype: 'FP32', shape: [1, 3, 100000, 100000], data: new Uint8Array(4) };
    expect(check([liar, mask()])).toEqual({ code: 'input_too_large', message: expect.stringContaining('the limit is 2000') });
    const bytes = validateRunInputs([image(), mask()], undefined, signature, { maxInputBytes: 100, maxInputElements: 2000 });
    expect(bytes).toEqual({ code: 'input_too_large', message: 'The inputs are 208 bytes; the limit is 100.' });
  });

  it('says input_invalid when the data does not fit the shape', () => {
    const short: Tensor = { ...image(), data: new Uint8Array(10) };
    expect(check([short, mask()])).toEqual({ code: 'input_invalid', message: "Input image: shape [1,3,4,4] of FP32 needs 192 bytes, data has 10." });
  });

  it('refuses BOOL bytes other than 0 and 1', () => {
    expect(check([image(), mask([1, 4, 4], 2)])?.message).toBe("Input 'mask' is BOOL but holds bytes other than 0 and 1.");
  });

  it('refuses requested outputs the model does not have', () => {
    expect(check([image(), mask()], ['logits'])?.message).toBe("The model has no output 'logits'; its outputs are 'scores'.");
    expect(check([image(), mask()], ['scores', 'scores'])?.code).toBe('input_invalid');
    expect(check([image(), mask()], [])?.code).toBe('input_invalid');
  });

  it('refuses inputs the worker cannot feed', () => {
    const seq: ModelSignature = { inputs: [{ name: 's', datatype: null, ortType: 'non-tensor', shape: null }], outputs: [] };
    expect(validateRunInputs([tensor('s', 'FP32', [1], new Float32Array(1))], undefined, seq, limits)?.message).toBe(
      "Input 's' is non-tensor, which the worker cannot feed.",
    );
  });

  describe('BYTES', () => {
    const text: ModelSignature = { inputs: [{ name: 't', datatype: 'BYTES', ortType: 'string', shape: ['n'] }], outputs: [] };
    const bytes = (elements: Uint8Array[], count = elements.length): Tensor => ({ name: 't', datatype: 'BYTES', shape: [count], data: encodeBytesElements(elements).slice() });
    const run = (t: Tensor) => validateRunInputs([t], undefined, text, limits);

    it('accepts UTF-8 text', () => {
      expect(run(bytes([new TextEncoder().encode('héllo'), new Uint8Array(0)]))).toBeNull();
    });
    it('refuses broken framing, a wrong count, invalid UTF-8 and NUL', () => {
      expect(run({ name: 't', datatype: 'BYTES', shape: [1], data: Uint8Array.of(9, 0, 0, 0, 65) })?.code).toBe('input_invalid');
      expect(run(bytes([Uint8Array.of(65)], 2))?.code).toBe('input_invalid');
      expect(run(bytes([Uint8Array.of(0xff, 0xfe)]))?.message).toContain('not UTF-8');
      expect(run(bytes([Uint8Array.of(65, 0, 66)]))?.message).toContain('NUL');
    });
  });
});
