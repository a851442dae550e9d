import type { WorkerLimits } from '../../common/worker-protocol.js';

const MiB = 1024 * 1024;

/**
 * Limits a worker starts with unless settings say otherwise. Checked against the real models in
 * node_modules (test/worker/admission): Silero VAD v5 uses opset 16 and nests If subgraphs 4 deep,
 * PP-OCRv4 uses opsets 9 and 11, all have under 800 nodes.
 */
export const DEFAULT_WORKER_LIMITS: WorkerLimits = {
  /** Well above the largest model a consumer GPU serves in one piece; protobuf itself stops at 2 GiB. */
  maxModelBytes: 1024 * MiB,
  maxInputBytes: 64 * MiB,
  maxInputElements: 16 * MiB,
  maxOutputBytes: 256 * MiB,
  /** ONNX itself (both spellings), ONNX-ML, and onnxruntime's contrib ops that exporters emit. */
  allowedOpDomains: ['', 'ai.onnx', 'ai.onnx.ml', 'com.microsoft'],
  /** onnxruntime guarantees opset 7 and later; 26 is the newest onnxruntime 1.30 loads (27 is refused). */
  minOpset: 7,
  maxOpset: 26,
  /** Large vision and language models stay in the low tens of thousands once exported. */
  maxNodes: 100_000,
  /** Silero VAD needs 4; a little headroom for similar control-flow exports, far below any stack risk. */
  maxSubgraphDepth: 6,
};
