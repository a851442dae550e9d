/**
 * Tries one execution provider for real: a session on the probe model with that provider alone, one
 * run, and a check of the answer. Runs wherever onnxruntime is loaded (the engine thread, or `hearth
 * gpu`); session creation is synchronous native code, so a timeout has to come from another thread.
 */
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import type { ExecutionProviderName, ProviderProbe } from '../../common/worker-protocol.js';
import { sessionOptionsFor } from '../engine/session-options.js';
import { messageOf } from '../inference/worker-error.js';
import { PROBE_EXPECTED, PROBE_INPUT, buildProbeModel } from './tiny-model.js';

const MAX_REASON = 1000;

/** onnxruntime's message, without its source-location preamble, on one line. */
export function probeReason(thrown: unknown): string {
  let message = messageOf(thrown);
  // Assertion failures read "<file>:<line> <function> <condition> was false. <what happened>".
  const assertion = / was false\.\s*([\s\S]+)$/.exec(message);
  if (assertion && /^\/\S+:\d+ /.test(message)) message = assertion[1]!;
  message = message.replace(/\s+/g, ' ').trim() || 'unknown error';
  return message.length > MAX_REASON ? `${message.slice(0, MAX_REASON - 1)}…` : message;
}

let probeModel: Uint8Array | null = null;

/** Whether `provider` can create a session and compute the probe model correctly, and why not. */
export async function tryProvider(provider: ExecutionProviderName, intraOpNumThreads: number): Promise<ProviderProbe> {
  probeModel ??= buildProbeModel();
  let session: InferenceSession | null = null;
  try {
    session = await InferenceSession.create(probeModel, sessionOptionsFor(provider, intraOpNumThreads));
    const outputs = await session.run({ x: new OrtTensor('float32', PROBE_INPUT.slice(), [1, 4]) });
    const y = outputs['y']?.data;
    const right = y instanceof Float32Array && y.length === PROBE_EXPECTED.length && y.every((v, i) => v === PROBE_EXPECTED[i]);
    return right
      ? { name: provider, available: true, reason: null }
      : { name: provider, available: false, reason: 'created a session but computed a wrong answer for x + x' };
  } catch (thrown) {
    return { name: provider, available: false, reason: probeReason(thrown) };
  } finally {
    await session?.release();
  }
}
