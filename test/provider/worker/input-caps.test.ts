import { describe, expect, it } from 'vitest';
import { encodeBytesElements } from '../../../common/tensor.js';
import { MAX_WORKER_MESSAGE_BYTES } from '../../../common/worker-protocol.js';
import { inputCapsProblem } from '../../../provider/worker/input-caps.js';
import { testConfig } from './supervisor-fixtures.js';

const limits = { ...testConfig().limits, maxInputBytes: 1000, maxInputElements: 100 };
const fp32 = (name: string, shape: number[], bytes = shape.reduce((a, b) => a * b, 1) * 4) => ({ name, datatype: 'FP32' as const, shape, data: new Uint8Array(bytes) });

describe('inputCapsProblem', () => {
  it('accepts inputs within the limits, counted over all inputs', () => {
    expect(inputCapsProblem([fp32('a', [50]), fp32('b', [5, 10])], limits)).toBeNull();
    expect(inputCapsProblem([], limits)).toBeNull();
  });

  it('refuses too many elements in total, including shapes that overflow', () => {
    expect(inputCapsProblem([fp32('a', [60]), fp32('b', [41])], limits)).toMatchObject({ code: 'input_too_large', message: expect.stringContaining('101 elements; the limit is 100') });
    expect(inputCapsProblem([fp32('a', [2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1], 4)], limits)).toMatchObject({ code: 'input_too_large', message: expect.stringContaining('more than 2^53') });
  });

  it('refuses too many bytes in total, BYTES tensors included', () => {
    const text = { name: 's', datatype: 'BYTES' as const, shape: [1], data: encodeBytesElements([new Uint8Array(1200)]).slice() };
    expect(inputCapsProblem([text], limits)).toMatchObject({ code: 'input_too_large' });
    expect(inputCapsProblem([fp32('a', [60]), fp32('b', [40], 800)], limits)).toMatchObject({ code: 'input_too_large' });
  });

  it("keeps to the worker channel's message cap even when the settings allow more", () => {
    const big = { ...limits, maxInputBytes: 2 ** 40, maxInputElements: 2 ** 40 };
    const input = { name: 'x', datatype: 'UINT8' as const, shape: [MAX_WORKER_MESSAGE_BYTES + 1], data: { byteLength: MAX_WORKER_MESSAGE_BYTES + 1 } as Uint8Array<ArrayBuffer> };
    expect(inputCapsProblem([input], big)).toMatchObject({ code: 'input_too_large' });
  });

  it('refuses data that does not match the shape', () => {
    expect(inputCapsProblem([fp32('a', [4], 12)], limits)).toMatchObject({ code: 'input_invalid', message: expect.stringContaining('needs 16 bytes') });
  });
});
