/** onnxruntime's exceptions mapped to the worker's error codes (messages as onnxruntime 1.30 words them). */
import { describe, expect, it } from 'vitest';
import { classifyOrtError } from '../../../worker/inference/ort-errors.js';
import { WorkerFailure } from '../../../worker/inference/worker-error.js';

describe('classifyOrtError', () => {
  it('calls allocation failures out_of_memory', () => {
    for (const message of [
      'std::bad_alloc',
      '/onnxruntime_src/onnxruntime/core/framework/bfc_arena.cc:376 void* onnxruntime::BFCArena::AllocateRawInternal(size_t, bool, onnxruntime::Stream*, bool, onnxruntime::WaitNotificationFn) Failed to allocate memory for requested buffer of size 1099511627776',
      'CUDA failure 2: out of memory',
    ]) {
      expect(classifyOrtError(new Error(message)).code).toBe('out_of_memory');
    }
  });

  it('calls shape and type complaints about the feeds input_invalid', () => {
    expect(classifyOrtError(new Error('Got invalid dimensions for input: x for the following indices\n index: 1 Got: 5 Expected: 4')).code).toBe('input_invalid');
    expect(classifyOrtError(new Error('Invalid rank for input: x Got: 3 Expected: 2 Please fix either the inputs/outputs or the model.')).code).toBe('input_invalid');
  });

  it('keeps onnxruntime’s message for anything else, as internal', () => {
    expect(classifyOrtError(new Error('Non-zero status code returned while running Loop node.'))).toEqual({
      code: 'internal',
      message: 'onnxruntime: Non-zero status code returned while running Loop node.',
    });
  });

  it('passes a WorkerFailure through and cuts long messages to the protocol limit', () => {
    expect(classifyOrtError(new WorkerFailure('model_missing', 'gone'))).toEqual({ code: 'model_missing', message: 'gone' });
    expect(classifyOrtError(new Error('x'.repeat(5000))).message).toHaveLength(2000);
  });
});
