/**
 * Receipts: what the node key signs for each result. The per-provider sequence number is allocated
 * inside the transaction that stores the receipt, so a number is never handed out twice or skipped by a
 * crash, and a job never gets a second number (the ledger belongs to one node key).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { Hex, JobId, Receipt } from '../../common/marketplace-protocol.js';
import { ExecutionProviderName, Sha256Hex } from '../../common/worker-protocol.js';
import type { JobTransitions } from './job-transitions.js';
import type { JobStore } from './jobs.js';
import { LedgerError } from './ledger-error.js';
import { checkInput, parseRow } from './rows.js';

/** A receipt before the ledger numbers it. */
export type ReceiptDraft = Omit<Receipt, 'seq'>;
const ReceiptDraft = Receipt.omit({ seq: true });

/** A receipt as stored: its signature is set once the result is about to go out. */
export interface StoredReceipt {
  receipt: Receipt;
  signature: string | null;
  createdAt: number;
}

const ReceiptRow = z.object({
  job_id: JobId,
  seq: z.number().int().positive(),
  model_sha256: Sha256Hex,
  input_sha256: Sha256Hex,
  output_sha256: Sha256Hex,
  fingerprint_hash: z.string().regex(/^0x[0-9a-f]{64}$/),
  run_ms: z.number().nonnegative(),
  execution_provider: ExecutionProviderName,
  device_id: z.string().max(200),
  signature: Hex.nullable(),
  created_at: z.number().int(),
});

/** Numbers, stores and signs off receipts. */
export class ReceiptStore {
  private readonly insert;
  private readonly select;
  private readonly selectLastSeq;
  private readonly selectBySeq;
  private readonly setSignature;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly jobs: JobStore,
    private readonly transitions: JobTransitions,
    private readonly now: () => number,
  ) {
    this.insert = db.prepare(
      `INSERT INTO receipts (job_id, seq, model_sha256, input_sha256, output_sha256, fingerprint_hash, run_ms, execution_provider, device_id, created_at)
       VALUES (@jobId, @seq, @modelSha256, @inputSha256, @outputSha256, @fingerprintHash, @runMs, @executionProvider, @deviceId, @at)`,
    );
    this.select = db.prepare('SELECT * FROM receipts WHERE job_id = ?');
    this.selectLastSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) FROM receipts').pluck();
    this.selectBySeq = db.prepare('SELECT job_id FROM receipts WHERE seq = ?').pluck();
    this.setSignature = db.prepare('UPDATE receipts SET signature = ? WHERE job_id = ?');
  }

  /**
   * Numbers and stores the receipt of a running job, returning it with its `seq`: the next one, or `seq`
   * when the caller already signed a receipt with that number (it must not belong to another job).
   * Recording the same receipt again returns the stored one (same seq); a different one for that job is
   * `receipt_conflict`: after a restart, send what `forJob` holds.
   */
  record(draft: ReceiptDraft, seq?: number): Receipt {
    const parsed = checkInput(ReceiptDraft, draft, 'receipt');
    const wanted = seq === undefined ? undefined : checkInput(z.number().int().positive().max(Number.MAX_SAFE_INTEGER), seq, 'receipt seq');
    return this.db.transaction(() => {
      const existing = this.forJob(parsed.jobId);
      if (existing !== null) {
        const { seq: storedSeq, ...stored } = existing.receipt;
        if (JSON.stringify(stored) === JSON.stringify(parsed) && (wanted === undefined || wanted === storedSeq)) return existing.receipt;
        throw new LedgerError('receipt_conflict', `Job ${parsed.jobId} already has receipt #${existing.receipt.seq} with different contents; send that one.`);
      }
      if (wanted !== undefined && this.selectBySeq.get(wanted) !== undefined) {
        throw new LedgerError('receipt_conflict', `Receipt #${wanted} already belongs to another job; number receipts above ${this.lastSeq()}.`);
      }
      const job = this.jobs.get(parsed.jobId);
      if (job === null) throw new LedgerError('job_unknown', `The ledger has no job ${parsed.jobId}.`);
      if (job.state !== 'running') throw new LedgerError('illegal_transition', `Job ${job.id} is ${job.state}; a receipt is recorded only while it runs.`);
      if (parsed.modelSha256 !== job.spec.model.sha256 || parsed.inputSha256 !== job.spec.inputSha256) {
        throw new LedgerError('receipt_mismatch', `The receipt for job ${job.id} names a model or input other than the job's.`);
      }
      const receipt: Receipt = { ...parsed, seq: wanted ?? this.lastSeq() + 1 };
      this.insert.run({ ...receipt, at: this.now() });
      return receipt;
    }).immediate();
  }

  /**
   * running → result_sent, keeping the node key's signature over the receipt. Call it, and let it commit,
   * before sending job.result; a restart then re-sends instead of re-running.
   */
  markSent(jobId: string, signature: string): boolean {
    const checked = checkInput(Hex, signature, 'signature');
    return this.db.transaction(() => {
      const stored = this.forJob(jobId);
      if (stored === null) {
        this.jobs.stateOf(jobId);
        throw new LedgerError('illegal_transition', `Job ${jobId} has no receipt yet; record one before sending its result.`);
      }
      if (stored.signature !== null && stored.signature !== checked) {
        throw new LedgerError('receipt_conflict', `Receipt #${stored.receipt.seq} of job ${jobId} was already signed differently.`);
      }
      const moved = this.transitions.move(jobId, 'result_sent');
      this.setSignature.run(checked, jobId);
      return moved;
    }).immediate();
  }

  /** The receipt stored for a job, or null. */
  forJob(jobId: string): StoredReceipt | null {
    const raw: unknown = this.select.get(jobId);
    if (raw === undefined) return null;
    const row = parseRow(ReceiptRow, raw, 'receipt');
    return {
      receipt: {
        jobId: row.job_id,
        modelSha256: row.model_sha256,
        inputSha256: row.input_sha256,
        outputSha256: row.output_sha256,
        fingerprintHash: row.fingerprint_hash,
        runMs: row.run_ms,
        executionProvider: row.execution_provider,
        deviceId: row.device_id,
        seq: row.seq,
      },
      signature: row.signature,
      createdAt: row.created_at,
    };
  }

  /** The highest sequence number handed out so far (0 before the first receipt). */
  lastSeq(): number {
    return parseRow(z.number().int().nonnegative(), this.selectLastSeq.get(), 'receipt sequence');
  }
}
