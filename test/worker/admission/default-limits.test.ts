import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { WorkerLimits } from '../../../common/worker-protocol.js';
import { DEFAULT_WORKER_LIMITS } from '../../../worker/admission/default-limits.js';
import { admitModel, sha256Hex } from '../../../worker/admission/model-admission.js';
import { REAL_MODELS, buildIdentity, readRealModel } from '../../helpers/onnx-models.js';

const load = (bytes: Uint8Array) => ort.InferenceSession.create(bytes, { logSeverityLevel: 4 });

describe('DEFAULT_WORKER_LIMITS', () => {
  it('passes the worker protocol schema', () => {
    expect(WorkerLimits.parse(DEFAULT_WORKER_LIMITS)).toEqual(DEFAULT_WORKER_LIMITS);
  });

  it('admits every real model from npm', () => {
    for (const name of Object.keys(REAL_MODELS) as (keyof typeof REAL_MODELS)[]) {
      const bytes = readRealModel(name);
      expect(admitModel(bytes, sha256Hex(bytes), DEFAULT_WORKER_LIMITS).sha256).toBe(sha256Hex(bytes));
    }
  });

  it('stops at the newest opset this onnxruntime loads, so an upgrade that moves it shows up here', async () => {
    const { minOpset, maxOpset } = DEFAULT_WORKER_LIMITS;
    await expect(load(buildIdentity('FP32', { opset: maxOpset }))).resolves.toBeDefined();
    await expect(load(buildIdentity('FP32', { opset: maxOpset + 1 }))).rejects.toThrow(/opset|version/i);
    await expect(load(buildIdentity('FP32', { opset: minOpset }))).resolves.toBeDefined();
  });

  it('keeps the protobuf ceiling and the input caps in proportion', () => {
    const l = DEFAULT_WORKER_LIMITS;
    expect(l.maxModelBytes).toBeLessThan(2 ** 31); // protobuf cannot parse a message of 2 GiB or more
    expect(l.maxInputElements * 4).toBeLessThanOrEqual(l.maxInputBytes); // a full FP32 input fits the byte cap
    expect(l.allowedOpDomains).toContain('');
    expect(l.allowedOpDomains).toContain('ai.onnx');
  });
});
