/**
 * The provider's ledger: every job, receipt, credit and voucher, in one SQLite file in the data folder.
 * Every method that changes something commits before it returns, so whatever the provider acknowledges
 * or sends after a call is already on disk (SECURITY.md 16). Calls are synchronous (better-sqlite3); a
 * commit costs one fsync. The one exception is `later`, for writes that nothing is sent on the strength
 * of (a credit the coordinator would acknowledge again, a job's energy): they wait, at most LATER_MS, to
 * share the next transaction's commit, and their promise resolves only once they are on disk.
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

/** How long a `later` write waits for a transaction to share before it is committed on its own. */
export const LATER_MS = 25;

/** How to open the ledger: the database options, and how long `later` writes may wait. */
export type LedgerOptions = OpenOptions & { laterMs?: number };

type LaterWrite = { write: () => void; resolve: () => void; reject: (err: unknown) => void };

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

  private queue: LaterWrite[] = [];
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly db: BetterSqlite3.Database,
    /** The file this ledger lives in. */
    readonly path: string,
    /** Migration versions this open applied. */
    readonly migrated: readonly number[],
    now: () => number,
    private readonly laterMs: number,
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
  static open(path: string, options: LedgerOptions = {}): Ledger {
    const { db, migrated } = openLedgerDatabase(path, options);
    return new Ledger(db, path, migrated, options.now ?? Date.now, options.laterMs ?? LATER_MS);
  }

  /** Opens `<dataDir>/ledger.sqlite`. */
  static openInDataDir(dataDir: string, options: LedgerOptions = {}): Ledger {
    return Ledger.open(join(dataDir, LEDGER_FILE), options);
  }

  /** Jobs not yet final, oldest first, each with its receipt if it has one: what to resume after a restart. */
  unfinishedJobs(): UnfinishedJob[] {
    return this.db.transaction(() => this.jobs.unfinished().map((job) => ({ job, receipt: this.receipts.forJob(job.id) })))();
  }

  /**
   * Runs `steps` as one transaction: one commit (one fsync) for all of them, all or nothing. Writes
   * waiting from `later` go first, in the same commit.
   */
  atomically<T>(steps: () => T): T {
    // Inside someone else's transaction the waiting writes stay queued: their commit is not ours to see.
    if (this.queue.length === 0 || this.db.inTransaction) return this.db.transaction(steps).immediate();
    const taken = this.queue.splice(0);
    let outcome: Settled | undefined;
    try {
      const value = this.db
        .transaction(() => {
          outcome = this.applyEach(taken);
          return steps();
        })
        .immediate();
      settle(outcome!);
      return value;
    } catch (err) {
      // Rolled back with `steps`: the writes that worked wait again for a commit of their own.
      if (outcome === undefined) this.requeue(taken);
      else {
        for (const { entry, err: own } of outcome.failed) entry.reject(own);
        this.requeue(outcome.applied);
      }
      throw err;
    }
  }

  /**
   * Queues a write that nothing will be sent on the strength of: it commits with the next `atomically`
   * (before that transaction's own steps), after at most LATER_MS on its own, or at `close`. Resolves
   * once it is on disk; rejects with its own error (each write runs in its own savepoint, so one that
   * throws is undone alone and the others still commit). Writes commit in the order they were queued.
   */
  later(write: () => void): Promise<void> {
    if (!this.db.open) return Promise.reject(new Error('The ledger is closed (Hearth is shutting down); this write was not stored.'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.schedule();
    });
  }

  /** Commits every write `later` queued, now (one transaction). */
  flushLater(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0 || !this.db.open) return;
    if (this.db.inTransaction) return this.schedule();
    const taken = this.queue.splice(0);
    let outcome: Settled | undefined;
    try {
      this.db.transaction(() => void (outcome = this.applyEach(taken))).immediate();
    } catch (err) {
      // The commit itself failed (disk full, I/O): none of them is stored.
      for (const entry of taken) entry.reject(err);
      return;
    }
    settle(outcome!);
  }

  private applyEach(entries: LaterWrite[]): Settled {
    const outcome: Settled = { applied: [], failed: [] };
    for (const entry of entries) {
      try {
        // A nested transaction is a savepoint: a write that throws is rolled back on its own.
        this.db.transaction(entry.write)();
        outcome.applied.push(entry);
      } catch (err) {
        outcome.failed.push({ entry, err });
      }
    }
    return outcome;
  }

  private requeue(entries: LaterWrite[]): void {
    this.queue.unshift(...entries);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushLater();
    }, this.laterMs);
  }

  /** Exact sum of all credits in `token`; compare it with the latest voucher's cumulative amount. */
  acceptedCredits(token: string): bigint {
    return this.credits.acceptedCredits(token);
  }

  /** True while the connection is open. */
  get open(): boolean {
    return this.db.open;
  }

  /** Commits what `later` queued, checkpoints the WAL into the main file and closes the connection. */
  close(): void {
    if (!this.db.open) return;
    this.flushLater();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}

type Settled = { applied: LaterWrite[]; failed: { entry: LaterWrite; err: unknown }[] };

/** After the commit: each queued write hears how it went. */
function settle(outcome: Settled): void {
  for (const entry of outcome.applied) entry.resolve();
  for (const { entry, err } of outcome.failed) entry.reject(err);
}
