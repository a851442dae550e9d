/**
 * One accepted-for-consideration job on the provider: journal the offer, get the model (a hash mismatch
 * rejects it), accept, run on a worker by the deadline, then sign a receipt over the outputs actually
 * sent and queue `job.result` — or queue `job.fail`. Each journal write completes before the message
 * it records is queued. The offer may be held back to share the accept's commit (two commits before a
 * result, not three); a model still not ready after OFFER_VISIBLE_AFTER_MS (a download) has its offer
 * stored meanwhile, so the Jobs page shows the job. A cancelled job sends nothing more.
 */
import type { LocalAccount } from 'viem';
import { fingerprintOutputs } from '../../common/fingerprint.js';
import type { Receipt } from '../../common/marketplace-protocol.js';
import { tensorHeads } from '../../common/marketplace-frame.js';
import type { RunResult, WorkerError } from '../../common/worker-protocol.js';
import { outputSha256 } from '../../worker/inference/output-digest.js';
import type { Logger } from '../logger.js';
import { isRetryable } from '../worker/supervisor-types.js';
import type { HeldJob } from './held-job.js';
import type { JobJournal, JobRunner, JournalFailure, SeqSource } from './job-journal.js';
import type { ModelSource } from './model-source.js';
import { fingerprintHash } from '../../common/wire/fingerprint-hash.js';
import { receiptDigest, signReceipt } from '../../common/wire/receipt-signature.js';

export type PipelineDeps = {
  account: LocalAccount;
  chainId: number;
  journal: JobJournal;
  models: ModelSource;
  runner: JobRunner;
  seq: SeqSource;
  logger: Logger;
  now: () => number;
  /** Called after the job's phase or outbox changed: send what can be sent, settle drains. */
  changed: (held: HeldJob) => void;
};

/** How long a model may take (a cached one takes far less) before the job's offer is stored on its own. */
export const OFFER_VISIBLE_AFTER_MS = 50;

/** Carries a held job from its signed offer to a queued result, failure or rejection. */
export async function carryOut(held: HeldJob, deps: PipelineDeps): Promise<void> {
  try {
    await deps.journal.recordOffered(held.job, held.signature, deps.now());
    const model = await whileShowingOffer(held, deps, deps.models.ensure(held.job.model, held.job.deadline));
    if (!model.ok) return await end(held, deps, { stage: 'rejected', reason: model.expired ? 'expired' : 'model_unavailable', message: model.message });
    let result;
    try {
      if (held.cancelled) return await end(held, deps, { stage: 'cancelled', message: 'Cancelled by the coordinator before it ran.' });
      await deps.journal.recordAccepted(held.job.id, deps.now());
      held.phase = 'running';
      held.outbox.push({ message: { type: 'job.accept', jobId: held.job.id }, tensors: [] });
      deps.changed(held);
      const outputs = held.job.outputs !== undefined && held.job.outputs.length > 0 ? held.job.outputs : undefined;
      result = await deps.runner.run({ jobId: held.job.id, model: { sha256: held.job.model.sha256 }, inputs: held.inputs, outputs }, held.job.deadline);
    } finally {
      model.release();
    }
    if (held.cancelled) return await end(held, deps, { stage: 'cancelled', message: 'Cancelled by the coordinator while it ran; its result was dropped.' });
    if (!result.ok) return await end(held, deps, failure(result.error));
    await deliver(held, deps, result.value);
  } catch (err) {
    deps.logger.error({ jobId: held.job.id, err }, 'marketplace job could not be carried out');
    const message = `The node could not record or sign job ${held.job.id}: ${(err as Error).message}`;
    const ending: JournalFailure = held.phase === 'fetching' ? { stage: 'rejected', reason: 'invalid', message } : { stage: 'failed', code: 'internal', retryable: true, message };
    await Promise.resolve()
      .then(() => deps.journal.recordFailed(held.job.id, ending, deps.now()))
      .catch((again: unknown) => deps.logger.error({ jobId: held.job.id, err: again }, 'marketplace job failure could not be recorded'));
    // The coordinator still hears how the job ended, journal or not.
    queueEnding(held, deps, ending);
  }
}

/** Waits for `ready`; if it is slow, the offer is committed meanwhile (its failure is logged: the accept writes it again). */
async function whileShowingOffer<T>(held: HeldJob, deps: PipelineDeps, ready: Promise<T>): Promise<T> {
  const commit = deps.journal.commitOffered?.bind(deps.journal);
  if (commit === undefined) return ready;
  const timer = setTimeout(() => {
    void Promise.resolve()
      .then(() => commit(held.job.id))
      .catch((err: unknown) => deps.logger.warn({ jobId: held.job.id, err }, 'marketplace offer could not be stored while its model is fetched'));
  }, OFFER_VISIBLE_AFTER_MS);
  try {
    return await ready;
  } finally {
    clearTimeout(timer);
  }
}

function failure(error: WorkerError): JournalFailure {
  return { stage: 'failed', code: error.code, retryable: isRetryable(error.code), message: error.message };
}

async function deliver(held: HeldJob, deps: PipelineDeps, run: RunResult): Promise<void> {
  // Hashed here, over the tensors that go out, rather than trusted from the worker.
  const receipt: Receipt = {
    jobId: held.job.id,
    modelSha256: held.job.model.sha256,
    inputSha256: held.job.inputSha256,
    outputSha256: outputSha256(run.outputs),
    fingerprintHash: fingerprintHash(fingerprintOutputs(run.outputs)),
    runMs: run.timings.runMs,
    executionProvider: run.executionProvider,
    deviceId: run.deviceId,
    seq: await deps.seq.next(),
  };
  const signature = await signReceipt(deps.account, deps.chainId, receipt);
  await deps.journal.recordResult(held.job.id, receipt, signature, deps.now());
  const outgoing = { message: { type: 'job.result', jobId: held.job.id, receipt, signature, outputs: tensorHeads(run.outputs) }, tensors: run.outputs } as const;
  held.result = { outgoing, receipt, digest: receiptDigest(deps.chainId, receipt) };
  held.phase = 'resulted';
  held.inputs = [];
  held.outbox.push(outgoing);
  deps.changed(held);
}

async function end(held: HeldJob, deps: PipelineDeps, ending: JournalFailure): Promise<void> {
  await deps.journal.recordFailed(held.job.id, ending, deps.now());
  queueEnding(held, deps, ending);
}

function queueEnding(held: HeldJob, deps: PipelineDeps, ending: JournalFailure): void {
  held.inputs = [];
  held.phase = ending.stage === 'rejected' ? 'rejected' : 'failed';
  // A cancelled or lost job sends nothing more, not even a queued accept.
  if (ending.stage === 'cancelled' || ending.stage === 'lost') held.outbox.length = 0;
  if (ending.stage === 'rejected') {
    held.outbox.push({ message: { type: 'job.reject', jobId: held.job.id, reason: ending.reason, message: ending.message }, tensors: [] });
  }
  if (ending.stage === 'failed') {
    held.outbox.push({ message: { type: 'job.fail', jobId: held.job.id, code: ending.code, retryable: ending.retryable, message: ending.message }, tensors: [] });
  }
  deps.changed(held);
}
