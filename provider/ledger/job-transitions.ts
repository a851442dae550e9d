/**
 * The one place a job's state changes. The Ledger hands this to the stores that need it (jobs, receipts,
 * credits) rather than exposing it, so `result_sent` and `credited` are reached only together with their
 * receipt and credit.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { JobState, canTransition } from './job-states.js';
import { LedgerError } from './ledger-error.js';
import { parseRow } from './rows.js';

/** Fields a transition may fill in (a field already set keeps its first value). */
export interface JobPatch {
  deviceId?: string;
  failCode?: string;
  reason?: string;
}

/** Applies state-machine steps, each in its own transaction (a savepoint inside a caller's). */
export class JobTransitions {
  private readonly selectState;
  private readonly update;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly now: () => number,
  ) {
    this.selectState = db.prepare('SELECT state FROM jobs WHERE id = ?').pluck();
    this.update = db.prepare(
      `UPDATE jobs SET state = @to, device_id = COALESCE(device_id, @deviceId), fail_code = COALESCE(fail_code, @failCode),
         reason = COALESCE(reason, @reason), updated_at = @at WHERE id = @id AND state = @from`,
    );
  }

  /**
   * Moves a job to `to`. Returns false, changing nothing, when it is already there; throws
   * `illegal_transition` when the state machine forbids the step and `job_unknown` for an unknown id.
   */
  move(id: string, to: JobState, patch: JobPatch = {}): boolean {
    return this.db.transaction(() => {
      const from = this.stateOf(id);
      if (from === to) return false;
      if (!canTransition(from, to)) throw new LedgerError('illegal_transition', `Job ${id} is ${from}; it cannot become ${to}.`);
      this.update.run({ id, from, to, deviceId: patch.deviceId ?? null, failCode: patch.failCode ?? null, reason: patch.reason ?? null, at: this.now() });
      return true;
    }).immediate();
  }

  /** The job's current state; throws `job_unknown` when there is none. */
  stateOf(id: string): JobState {
    const state: unknown = this.selectState.get(id);
    if (state === undefined) throw new LedgerError('job_unknown', `The ledger has no job ${JSON.stringify(id.slice(0, 80))}.`);
    return parseRow(JobState, state, 'job state');
  }
}
