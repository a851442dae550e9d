/**
 * Credits: what the coordinator's `receipt.ack` credited for a job. One per job and one per receipt
 * (both UNIQUE), stored together with the job's move to `credited` in one transaction.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { Amount, Hex, JobId } from '../../common/marketplace-protocol.js';
import { parseAmount, parseSum } from './amounts.js';
import type { JobTransitions } from './job-transitions.js';
import type { JobStore } from './jobs.js';
import { LedgerError } from './ledger-error.js';
import type { ReceiptStore } from './receipts.js';
import { checkInput, parseRow } from './rows.js';

/** The parts of a `receipt.ack` the ledger keeps. */
export const CreditAck = z.object({
  jobId: JobId,
  seq: z.number().int().positive(),
  credited: Amount,
  /** The coordinator's countersignature. */
  signature: Hex,
});
export type CreditAck = z.infer<typeof CreditAck>;

/** A stored credit. */
export interface CreditRecord {
  jobId: string;
  seq: number;
  token: string;
  amount: bigint;
  creditedAt: number;
}

const CreditRow = z.object({
  job_id: JobId,
  seq: z.number().int().positive(),
  token: z.string(),
  amount: Amount,
  signature: Hex,
  credited_at: z.number().int(),
});

/** Records acks and sums what they credited. */
export class CreditStore {
  private readonly insert;
  private readonly select;
  private readonly sumForToken;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly jobs: JobStore,
    private readonly transitions: JobTransitions,
    private readonly receipts: ReceiptStore,
    private readonly now: () => number,
  ) {
    this.insert = db.prepare('INSERT INTO credits (job_id, seq, token, amount, signature, credited_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.select = db.prepare('SELECT * FROM credits WHERE job_id = ?');
    this.sumForToken = db.prepare('SELECT decimal_sum(amount) FROM credits WHERE token = ?').pluck();
  }

  /**
   * Stores an ack's credit and moves the job result_sent → credited, in one transaction. The same ack
   * again is a no-op (returns false); a different amount for a credited job is `credit_conflict`; an ack
   * whose seq is not the job's receipt is `receipt_mismatch`.
   */
  record(ack: CreditAck): boolean {
    const parsed = checkInput(CreditAck, ack, 'receipt ack');
    return this.db.transaction(() => {
      const state = this.jobs.stateOf(parsed.jobId);
      if (state !== 'result_sent' && state !== 'credited') {
        throw new LedgerError('illegal_transition', `Job ${parsed.jobId} is ${state}; only a job whose result was sent can be credited.`);
      }
      const stored = this.receipts.forJob(parsed.jobId);
      if (stored === null || stored.receipt.seq !== parsed.seq) {
        throw new LedgerError('receipt_mismatch', `The ack for job ${parsed.jobId} names receipt #${parsed.seq}, but the ledger holds ${stored === null ? 'none' : `#${stored.receipt.seq}`}.`);
      }
      const existing = this.forJob(parsed.jobId);
      if (existing !== null) {
        if (existing.amount === BigInt(parsed.credited)) return false;
        throw new LedgerError('credit_conflict', `Job ${parsed.jobId} was already credited ${existing.amount}; a second ack says ${parsed.credited}. The first credit stands.`);
      }
      const token = this.jobs.get(parsed.jobId)?.spec.price.token.toLowerCase() ?? '';
      this.insert.run(parsed.jobId, parsed.seq, token, parsed.credited, parsed.signature, this.now());
      this.transitions.move(parsed.jobId, 'credited');
      return true;
    }).immediate();
  }

  /** The credit stored for a job, or null. */
  forJob(jobId: string): CreditRecord | null {
    const raw: unknown = this.select.get(jobId);
    if (raw === undefined) return null;
    const row = parseRow(CreditRow, raw, 'credit');
    return { jobId: row.job_id, seq: row.seq, token: row.token, amount: parseAmount(row.amount), creditedAt: row.credited_at };
  }

  /** The exact sum of every credit in `token` (an address, any case): what a voucher should cover. */
  acceptedCredits(token: string): bigint {
    return parseSum(this.sumForToken.get(token.toLowerCase()));
  }
}
