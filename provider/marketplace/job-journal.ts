/**
 * What the marketplace client needs from the rest of the provider, as interfaces: a journal that
 * persists each job's life (the ledger implements it), the source of receipt sequence numbers, and the
 * runner that hands a job to a worker. Each journal write completes before the message it records is
 * sent, so nothing is announced to the coordinator that a crash could forget. Two records may be held
 * back to share a later commit, as nothing is sent on their strength: an offer (until the job's next
 * record) and an ack's credit (the coordinator sends its ack again when the job is resumed).
 */
import type { JobSpec, Receipt, RejectReason } from '../../common/marketplace-protocol.js';
import type { RunParams, RunResult, WorkerErrorCode } from '../../common/worker-protocol.js';
import type { WorkerCallResult } from '../worker/pending-calls.js';
import type { z } from 'zod';

/** How a job that will not produce a credited result ended. */
export type JournalFailure =
  /** Refused before `job.accept` (after its signature checked out). */
  | { stage: 'rejected'; reason: z.infer<typeof RejectReason>; message: string }
  /** Accepted, then failed; `job.fail` carried this. */
  | { stage: 'failed'; code: WorkerErrorCode; retryable: boolean; message: string }
  /** The coordinator sent `job.cancel`; no result is sent. */
  | { stage: 'cancelled'; message: string }
  /** Found unfinished at start: the process that held it is gone, and so are its tensors. */
  | { stage: 'lost'; message: string };

/** The coordinator's countersignature of a receipt, as verified. */
export type JournalAck = { seq: number; credited: bigint; signature: string };

/**
 * A job the journal holds that has neither failed nor been acknowledged. A `resulted` one carries its
 * signed receipt, so a restarted provider can still take the coordinator's ack for it.
 */
export type UnfinishedJob =
  | { jobId: string; state: 'offered' | 'accepted' }
  | { jobId: string; state: 'resulted'; job: JobSpec; receipt: Receipt; signature: string };

/** Where the client persists each job's life; the provider's ledger implements it. */
export interface JobJournal {
  /** A signed offer that passed its signature check; it may be stored only with the job's next record. */
  recordOffered(job: JobSpec, signature: string, atMs: number): void | Promise<void>;
  /** Stores an offer `recordOffered` may have held back, now (its model is slow to arrive: the Jobs page should show it). */
  commitOffered?(jobId: string): void | Promise<void>;
  /** Recorded before `job.accept` is sent. */
  recordAccepted(jobId: string, atMs: number): void | Promise<void>;
  /** The signed receipt, recorded before `job.result` is sent. */
  recordResult(jobId: string, receipt: Receipt, signature: string, atMs: number): void | Promise<void>;
  recordFailed(jobId: string, failure: JournalFailure, atMs: number): void | Promise<void>;
  /** The coordinator's verified countersignature and what it credited; settles once stored (it may wait for a shared commit). */
  recordAck(jobId: string, ack: JournalAck, atMs: number): void | Promise<void>;
  /** Jobs offered, accepted or resulted but neither failed nor acknowledged. */
  unfinishedJobs(): UnfinishedJob[] | Promise<UnfinishedJob[]>;
}

/** Hands out receipt sequence numbers: unique and increasing per node key (the ledger's receipts table). */
export interface SeqSource {
  next(): number | Promise<number>;
  /** Told the coordinator's last acknowledged seq at each welcome, so the next one is above it. */
  advancePast?(lastSeq: number): void | Promise<void>;
}

/** Runs one job on a worker by its deadline (the provider wires it to WorkerPool). */
export interface JobRunner {
  run(params: RunParams, deadlineMs: number): Promise<WorkerCallResult<RunResult>>;
}
