// The marketplace bench's client must send what the coordinator accepts: its prebuilt requests, binary
// and JSON, parse with the coordinator's own parser into the very tensors the bench meant to send.
import { describe, expect, it } from 'vitest';
import { inferCall } from '../../bench/marketplace/oip-client.js';
import { benchCases } from '../../bench/cases.js';
import { tensorsAt } from '../../bench/inputs.js';
import { parseInferRequest } from '../../marketplace/oip/infer-request.js';

const root = new URL('../../', import.meta.url).pathname;

describe('the bench OIP client', () => {
  for (const id of ['silero-vad', 'ocr-rec']) {
    for (const encoding of ['binary', 'json'] as const) {
      it(`sends ${id} inputs as ${encoding} that the coordinator parses back unchanged`, () => {
        const inputs = tensorsAt(benchCases(root).find((c) => c.id === id)!.inputs, 1);
        const call = inferCall('model', inputs, encoding, 'key-123');
        expect(call.headers.Authorization).toBe('Bearer key-123');
        expect(call.headers['Content-Length']).toBe(String(call.body.byteLength));
        const parsed = parseInferRequest(call.body, call.headers['Inference-Header-Content-Length']);
        if (!parsed.ok) throw new Error(parsed.message);
        expect(parsed.request.inputs.map((t) => [t.name, t.datatype, t.shape])).toEqual(inputs.map((t) => [t.name, t.datatype, t.shape]));
        parsed.request.inputs.forEach((t, i) => expect(Buffer.from(t.data).equals(Buffer.from(inputs[i]!.data))).toBe(true));
        // Binary requests ask for binary outputs; JSON requests get JSON back.
        expect(parsed.request.binaryOutput('output')).toBe(encoding === 'binary');
      });
    }
  }

  it('leaves the Authorization header out for the baseline server', () => {
    const inputs = tensorsAt(benchCases(root).find((c) => c.id === 'silero-vad')!.inputs, 1);
    expect(inferCall('silero-vad', inputs, 'binary', null).headers.Authorization).toBeUndefined();
  });
});
