/** Jobs and their state machine (`job-states.ts`): one row per coordinator job id. */
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { Hex, JobId, JobSpec } from '../../common/marketplace-protocol.js';
import { JobState, UNFINISHED_STATES } from './job-states.js';
import type { JobTransitions } from './job-transitions.js';
import { LedgerError } from './ledger-error.js';
import { checkInput, parseRow } from './rows.js';

/** A failure code as the protocol carries it (`job.fail`'s code, or a provider-side one like `cancelled`). */
export const FailCode = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/);

/** A job as the ledger holds it. */
export interface JobRecord {
  id: string;
  state: JobState;
  /** The offer exactly as the coordinator signed it. */
  spec: JobSpec;
  /** The coordinator's signature over the spec. */
  specSignature: string;
  deviceId: string | null;
  failCode: string | null;
  /** Why it failed or was rejected, for a person. */
  reason: string | null;
  offeredAt: number;
  updatedAt: number;
}

const JobRow = z.object({
  id: JobId,
  state: JobState,
  spec: z.string(),
  spec_signature: Hex,
  device_id: z.string().nullable(),
  fail_code: z.string().nullable(),
  reason: z.string().nullable(),
  offered_at: z.number().int(),
  updated_at: z.number().int(),
});

const JOB_COLUMNS = 'id, state, spec, spec_signature, device_id, fail_code, reason, offered_at, updated_at';
const MAX_REASON = 2000;

/** Reads and moves jobs; every change is one transaction. */
export class JobStore {
  private readonly insert;
  private readonly select;
  private readonly selectUnfinished;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly transitions: JobTransitions,
    private readonly now: () => number,
  ) {
    this.insert = db.prepare(
      `INSERT INTO jobs (id, state, model_sha256, input_sha256, token, price, deadline, spec, spec_signature, offered_at, updated_at)
       VALUES (@id, 'offered', @model, @input, @token, @price, @deadline, @spec, @signature, @at, @at)`,
    );
    this.select = db.prepare(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`);
    this.selectUnfinished = db.prepare(
      `SELECT ${JOB_COLUMNS} FROM jobs WHERE state IN (${UNFINISHED_STATES.map((s) => `'${s}'`).join(', ')}) ORDER BY row`,
    );
  }

  /**
   * Stores an offer as `offered`; the same offer again is a no-op, a different spec (or signature) under
   * its id is `job_conflict`. The spec is kept as signed, in zod's field order; only the `token` column
   * used for grouping is lower-cased.
   */
  offer(spec: JobSpec, signature: string): { created: boolean } {
    const canonical = checkInput(JobSpec, spec, 'job spec');
    const specSignature = checkInput(Hex, signature, 'signature');
    const text = JSON.stringify(canonical);
    return this.db.transaction(() => {
      const existing = this.get(canonical.id);
      if (existing !== null) {
        if (JSON.stringify(existing.spec) === text && existing.specSignature === specSignature) return { created: false };
        throw new LedgerError('job_conflict', `Job ${canonical.id} was already offered with a different spec; the new offer was not stored.`);
      }
      this.insert.run({
        id: canonical.id,
        model: canonical.model.sha256,
        input: canonical.inputSha256,
        token: canonical.price.token.toLowerCase(),
        price: canonical.price.amount,
        deadline: canonical.deadline,
        spec: text,
        signature: specSignature,
        at: this.now(),
      });
      return { created: true };
    }).immediate();
  }

  /** offered → accepted (we answered job.accept). */
  accept(id: string): boolean {
    return this.transitions.move(id, 'accepted');
  }

  /** accepted → running on a device. */
  start(id: string, deviceId: string): boolean {
    return this.transitions.move(id, 'running', { deviceId: checkInput(z.string().min(1).max(200), deviceId, 'device id') });
  }

  /** offered | accepted | running → failed, with the code reported in job.fail. */
  fail(id: string, code: string, message: string): boolean {
    return this.transitions.move(id, 'failed', { failCode: checkInput(FailCode, code, 'failure code'), reason: message.slice(0, MAX_REASON) });
  }

  /** offered → rejected (we declined the offer), or result_sent → rejected (the coordinator refused the result). */
  reject(id: string, reason: string): boolean {
    return this.transitions.move(id, 'rejected', { reason: reason.slice(0, MAX_REASON) });
  }

  /** The job's current state; throws `job_unknown` when there is none. */
  stateOf(id: string): JobState {
    return this.transitions.stateOf(id);
  }

  /** The job, or null when the ledger has none with this id. */
  get(id: string): JobRecord | null {
    const row: unknown = this.select.get(id);
    return row === undefined ? null : toRecord(row);
  }

  /** Jobs not yet in a final state, oldest first: what to resume after a restart. */
  unfinished(): JobRecord[] {
    return this.selectUnfinished.all().map(toRecord);
  }
}

function toRecord(raw: unknown): JobRecord {
  const row = parseRow(JobRow, raw, 'job');
  let spec: unknown;
  try {
    spec = JSON.parse(row.spec);
  } catch {
    spec = null;
  }
  return {
    id: row.id,
    state: row.state,
    spec: parseRow(JobSpec, spec, 'job spec'),
    specSignature: row.spec_signature,
    deviceId: row.device_id,
    failCode: row.fail_code,
    reason: row.reason,
    offeredAt: row.offered_at,
    updatedAt: row.updated_at,
  };
}
