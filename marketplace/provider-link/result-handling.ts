/**
 * A `job.result` on the coordinator. A verified result for a job still assigned resolves its run and is
 * acknowledged with the credited amount; a validly signed result for a job not given here, or one that
 * ended (deadline, cancel), is acknowledged with `credited: "0"`; a result sent again gets the same ack;
 * anything that does not verify gets `error{code: "receipt_invalid"}` and no ack.
 */
import type { Address, LocalAccount } from 'viem';
import type { Logger } from 'pino';
import type { FromCoordinator, FromProvider, JobSpec, Receipt } from '../../common/marketplace-protocol.js';
import type { Tensor } from '../../common/tensor.js';
import { signAck } from '../../common/wire/ack-signature.js';
import { receiptDigest } from '../../common/wire/receipt-signature.js';
import type { ProviderOutcome } from '../dispatch/provider-session.js';
import { receiptSignatureProblem, resultVerificationProblem } from './result-verification.js';
import type { SeqBook } from './seq-book.js';

export type ResultDeps = {
  chainId: number;
  /** The coordinator key that countersigns receipts. */
  signer: LocalAccount;
  seqBook: SeqBook;
  /** What a verified, on-time result earns (the job's price by default). */
  creditFor: (job: JobSpec, receipt: Receipt, node: Address) => bigint;
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
  /** Resolves the job's run; false when it had already ended. */
  finish: (outcome: ProviderOutcome) => boolean;
};

/** Verifies, settles and acknowledges one result. */
export async function handleResult(message: Extract<FromProvider, { type: 'job.result' }>, outputs: Tensor[], ctx: ResultContext): Promise<void> {
  const { receipt, signature, jobId } = message;
  const log = ctx.logger.child({ jobId, provider: ctx.node });
  const previous = ctx.seqBook.ackFor(ctx.node, jobId);
  if (previous !== undefined && previous.seq === receipt.seq) {
    ctx.send(previous);
    return;
  }
  if (receipt.jobId !== jobId) return refuse(ctx, jobId, `The receipt is for job ${receipt.jobId}.`, true);
  if (ctx.pending === undefined) {
    const problem = (await receiptSignatureProblem(ctx.chainId, receipt, signature, ctx.node)) ?? seqProblem(ctx, receipt);
    if (problem !== null) return refuse(ctx, jobId, problem, false);
    log.info({ known: ctx.ended !== undefined }, ctx.ended === undefined ? 'result for a job not given to this provider: not credited' : 'result after its job ended: not credited');
    return acknowledge(ctx, receipt, 0n);
  }
  const job = ctx.pending.job;
  const problem = (await resultVerificationProblem(ctx.chainId, job, ctx.node, { receipt, signature, outputs })) ?? seqProblem(ctx, receipt);
  if (problem !== null) return refuse(ctx, jobId, problem, true);
  const onTime = ctx.now() <= job.deadline && ctx.finish({ ok: true, outputs, receipt, signature: signature as `0x${string}` });
  if (!onTime) log.info('result after its deadline: not credited');
  await acknowledge(ctx, receipt, onTime ? ctx.creditFor(job, receipt, ctx.node) : 0n);
}

function seqProblem(ctx: ResultContext, receipt: Receipt): string | null {
  return ctx.seqBook.seqTaken(ctx.node, receipt.seq, receipt.jobId) ? `Receipt seq ${receipt.seq} was already used for another job.` : null;
}

function refuse(ctx: ResultContext, jobId: string, problem: string, settle: boolean): void {
  ctx.logger.warn({ jobId, provider: ctx.node, problem }, 'a provider result does not verify');
  ctx.send({ type: 'error', code: 'receipt_invalid', message: `Job ${jobId}: ${problem}`.slice(0, 2000) });
  if (settle) ctx.finish({ ok: false, code: 'invalid_result', retryable: true, message: problem });
}

async function acknowledge(ctx: ResultContext, receipt: Receipt, credited: bigint): Promise<void> {
  const fields = { jobId: receipt.jobId, provider: ctx.node, seq: receipt.seq, receiptDigest: receiptDigest(ctx.chainId, receipt), credited };
  const ack = { type: 'receipt.ack', jobId: receipt.jobId, seq: receipt.seq, credited: credited.toString(), signature: await signAck(ctx.signer, ctx.chainId, fields) } as const;
  ctx.seqBook.record(ctx.node, ack);
  ctx.send(ack);
}
