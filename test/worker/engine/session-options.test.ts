/**
 * Session options come from the local allowlist only (SECURITY.md 13): the built object has exactly the
 * allowlisted keys, and nothing a job sends can reach it — RunParams has no field for it and drops
 * unknown ones.
 */
import { describe, expect, it } from 'vitest';
import { RunParams, WorkerConfig, workerMethods } from '../../../common/worker-protocol.js';
import { SESSION_OPTION_KEYS, sessionOptionsFor } from '../../../worker/engine/session-options.js';
import { tensor, testConfig } from './worker-fixtures.js';

describe('session options', () => {
  it('has exactly the allowlisted keys and values', () => {
    const options = sessionOptionsFor('cuda', 6);
    expect(Object.keys(options).sort()).toEqual([...SESSION_OPTION_KEYS].sort());
    expect(options).toEqual({
      executionProviders: ['cuda'],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: 6,
      interOpNumThreads: 1,
      enableCpuMemArena: true,
      logSeverityLevel: 3,
    });
    for (const key of ['optimizedModelFilePath', 'enableProfiling', 'profileFilePrefix', 'extra', 'externalData', 'freeDimensionOverrides']) {
      expect(options).not.toHaveProperty(key);
    }
  });

  it('cannot be set by a job: RunParams has no such field and strips unknown ones', () => {
    expect(Object.keys(RunParams.shape).sort()).toEqual(['inputs', 'jobId', 'model', 'outputs']);
    const hostile = RunParams.parse({
      jobId: 'j',
      model: { sha256: 'a'.repeat(64), sessionOptions: { optimizedModelFilePath: '/tmp/x.onnx' } },
      inputs: [tensor('x', 'FP32', [1], Float32Array.of(1))],
      sessionOptions: { enableProfiling: true, profileFilePrefix: '/tmp/p', extra: { session: { foo: '1' } } },
      executionProviders: ['cuda'],
    });
    expect(JSON.stringify(Object.keys(hostile))).not.toMatch(/session|executionProviders/);
    expect(Object.keys(hostile.model)).toEqual(['sha256']);
    expect(Object.keys(workerMethods.warm.params.parse({ sha256: 'a'.repeat(64), sessionOptions: {} }))).toEqual(['sha256']);
  });

  it('takes its thread count from the worker config, which the supervisor writes', () => {
    const config = WorkerConfig.parse(testConfig('/models', { intraOpNumThreads: 2 }));
    expect(sessionOptionsFor('cpu', config.intraOpNumThreads).intraOpNumThreads).toBe(2);
  });
});
