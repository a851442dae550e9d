/**
 * Model admission (SECURITY.md 12): before onnxruntime sees a byte, the model must be the one the job
 * declared (sha256), fit the size limit, not be an ORT-format file, and pass a protobuf pre-parse that
 * enforces operator domains, opset range, node count and subgraph nesting, and refuses external data
 * and sparse tensors. The admitted bytes are then handed to onnxruntime from memory, never by path.
 */
import { createHash } from 'node:crypto';
import type { WorkerLimits } from '../../common/worker-protocol.js';
import { AdmissionError, ModelRejection, formatBytes, shortHash } from './admission-error.js';
import { type ModelValueInfo } from './onnx-value-info.js';
import { walkModel } from './onnx-walk.js';
import { checkOperators } from './operator-rules.js';
import { WireFormatError } from './protobuf-wire.js';

export type { ModelDim, ModelValueInfo, ValueKind } from './onnx-value-info.js';

/** What admission learned about a model it let through. */
export interface AdmittedModel {
  sha256: string;
  bytes: number;
  irVersion: number;
  /** The ONNX (ai.onnx) opset the model imports. */
  opsetVersion: number;
  /** Operator sets by domain ('' for ai.onnx), as the model imports them. */
  opsets: Record<string, number>;
  /** Nodes after inlining model-local functions, subgraphs included. */
  nodeCount: number;
  /** Deepest subgraph nesting (0: no subgraphs). */
  maxDepth: number;
  functionCount: number;
  /** Graph inputs a job must supply (initializer-backed inputs left out), in model order. */
  inputs: ModelValueInfo[];
  outputs: ModelValueInfo[];
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const ORT_FORMAT_ID = [0x4f, 0x52, 0x54, 0x4d]; // "ORTM" at byte 4: onnxruntime's own flatbuffer format

/** The lowercase hex sha256 of some bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Checks a model against the job's declared hash and the limits; throws AdmissionError when it fails. */
export function admitModel(bytes: Uint8Array, declaredSha256: string, limits: WorkerLimits): AdmittedModel {
  if (!SHA256_HEX.test(declaredSha256)) {
    throw new AdmissionError('model_hash_mismatch', 'The job declares a model hash that is not a sha256 (64 lowercase hex digits); the job is malformed.');
  }
  const subject = `Model ${shortHash(declaredSha256)}`;
  // Size first: hashing a file only to say it is too big wastes seconds.
  if (bytes.byteLength > limits.maxModelBytes) {
    throw new AdmissionError('model_too_large', `${subject} is ${formatBytes(bytes.byteLength)}; the limit is ${formatBytes(limits.maxModelBytes)}.`);
  }
  const actual = sha256Hex(bytes);
  if (actual !== declaredSha256) {
    throw new AdmissionError(
      'model_hash_mismatch',
      `${subject} does not match its hash: the bytes hash to ${shortHash(actual)}. The download is corrupt or the model was swapped; fetch it again.`,
    );
  }
  if (bytes.byteLength >= 8 && ORT_FORMAT_ID.every((b, i) => bytes[4 + i] === b)) {
    // onnxruntime picks its flatbuffer loader from these four bytes, which would skip every check here.
    throw new AdmissionError('model_rejected', `${subject} is in onnxruntime's ORT format; only ONNX files are accepted.`);
  }
  try {
    const facts = walkModel(bytes, limits);
    if (!facts.hasGraph) throw new WireFormatError('it has no graph');
    const summary = checkOperators(facts, limits);
    return {
      sha256: actual,
      bytes: bytes.byteLength,
      irVersion: facts.irVersion,
      opsetVersion: summary.opsetVersion,
      opsets: Object.fromEntries(facts.opsets.map((o) => [o.domain, o.version])),
      nodeCount: summary.nodeCount,
      maxDepth: summary.maxDepth,
      functionCount: facts.functions.length,
      inputs: facts.inputs,
      outputs: facts.outputs,
    };
  } catch (err) {
    if (err instanceof WireFormatError) throw new AdmissionError('model_invalid', `${subject} is not a valid ONNX file (${err.message}).`);
    if (err instanceof ModelRejection) throw new AdmissionError('model_rejected', `${subject} ${err.message}.`);
    // Anything else is a bug here, but a model must still never get past admission because of it.
    throw new AdmissionError('model_invalid', `${subject} could not be checked (${err instanceof Error ? err.name : 'error'}).`);
  }
}
