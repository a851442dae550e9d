/** What the supervisor tests share: a worker config, run requests, a log that can be read back. */
import pino from 'pino';
import type { RunParams, RunResult, WorkerConfig } from '../../../common/worker-protocol.js';
import type { Logger } from '../../../provider/logger.js';

/** A config with small, readable limits. */
export function testConfig(modelCacheDir = '/nonexistent/models'): WorkerConfig {
  return {
    deviceId: 'cpu',
    executionProviders: ['cpu'],
    modelCacheDir,
    limits: {
      maxModelBytes: 64 * 1024 * 1024,
      maxInputBytes: 1024 * 1024,
      maxInputElements: 100_000,
      maxOutputBytes: 16 * 1024 * 1024,
      allowedOpDomains: ['', 'ai.onnx', 'ai.onnx.ml'],
      minOpset: 7,
      maxOpset: 22,
      maxNodes: 10_000,
      maxSubgraphDepth: 2,
    },
    sessionBudgetBytes: 512 * 1024 * 1024,
    intraOpNumThreads: 1,
    batching: { enabled: false, maxBatch: 1, maxDelayMs: 0 },
  };
}

/** A model hash made from a hex digit: `a` → 64 a's. */
export function sha(letter: string): string {
  return letter.repeat(64);
}

/** A run request for model `model` with one FP32 input of `elements` elements. */
export function runParams(model: string, elements = 4, jobId = `job-${Math.random().toString(36).slice(2)}`): RunParams {
  return { jobId, model: { sha256: model }, inputs: [{ name: 'x', datatype: 'FP32', shape: [elements], data: new Uint8Array(elements * 4) }] };
}

/** A result that passes the protocol's RunResult schema. */
export function runResult(): RunResult {
  return {
    outputs: [{ name: 'y', datatype: 'FP32', shape: [1], data: new Uint8Array(4) }],
    outputSha256: sha('0'),
    fingerprint: [{ name: 'y', count: 1, sum: 0, sumAbs: 0, samples: [0] }],
    timings: { queueMs: 0, loadMs: 0, runMs: 1 },
    executionProvider: 'cpu',
    deviceId: 'cpu',
    batchSize: 1,
  };
}

/** A pino logger whose lines the test can read. */
export function captureLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}
