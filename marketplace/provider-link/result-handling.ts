/**
 * A `job.result` on the coordinator. A verified result for a job still assigned is claimed (its
 * deadline can no longer cancel it), its credit decided (`creditFor`, possibly asynchronously), the ack
 * and the credit committed together, and only then is the run settled (the consumer's 200) and the ack
 * sent: a crash at any point never leaves a delivered job uncredited nor sends an ack the store lacks.
 * A validly signed result for a job not given here, or one that ended (deadline, cancel), is
 * acknowledged with `credited: "0"`; a result sent again gets the same ack; anything that does not
 * verify gets `error{code: "receipt_invalid"}` and no ack.
 */
import type { Address, LocalAccount } from 'viem';
import type { Logger } from 'pino';
import type { FromCoordinator, FromProvider, JobSpec, Receipt } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import { signAck } from '../../common/wire/ack-signature.js';
import { receiptDigest } from '../../common/wire/receipt-signature.js';
import type { ProviderOutcome } from '../dispatch/provider-session.js';
import { receiptSignatureProblem, resultVerificationProblem } from './result-verification.js';
import type { Ack, SeqBook } from './seq-book.js';

/**
 * What a verified, on-time result earns in the job's token (the job's price by default). It may take
 * time (comparing outputs with a redundant run's), but it must not wait for this run to settle: the run
 * settles after the credit is committed.
 */
export type CreditDecision = (job: JobSpec, receipt: Receipt, node: Address, outputs: readonly Tensor[]) => bigint | Promise<bigint>;

/** A non-zero credit, committed with its ack. */
export type CreditEvent = { node: Address; jobId: string; token: string; amount: bigint };

export type ResultDeps = {
  chainId: number;
  /** The coordinator key that countersigns receipts. */
  signer: LocalAccount;
  seqBook: SeqBook;
  creditFor: CreditDecision;
  /** Told after a non-zero credit is committed (vouchers, metrics). */
  credited?: (event: CreditEvent) => void;
  logger: Logger;
  now: () => number;
};

export type ResultContext = ResultDeps & {
  node: Address;
  /** The job if it is still assigned here. */
  pending: { job: JobSpec } | undefined;
  /** The job if it ended here without a result. */
  ended: JobSpec | undefined;
  send: (message: FromCoordinator) => boolean;
  /** Takes the job off its timers so nothing else settles it; false when it already ended. */
  claim: () => boolean;
  /** Resolves the job's run; false when it had already ended. */
  finish: (outcome: ProviderOutcome) => boolean;
};

/** Verifies, credits, settles and acknowledges one result. */
export async function handleResult(message: Extract<FromProvider, { type: 'job.result' }>, outputs: Tensor[], ctx: ResultContext): Promise<void> {
  const { receipt, signature, jobId } = message;
  const log = ctx.logger.child({ jobId, provider: ctx.node });
  const previous = ctx.seqBook.ackFor(ctx.node, jobId);
  if (previous !== undefined && previous.seq === receipt.seq) {
    ctx.send(previous);
    return;
  }
  if (previous !== undefined) return refuse(ctx, jobId, `Job ${jobId} was already acknowledged with receipt seq ${previous.seq}.`, false);
  if (receipt.jobId !== jobId) return refuse(ctx, jobId, `The receipt is for job ${receipt.jobId}.`, true);
  if (ctx.pending === undefined) {
    const problem = (await receiptSignatureProblem(ctx.chainId, receipt, signature, ctx.node)) ?? seqProblem(ctx, receipt);
    if (problem !== null) return refuse(ctx, jobId, problem, false);
    log.info({ known: ctx.ended !== undefined }, ctx.ended === undefined ? 'result for a job not given to this provider: not credited' : 'result after its job ended: not credited');
    ctx.send(await acknowledge(ctx, receipt, 0n, ctx.ended?.price.token ?? ''));
    return;
  }
  const job = ctx.pending.job;
  const problem = (await resultVerificationProblem(ctx.chainId, job, ctx.node, { receipt, signature, outputs })) ?? seqProblem(ctx, receipt);
  if (problem !== null) return refuse(ctx, jobId, problem, true);
  if (ctx.now() > job.deadline || !ctx.claim()) {
    log.info('result after its deadline: not credited');
    ctx.send(await acknowledge(ctx, receipt, 0n, job.price.token));
    return;
  }
  let ack: Ack;
  try {
    const credit = await Promise.resolve()
      .then(() => ctx.creditFor(job, receipt, ctx.node, outputs))
      .catch((err: unknown) => {
        log.error({ err }, 'the credit for a result could not be decided: not credited');
        return 0n;
      });
    ack = await acknowledge(ctx, receipt, credit < 0n ? 0n : credit, job.price.token);
  } catch (err) {
    // Nothing was committed, so nothing is acknowledged; the provider sends the result again after a reconnect.
    log.error({ err }, 'a verified result could not be recorded');
    ctx.finish({ ok: false, code: 'internal', retryable: true, message: `The coordinator could not record job ${jobId}'s result.` });
    return;
  }
  ctx.finish({ ok: true, outputs, receipt, signature: signature as `0x${string}` });
  ctx.send(ack);
}

function seqProblem(ctx: ResultContext, receipt: Receipt): string | null {
  return ctx.seqBook.seqTaken(ctx.node, receipt.seq, receipt.jobId) ? `Receipt seq ${receipt.seq} was already used for another job.` : null;
}

function refuse(ctx: ResultContext, jobId: string, problem: string, settle: boolean): void {
  ctx.logger.warn({ jobId, provider: ctx.node, problem }, 'a provider result does not verify');
  ctx.send({ type: 'error', code: 'receipt_invalid', message: `Job ${jobId}: ${problem}`.slice(0, 2000) });
  if (settle) ctx.finish({ ok: false, code: 'invalid_result', retryable: true, message: problem });
}

/** Signs the ack and commits it with its credit; a job another node was already credited for earns 0. */
async function acknowledge(ctx: ResultContext, receipt: Receipt, wanted: bigint, token: string): Promise<Ack> {
  let credited = wanted > 0n && ctx.seqBook.credited(receipt.jobId) ? 0n : wanted;
  for (;;) {
    const fields = { jobId: receipt.jobId, provider: ctx.node, seq: receipt.seq, receiptDigest: receiptDigest(ctx.chainId, receipt), credited };
    const ack: Ack = { type: 'receipt.ack', jobId: receipt.jobId, seq: receipt.seq, credited: credited.toString(), signature: await signAck(ctx.signer, ctx.chainId, fields) };
    if (ctx.seqBook.record(ctx.node, ack, token)) {
      if (credited > 0n) ctx.credited?.({ node: ctx.node, jobId: receipt.jobId, token, amount: credited });
      return ack;
    }
    // Credited for another node between the check and the commit: this result earns nothing.
    credited = 0n;
  }
}
