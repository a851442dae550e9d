import { describe, expect, it } from 'vitest';
import { parseInferRequest } from '../../../marketplace/oip/infer-request.js';

const json = (body: unknown) => Buffer.from(JSON.stringify(body));

describe('parsing OIP infer requests', () => {
  it('takes binary inputs in order from after the JSON header, mixed with JSON ones', () => {
    const header = json({
      id: 'r1',
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 8 } },
        { name: 'b', datatype: 'INT32', shape: [1], data: [7] },
        { name: 'c', datatype: 'UINT8', shape: [3], parameters: { binary_data_size: 3 } },
      ],
    });
    const body = Buffer.concat([header, Buffer.from(Float32Array.of(1, 2).buffer), Buffer.from([9, 8, 7])]);
    const parsed = parseInferRequest(body, String(header.byteLength));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.request.id).toBe('r1');
    expect(parsed.request.inputs.map((t) => [t.name, Array.from(t.data)])).toEqual([
      ['a', [0, 0, 128, 63, 0, 0, 0, 64]],
      ['b', [7, 0, 0, 0]],
      ['c', [9, 8, 7]],
    ]);
  });

  it('decides per output: its own binary_data first, then the request-wide binary_data_output', () => {
    const parsed = parseInferRequest(
      json({
        inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }],
        parameters: { binary_data_output: true },
        outputs: [{ name: 'p', parameters: { binary_data: false } }, { name: 'q' }],
      }),
      undefined,
    );
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.request.outputs).toEqual(['p', 'q']);
    expect([parsed.request.binaryOutput('p'), parsed.request.binaryOutput('q')]).toEqual([false, true]);
    const plain = parseInferRequest(json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }] }), undefined);
    expect(plain.ok && plain.request.binaryOutput('anything')).toBe(false);
  });

  it.each([
    ['a header length past the body', () => parseInferRequest(json({ inputs: [] }), '9999'), /only \d+ bytes/],
    ['a header length that is not a number', () => parseInferRequest(json({ inputs: [] }), '12abc'), /whole number of bytes/],
    ['a body that is not JSON', () => parseInferRequest(Buffer.from('{"inputs":'), undefined), /not JSON/],
    ['no inputs', () => parseInferRequest(json({ inputs: [] }), undefined), /inputs/],
    ['both data and binary_data_size', () => parseInferRequest(json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1], parameters: { binary_data_size: 4 } }] }), undefined), /both data and/],
    ['neither data nor binary_data_size', () => parseInferRequest(json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1] }] }), undefined), /neither data nor/],
    ['binary bytes no input claims', () => {
      const header = json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }] });
      return parseInferRequest(Buffer.concat([header, Buffer.alloc(4)]), String(header.byteLength));
    }, /4 binary bytes that no input/],
    ['binary bytes that do not fit the shape', () => {
      const header = json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 4 } }] });
      return parseInferRequest(Buffer.concat([header, Buffer.alloc(4)]), String(header.byteLength));
    }, /needs 8 bytes, data has 4/],
    ['a binary_data that is not a boolean', () => parseInferRequest(json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }], outputs: [{ name: 'y', parameters: { binary_data: 'yes' } }] }), undefined), /true or false/],
    ['classification', () => parseInferRequest(json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }], outputs: [{ name: 'y', parameters: { classification: 3 } }] }), undefined), /classification/],
    ['a negative dimension', () => parseInferRequest(json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [-1], data: [] }] }), undefined), /inputs\.0\.shape\.0/],
  ])('refuses %s', (_what, parse, message) => {
    const parsed = parse();
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });
});
