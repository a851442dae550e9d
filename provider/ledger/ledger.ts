/**
 * The provider's ledger: every job, receipt, credit and voucher, in one SQLite file in the data folder.
 * Every method that changes something commits before it returns, so whatever the provider acknowledges
 * or sends after a call is already on disk (SECURITY.md 16). Calls are synchronous (better-sqlite3); a
 * commit costs one fsync.
 */
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { ClaimStore } from './claims.js';
import { CreditStore } from './credits.js';
import { type OpenOptions, openLedgerDatabase } from './database.js';
import { EarningsQueries } from './earnings-queries.js';
import { EnergyNetQueries } from './energy-net-queries.js';
import { EnergyStore } from './energy-store.js';
import { JobHistory } from './job-history.js';
import { JobTransitions } from './job-transitions.js';
import { type JobRecord, JobStore } from './jobs.js';
import type { StoredReceipt } from './receipts.js';
import { ReceiptStore } from './receipts.js';
import { TelemetryHistory } from './telemetry-history.js';
import { VoucherStore } from './vouchers.js';

/** The ledger's file name inside the data folder. */
export const LEDGER_FILE = 'ledger.sqlite';

/** A job to pick up again after a restart, with its receipt when it got that far. */
export interface UnfinishedJob {
  job: JobRecord;
  receipt: StoredReceipt | null;
}

/** The ledger: open once per process, close on shutdown. */
export class Ledger {
  /** Jobs and their state machine. */
  readonly jobs: JobStore;
  /** Receipts and the receipt sequence. */
  readonly receipts: ReceiptStore;
  /** Credits from receipt acks. */
  readonly credits: CreditStore;
  /** The latest cumulative voucher per token. */
  readonly vouchers: VoucherStore;
  /** Earnings by period, model and device. */
  readonly earnings: EarningsQueries;
  /** Job history pages. */
  readonly history: JobHistory;
  /** Each job's energy and the electricity price it ran at. */
  readonly energy: EnergyStore;
  /** Net earnings after electricity, per job, day and device. */
  readonly net: EnergyNetQueries;
  /** Per-minute telemetry for charts. */
  readonly telemetry: TelemetryHistory;
  /** On-chain claims of vouchers and their state machine. */
  readonly claims: ClaimStore;

  private constructor(
    private readonly db: BetterSqlite3.Database,
    /** The file this ledger lives in. */
    readonly path: string,
    /** Migration versions this open applied. */
    readonly migrated: readonly number[],
    now: () => number,
  ) {
    const transitions = new JobTransitions(db, now);
    this.jobs = new JobStore(db, transitions, now);
    this.receipts = new ReceiptStore(db, this.jobs, transitions, now);
    this.credits = new CreditStore(db, this.jobs, transitions, this.receipts, now);
    this.vouchers = new VoucherStore(db, now);
    this.earnings = new EarningsQueries(db);
    this.history = new JobHistory(db);
    this.energy = new EnergyStore(db);
    this.net = new EnergyNetQueries(db);
    this.telemetry = new TelemetryHistory(db);
    this.claims = new ClaimStore(db, now);
  }

  /** Opens the ledger file at `path` (created if missing), checked and migrated; throws a LedgerError if unsafe or damaged. */
  static open(path: string, options: OpenOptions = {}): Ledger {
    const { db, migrated } = openLedgerDatabase(path, options);
    return new Ledger(db, path, migrated, options.now ?? Date.now);
  }

  /** Opens `<dataDir>/ledger.sqlite`. */
  static openInDataDir(dataDir: string, options: OpenOptions = {}): Ledger {
    return Ledger.open(join(dataDir, LEDGER_FILE), options);
  }

  /** Jobs not yet final, oldest first, each with its receipt if it has one: what to resume after a restart. */
  unfinishedJobs(): UnfinishedJob[] {
    return this.db.transaction(() => this.jobs.unfinished().map((job) => ({ job, receipt: this.receipts.forJob(job.id) })))();
  }

  /** Runs `steps` as one transaction: one commit (one fsync) for all of them, all or nothing. */
  atomically<T>(steps: () => T): T {
    return this.db.transaction(steps).immediate();
  }

  /** Exact sum of all credits in `token`; compare it with the latest voucher's cumulative amount. */
  acceptedCredits(token: string): bigint {
    return this.credits.acceptedCredits(token);
  }

  /** True while the connection is open. */
  get open(): boolean {
    return this.db.open;
  }

  /** Checkpoints the WAL into the main file and closes the connection. */
  close(): void {
    if (!this.db.open) return;
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}
