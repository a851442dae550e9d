/**
 * Where the worker path's time goes besides onnxruntime: each per-job step of the supervisor and the
 * worker's control thread, timed alone in this process on one real job's inputs and result. The IPC
 * steps are v8 serialize + deserialize (what Node's advanced serialization does on each side); the
 * pipe's kernel copy, the thread hop and scheduling are not in these figures. Outputs are hashed from
 * aligned copies, as the worker hashes onnxruntime's own (aligned) buffers: a view into a received IPC
 * message is often misaligned, and fingerprinting it would add a copy the worker never makes.
 */
import { deserialize, serialize } from 'node:v8';
import { fingerprintOutputs } from '../common/fingerprint.js';
import type { Tensor } from '../common/tensor.js';
import { FromWorker, RunParams, RunResult, ToWorker } from '../common/worker-protocol.js';
import { detachedCopies } from '../worker/engine/transferables.js';
import { outputSha256 } from '../worker/inference/output-digest.js';
import { median, nowMs } from './stats.js';

/** Milliseconds per job of each step, and the bytes one job moves. */
export type Overhead = {
  inputBytes: number;
  outputBytes: number;
  msPerJob: {
    /** The `call` message: provider → worker (v8 clone). */
    cloneCall: number;
    /** The `reply` message: worker → provider (v8 clone). */
    cloneReply: number;
    /** zod: ToWorker and RunParams in the worker, FromWorker and RunResult in the supervisor. */
    validate: number;
    /** The worker's copy of the inputs into transferable buffers for the engine thread. */
    copyInputs: number;
    outputSha256: number;
    fingerprint: number;
    total: number;
  };
  /** sha256 of outputs per MB (MiB), and a v8 clone of a reply per MB. */
  msPerMb: { sha256: number | null; clone: number | null };
};

/** Median milliseconds of `step`, repeated for about `budgetMs`. */
function timeStep(step: () => void, budgetMs: number): number {
  step();
  const samples: number[] = [];
  const start = nowMs();
  while (samples.length < 5 || (nowMs() - start < budgetMs && samples.length < 2000)) {
    const t = nowMs();
    step();
    samples.push(nowMs() - t);
  }
  return median(samples);
}

const bytesOf = (tensors: readonly Tensor[]) => tensors.reduce((sum, t) => sum + t.data.byteLength, 0);
const MiB = 1024 * 1024;

/** Times each per-job step on `inputs` and the `result` the worker gave for them. */
export function measureOverhead(inputs: Tensor[], result: RunResult, budgetMs: number): Overhead {
  const call = { type: 'call', id: 1, method: 'run', params: { jobId: 'bench-1', model: { sha256: 'a'.repeat(64) }, inputs } } as const;
  const reply = { type: 'reply', id: 1, reply: { ok: true, value: result } } as const;
  const cloneCall = timeStep(() => void deserialize(serialize(call)), budgetMs);
  const cloneReply = timeStep(() => void deserialize(serialize(reply)), budgetMs);
  const validate = timeStep(() => {
    ToWorker.parse(call);
    RunParams.parse(call.params);
    FromWorker.parse(reply);
    RunResult.parse(result);
  }, budgetMs);
  const copyInputs = timeStep(() => void detachedCopies(inputs), budgetMs);
  const outputs = result.outputs.map((t) => ({ ...t, data: t.data.slice() }));
  const sha = timeStep(() => void outputSha256(outputs), budgetMs);
  const fingerprint = timeStep(() => void fingerprintOutputs(outputs), budgetMs);
  const outputBytes = bytesOf(result.outputs);
  const perMb = (ms: number) => (outputBytes >= 64 * 1024 ? (ms * MiB) / outputBytes : null);
  return {
    inputBytes: bytesOf(inputs),
    outputBytes,
    msPerJob: { cloneCall, cloneReply, validate, copyInputs, outputSha256: sha, fingerprint, total: cloneCall + cloneReply + validate + copyInputs + sha + fingerprint },
    msPerMb: { sha256: perMb(sha), clone: perMb(cloneReply) },
  };
}
