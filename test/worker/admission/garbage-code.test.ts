import { describe, expect, it } from 'vitest';
import { AdmissionError } from '../../../worker/admission/admission-error.js';
import { DEFAULT_WORKER_LIMITS } from '../../../worker/admission/default-limits.js';
import { admitModel, sha256Hex } from '../../../worker/admission/model-admission.js';
import { garbage } from '../../helpers/onnx-models.js';

describe('admission of random bytes', () => {
  it('calls every one of 200 random files invalid, never "rejected" for an unknown field', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const bytes = garbage(4096, seed);
      let code: string | null = null;
      try {
        admitModel(bytes, sha256Hex(bytes), DEFAULT_WORKER_LIMITS);
      } catch (err) {
        code = err instanceof AdmissionError ? err.code : 'other';
      }
      expect(code, `seed ${seed}`).toBe('model_invalid');
    }
  });
});
